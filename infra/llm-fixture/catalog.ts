/** The models each provider lists, in the fields its real `GET /v1/models` returns. */

export interface CatalogModel {
  id: string;
  /** Unix seconds (OpenAI, Groq) or ISO time (Anthropic). */
  created: number;
  ownedBy: string;
  displayName: string;
  contextWindow: number;
}

export const OPENAI_MODELS: CatalogModel[] = [
  { id: 'gpt-4.1', created: 1744316542, ownedBy: 'system', displayName: 'GPT-4.1', contextWindow: 1047576 },
  {
    id: 'gpt-4.1-mini',
    created: 1744318173,
    ownedBy: 'system',
    displayName: 'GPT-4.1 mini',
    contextWindow: 1047576,
  },
  { id: 'gpt-4o', created: 1715367049, ownedBy: 'system', displayName: 'GPT-4o', contextWindow: 128000 },
  { id: 'o4-mini', created: 1744225351, ownedBy: 'system', displayName: 'o4-mini', contextWindow: 200000 },
];

export const ANTHROPIC_MODELS: CatalogModel[] = [
  {
    id: 'claude-opus-4-1-20250805',
    created: 1754352000,
    ownedBy: 'anthropic',
    displayName: 'Claude Opus 4.1',
    contextWindow: 200000,
  },
  {
    id: 'claude-sonnet-4-20250514',
    created: 1747872000,
    ownedBy: 'anthropic',
    displayName: 'Claude Sonnet 4',
    contextWindow: 200000,
  },
  {
    id: 'claude-3-5-haiku-20241022',
    created: 1729555200,
    ownedBy: 'anthropic',
    displayName: 'Claude Haiku 3.5',
    contextWindow: 200000,
  },
];

export const GROQ_MODELS: CatalogModel[] = [
  {
    id: 'llama-3.3-70b-versatile',
    created: 1733447754,
    ownedBy: 'Meta',
    displayName: 'Llama 3.3 70B',
    contextWindow: 131072,
  },
  {
    id: 'llama-3.1-8b-instant',
    created: 1693721698,
    ownedBy: 'Meta',
    displayName: 'Llama 3.1 8B',
    contextWindow: 131072,
  },
  {
    id: 'openai/gpt-oss-120b',
    created: 1754408224,
    ownedBy: 'OpenAI',
    displayName: 'GPT-OSS 120B',
    contextWindow: 131072,
  },
];

/** What an OpenAI-compatible server (Ollama, vLLM, LM Studio) typically lists. */
export const COMPATIBLE_MODELS: CatalogModel[] = [
  {
    id: 'qwen2.5-coder:7b',
    created: 1731000000,
    ownedBy: 'library',
    displayName: 'Qwen2.5 Coder 7B',
    contextWindow: 32768,
  },
  {
    id: 'llama3.2:3b',
    created: 1727000000,
    ownedBy: 'library',
    displayName: 'Llama 3.2 3B',
    contextWindow: 131072,
  },
];
