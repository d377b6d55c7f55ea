/**
 * Which model each agent uses. A model is named `provider:model` (`anthropic:claude-sonnet-4-20250514`,
 * `openai-compatible:qwen2.5-coder:7b`: only the first colon separates). Precedence, highest first: the
 * model a call names, the project's override for the agent, the project's override for every agent
 * (`*`), the platform's configured defaults (same shape), the built-in defaults below.
 */
import { MODEL_AGENT_ROSTER, type ModelAgentName } from '../agent-roster.ts';
import { LlmError } from './errors.ts';

/**
 * The providers, by the one name each has everywhere: the key store, the API, the UI's model fields,
 * the usage ledger and the docs.
 */
export const PROVIDER_IDS = ['openai', 'anthropic', 'groq', 'openai-compatible'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** How each provider is named to people (the identifier above is what they type in model fields). */
export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  groq: 'Groq',
  'openai-compatible': 'OpenAI-compatible',
};

/**
 * Other spellings people type for a provider (an older name among them), accepted on input and stored
 * as the canonical name. Matched case-insensitively, like the canonical names.
 */
export const PROVIDER_ALIASES: Readonly<Record<string, ProviderId>> = {
  compatible: 'openai-compatible',
  openai_compatible: 'openai-compatible',
  openaicompatible: 'openai-compatible',
};

/** What a model field accepts, for error messages. */
export const ACCEPTED_PROVIDERS = 'openai, anthropic, groq or openai-compatible (compatible also works)';

/** The canonical name of a provider as typed (any case, or an alias); null for an unknown one. */
export function canonicalProvider(name: string): ProviderId | null {
  const lower = name.trim().toLowerCase();
  if ((PROVIDER_IDS as readonly string[]).includes(lower)) return lower as ProviderId;
  return PROVIDER_ALIASES[lower] ?? null;
}

export interface ModelSpec {
  provider: ProviderId;
  model: string;
  /**
   * The model's context window in tokens as the person stated it (`openai-compatible:llama3.2#8k`): for
   * a model the platform does not know, such as one a self-hosted server runs with a small window.
   */
  contextTokens?: number;
}

/** `#8k`, `#8192`, `#1m` at the end of a model field: the window the person states for the model. */
const WINDOW_SUFFIX = /\s*#\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i;

/** The smallest window a person may state: below it no agent's instructions fit. */
export const MIN_CONTEXT_TOKENS = 2048;

/** Models by agent name; `*` applies to every agent without its own entry. */
export type ModelTable = Readonly<Record<string, string>>;

/** The agents that call a model (the Executor only runs commands): what a model table may name. */
export const MODEL_AGENTS = MODEL_AGENT_ROSTER.map((a) => a.name) as [ModelAgentName, ...ModelAgentName[]];

/** The built-in choice: a strong model for judgement and code, a small one for prose. */
export const DEFAULT_MODELS: ModelTable = {
  '*': 'openai:gpt-4.1',
  TechnicalWriter: 'openai:gpt-4.1-mini',
};

/**
 * Each provider's model for an agent when the configured provider has no key but this one does: a user
 * with only an Anthropic key still gets a run.
 */
export const PROVIDER_DEFAULTS: Readonly<Record<ProviderId, { strong: string; small: string }>> = {
  openai: { strong: 'gpt-4.1', small: 'gpt-4.1-mini' },
  anthropic: { strong: 'claude-sonnet-4-20250514', small: 'claude-3-5-haiku-20241022' },
  groq: { strong: 'llama-3.3-70b-versatile', small: 'llama-3.1-8b-instant' },
  'openai-compatible': { strong: 'qwen2.5-coder:7b', small: 'qwen2.5-coder:7b' },
};

/** Every name a provider was stored under (its own and its aliases): older records may use any. */
export function providerSpellings(provider: ProviderId): string[] {
  return [provider, ...Object.keys(PROVIDER_ALIASES).filter((a) => PROVIDER_ALIASES[a] === provider)];
}

/**
 * Reads `provider:model` with the provider in any case or spelled by an alias; null for anything else.
 * The model name is kept as typed (trimmed): model names are case-sensitive on most servers. A trailing
 * `#8k` (or `#8192`) states the model's context window, for a model the platform does not know.
 */
