/**
 * The LLM layer's configuration from the Worker's environment, checked once when a project's pipeline
 * is bound (a mistake fails there, not in the middle of a run).
 */
import { LlmError } from './errors.ts';
import { parseContextWindow } from './context-windows.ts';
import { parseModelTable, type ModelTable, type ProviderId } from './models.ts';

/** The variables and secrets the layer reads (all optional: a deployment sets what it uses). */
export interface LlmEnv {
  APP_ENV?: string;
  /** Tests and local runs only: the LLM fixture's root; each provider lives under its own prefix. */
  LLM_BASE_URL_OVERRIDE?: string;
  /** Platform-wide model choice, JSON: `{"*": "anthropic:claude-sonnet-4-20250514", "TechnicalWriter": ...}`. */
  LLM_MODELS?: string;
  OPENAI_API_KEY?: string;
  ANTHROPIC_API_KEY?: string;
  GROQ_API_KEY?: string;
  /** A platform-run OpenAI-compatible server (its key may be any non-empty string). */
  OPENAI_COMPATIBLE_API_KEY?: string;
  OPENAI_COMPATIBLE_BASE_URL?: string;
  /** The context window (tokens, `8k` allowed) of models the platform does not know and no model field states. */
  LLM_CONTEXT_WINDOW?: string;
}

export interface LlmConfig {
  /** Base URL per provider when not the provider's own (the fixture, a self-hosted server). */
  baseUrls: Partial<Record<ProviderId, string>>;
  platformKeys: Partial<Record<ProviderId, { apiKey: string; baseUrl: string | null }>>;
  platformModels: ModelTable;
  /** `LLM_CONTEXT_WINDOW`: the window of a model nothing else states. */
  defaultContextTokens?: number;
}

/** Where each provider lives under the fixture's root (what each SDK appends its paths to). */
export function fixtureBaseUrls(root: string): Record<ProviderId, string> {
  const base = root.replace(/\/+$/, '');
  return {
    openai: `${base}/openai/v1`,
    anthropic: `${base}/anthropic`,
    groq: `${base}/groq`,
    // The fixture's own path for an OpenAI-compatible server (infra/llm-fixture).
    'openai-compatible': `${base}/compatible/v1`,
  };
}

/** Reads and checks the configuration. */
export function llmConfig(env: LlmEnv): LlmConfig {
  const override = env.LLM_BASE_URL_OVERRIDE?.trim() ?? '';
  if (override && env.APP_ENV !== 'development' && env.APP_ENV !== 'test') {
    // The fixture answers from a script, and users' keys would be sent to it: local runs only.
    throw new LlmError(
      'config',
      'llm',
      `LLM_BASE_URL_OVERRIDE is set but APP_ENV is ${env.APP_ENV ?? 'unset'}`,
    );
  }
  const platformKeys: LlmConfig['platformKeys'] = {};
  const put = (provider: ProviderId, apiKey: string | undefined, baseUrl: string | null = null) => {
    if (apiKey) platformKeys[provider] = { apiKey, baseUrl };
  };
  put('openai', env.OPENAI_API_KEY);
  put('anthropic', env.ANTHROPIC_API_KEY);
  put('groq', env.GROQ_API_KEY);
  if (env.OPENAI_COMPATIBLE_BASE_URL)
    put('openai-compatible', env.OPENAI_COMPATIBLE_API_KEY || 'none', env.OPENAI_COMPATIBLE_BASE_URL);
  const defaultContextTokens = parseContextWindow(env.LLM_CONTEXT_WINDOW);
  return {
    baseUrls: override ? fixtureBaseUrls(override) : {},
    platformKeys,
    platformModels: parseModelTable(env.LLM_MODELS, 'LLM_MODELS'),
    ...(defaultContextTokens ? { defaultContextTokens } : {}),
  };
}
