/**
 * Which model each agent uses. A model is named `provider:model` (`anthropic:claude-sonnet-4-20250514`,
 * `compatible:qwen2.5-coder:7b`: only the first colon separates). Precedence, highest first: the model a
 * call names, the project's override for the agent, the project's override for every agent (`*`), the
 * platform's configured defaults (same shape), the built-in defaults below.
 */
import { LlmError } from './errors.ts';

export const PROVIDER_IDS = ['openai', 'anthropic', 'groq', 'compatible'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface ModelSpec {
  provider: ProviderId;
  model: string;
}

/** Models by agent name; `*` applies to every agent without its own entry. */
export type ModelTable = Readonly<Record<string, string>>;

/** The agents that call a model (the Executor only runs commands): what a model table may name. */
export const MODEL_AGENTS = [
  'SpecWriter',
  'Architect',
  'TechLead',
  'Developer',
  'CodeMonkey',
  'BugHunter',
  'Troubleshooter',
  'TechnicalWriter',
] as const;

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
  compatible: { strong: 'qwen2.5-coder:7b', small: 'qwen2.5-coder:7b' },
};

/** Parses `provider:model`; throws a `config` error for anything else. */
export function parseModelSpec(spec: string): ModelSpec {
  const colon = spec.indexOf(':');
  const provider = spec.slice(0, colon);
  const model = spec.slice(colon + 1);
  if (colon <= 0 || !model || !(PROVIDER_IDS as readonly string[]).includes(provider)) {
    throw new LlmError(
      'config',
      'models',
      `"${spec.slice(0, 100)}" is not a model: use provider:model with a provider among ${PROVIDER_IDS.join(', ')}`,
    );
  }
  return { provider: provider as ProviderId, model };
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
    parseModelSpec(spec);
    out[agent] = spec;
  }
  return out;
}