export function readModelSpec(spec: string): ModelSpec | null {
  let text = spec.trim();
  let contextTokens: number | undefined;
  const suffix = WINDOW_SUFFIX.exec(text);
  if (suffix) {
    const scale = { '': 1, k: 1024, m: 1024 * 1024 }[suffix[2]!.toLowerCase() as '' | 'k' | 'm'];
    contextTokens = Math.round(Number(suffix[1]) * scale);
    if (!(contextTokens >= MIN_CONTEXT_TOKENS)) return null;
    text = text.slice(0, suffix.index);
  } else if (text.includes('#')) return null;
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const provider = canonicalProvider(text.slice(0, colon));
  const model = text.slice(colon + 1).trim();
  if (!provider || !model) return null;
  return contextTokens ? { provider, model, contextTokens } : { provider, model };
}

/**
 * A model's one stored and shown form: `provider:model` with the canonical provider name, and the
 * window the person stated (`#8k`).
 */
export function formatModelSpec(spec: ModelSpec): string {
  const tokens = spec.contextTokens;
  const window = tokens ? `#${tokens % 1024 === 0 ? `${tokens / 1024}k` : tokens}` : '';
  return `${spec.provider}:${spec.model}${window}`;
}

/** What a model field says when it cannot read a model. */
export function modelSpecProblem(spec: string): string {
  return `"${spec.slice(0, 100)}" is not a model: write provider:model with a provider among ${ACCEPTED_PROVIDERS}, for example openai:gpt-4.1 or openai-compatible:llama3.2 (add #8k for a model whose context window is 8k tokens; at least 2k)`;
}

/** Parses `provider:model` (aliases accepted); throws a `config` error for anything else. */
export function parseModelSpec(spec: string): ModelSpec {
  const parsed = readModelSpec(spec);
  if (!parsed) throw new LlmError('config', 'models', modelSpecProblem(spec));
  return parsed;
}

/** Where a model choice came from: an explicit choice is never swapped for another provider's model. */
export interface ModelChoice extends ModelSpec {
  explicit: boolean;
}

/** The model of `agent` under the precedence above. */
export function chooseModel(
  agent: string,
  opts: { requested?: string; project?: ModelTable; platform?: ModelTable },
): ModelChoice {
  const explicit =
    opts.requested ??
    opts.project?.[agent] ??
    opts.project?.['*'] ??
    opts.platform?.[agent] ??
    opts.platform?.['*'];
  if (explicit) return { ...parseModelSpec(explicit), explicit: true };
  return { ...parseModelSpec(DEFAULT_MODELS[agent] ?? DEFAULT_MODELS['*']!), explicit: false };
}

/** The agents that write prose get the provider's small model when the choice falls back. */
const SMALL_MODEL_AGENTS: ReadonlySet<string> = new Set(['TechnicalWriter']);

/** The model `agent` uses on `provider` when the default provider has no key. */
export function fallbackModel(agent: string, provider: ProviderId): ModelSpec {
  const defaults = PROVIDER_DEFAULTS[provider];
  return { provider, model: SMALL_MODEL_AGENTS.has(agent) ? defaults.small : defaults.strong };
}

/**
 * One table from two, `over` winning: an agent takes `over`'s own entry, then `over`'s `*`, then
 * `under`'s own entry, then `under`'s `*` (a project's choice for every agent beats its owner's choice
 * for one agent).
 */
export function layerModels(over: ModelTable, under: ModelTable): ModelTable {
  return over['*'] ? over : { ...under, ...over };
}

/** Parses a JSON model table (the `LLM_MODELS` var, a project's overrides); empty input gives `{}`. */
export function parseModelTable(text: string | undefined, source: string): ModelTable {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LlmError('config', 'models', `${source} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LlmError('config', 'models', `${source} must be a JSON object of agent → provider:model`);
  }
  const out: Record<string, string> = {};
  for (const [agent, spec] of Object.entries(value)) {
    if (typeof spec !== 'string')
      throw new LlmError('config', 'models', `${source}.${agent} must be a string`);
    // Stored tables may still say `compatible:`: every model leaves here in its canonical form.
    out[agent] = formatModelSpec(parseModelSpec(spec));
  }
  return out;
}
