/**
 * The LLM port over the providers: picks the agent's model and a key, makes the call with retries,
 * streams deltas, asks for and validates structured outputs (one re-ask with the validation error, or for
 * a shorter answer when the reply was cut off at the output limit), and prices the usage. Every provider
 * attempt is reported to `onCall` (usage recording, metrics); the engine records the completion itself in
 * the Durable Object, and the ledger row follows from that.
 */
import { LlmKeyMissing } from '../core/agents/errors.ts';
import { cutOffMessage, isCutOff } from '../core/cut-off.ts';
import { BudgetExceeded } from '../core/errors.ts';
import type { LlmCompletion, LlmPort, LlmRequest, LlmUsage } from '../core/ports.ts';
import type { JsonValue } from '../core/json.ts';
import { LlmError, type LlmErrorCode } from './errors.ts';
import { resolveKey, type KeySource, type ResolvedKey } from './keys.ts';
import { modelWindow } from './context-windows.ts';
import { chooseModel, fallbackModel, type ModelSpec, type ModelTable, type ProviderId } from './models.ts';
import { costAt, knownPrice, listPrice, type Price } from './pricing.ts';
import { anthropicClient } from './providers/anthropic.ts';
import { groqClient } from './providers/groq.ts';
import { openAiClient } from './providers/openai.ts';
import type { ProviderClient, ProviderConnection, ProviderResult } from './providers/types.ts';
import { DEFAULT_RETRY, REAL_RETRY_DEPS, withRetries, type RetryDeps, type RetryPolicy } from './retry.ts';
import { cutOffReaskMessages, jsonSchemaOf, parseStructured, reaskMessages } from './structured.ts';

/** One provider attempt as `onCall` hears of it: never the key, never the prompt. */
export interface CallRecord {
  agent: string;
  provider: ProviderId;
  model: string;
  keyOrigin: 'user' | 'platform';
  /** 1 for the first attempt of a request; retries and the re-ask count up. */
  attempt: number;
  reask: boolean;
  outcome: 'ok' | LlmErrorCode;
  usage: LlmUsage;
  /** Null when the model has no known price. */
  costMicros: number | null;
  latencyMs: number;
}

export interface LlmLayerDeps {
  keys: KeySource;
  /** Base URLs that replace the providers' own (the fixture, a self-hosted server). */
  baseUrls?: Partial<Record<ProviderId, string>>;
  models?: { project?: ModelTable; platform?: ModelTable };
  /** The person's own price for a model the price table does not list (Settings); null when none. */
  prices?: (provider: ProviderId, model: string) => Promise<Price | null>;
  now: () => number;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  retryDeps?: RetryDeps;
  /** Output token cap (Anthropic requires one); a small window lowers it (`context-windows.ts`). */
  maxTokens?: number;
  /** The window of a model neither the table nor its model field states (`LLM_CONTEXT_WINDOW`). */
  defaultContextTokens?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Runs before every provider call, the re-ask included; throws to refuse it (the budget). */
  beforeCall?: (info: { agent: string; provider: ProviderId; model: string }) => void;
  onCall?: (record: CallRecord) => void;
  /** Builds a provider client (tests replace it). */
  clientFor?: (provider: ProviderId, conn: ProviderConnection) => ProviderClient;
}

/** The default client of each provider, over its official SDK. */
export function defaultClient(provider: ProviderId, conn: ProviderConnection): ProviderClient {
  switch (provider) {
    case 'openai':
    case 'openai-compatible':
      return openAiClient(provider, conn);
    case 'anthropic':
      return anthropicClient(conn);
    case 'groq':
      return groqClient(conn);
  }
}

// workerd's fetch must be called as a plain function, not as a method of an SDK object.
const unboundFetch: typeof fetch = (input, init) => fetch(input, init);

/** Providers tried, in order, when an agent's default provider has no key. */
const FALLBACK_ORDER: ProviderId[] = ['openai', 'anthropic', 'groq', 'openai-compatible'];

const ZERO: LlmUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };

function add(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
  };
}

/**
 * Forwards streamed text once across retries: a retried stream's text is forwarded only past what the
 * viewers already have. (A retry that words its reply differently shows the seam; the recorded text is
 * the retry's, whole.)
 */
function onceAcrossRetries(onDelta: (text: string) => void) {
  let forwarded = 0;
  return () => {
    let attemptText = '';
    return (piece: string) => {
      attemptText += piece;
      if (attemptText.length <= forwarded) return;
      onDelta(attemptText.slice(forwarded));
      forwarded = attemptText.length;
    };
  };
}

/** The LLM layer as the engine's port. */
export function createLlmPort(deps: LlmLayerDeps): LlmPort {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const retryDeps = deps.retryDeps ?? REAL_RETRY_DEPS;
  const clientFor = deps.clientFor ?? defaultClient;

  async function pick(
    request: Pick<LlmRequest, 'agent' | 'model'>,
  ): Promise<{ spec: ModelSpec; key: ResolvedKey }> {
    const choice = chooseModel(request.agent, {
      ...(request.model ? { requested: request.model } : {}),
      ...deps.models,
    });
    const key = await resolveKey(deps.keys, choice.provider);
    if (key) return { spec: choice, key };
    if (!choice.explicit) {
      for (const provider of FALLBACK_ORDER) {
        if (provider === choice.provider) continue;
        const other = await resolveKey(deps.keys, provider);
        if (other) return { spec: fallbackModel(request.agent, provider), key: other };
      }
    }
    throw new LlmKeyMissing(choice.provider);
  }

  const maxTokens = deps.maxTokens ?? 8192;
  const windowOf = (spec: ModelSpec) => modelWindow(spec, maxTokens, deps.defaultContextTokens);

  return {
    async window(agent: string) {
      // The model the call would go to; without a key yet, the one the agent is set to use.
      const spec = await pick({ agent }).then(
        (p) => p.spec,
        () => chooseModel(agent, deps.models ?? {}),
      );
      return windowOf(spec);
    },

    async complete(request: LlmRequest): Promise<LlmCompletion> {
      const started = deps.now();
      const { spec, key } = await pick(request);
      const client = clientFor(spec.provider, {
        apiKey: key.apiKey,
        ...((deps.baseUrls?.[spec.provider] ?? key.baseUrl)
          ? { baseURL: (deps.baseUrls?.[spec.provider] ?? key.baseUrl)! }
          : {}),
        fetch: deps.fetch ?? unboundFetch,
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      });
      // The list price, else the person's own (looked up only for a model the list lacks), else none:
      // an unknown price is a null cost, never zero.
      const known = listPrice(spec.provider, spec.model)
        ? knownPrice(spec.provider, spec.model, null)
        : knownPrice(spec.provider, spec.model, (await deps.prices?.(spec.provider, spec.model)) ?? null);
      const costOf = (u: LlmUsage): number | null => (known ? costAt(known.price, u) : null);
      const priced = known ? { pricedBy: known.pricedBy } : {};
      const schema = request.schema ? jsonSchemaOf(request.schema) : undefined;
      const stream = request.onDelta ? onceAcrossRetries(request.onDelta) : null;
      let messages = request.messages;
      let usage = ZERO;
      let cost: number | null = known ? 0 : null;
      let attempts = 0;
      /** What was billed so far, for an error that ends the call after a paid round. */
      const spentSoFar = (): LlmCompletion => ({
        text: '',
        usage,
        costMicros: cost,
        ...priced,
        finishReason: 'error',
        provider: spec.provider,
        model: spec.model,
        latencyMs: deps.now() - started,
      });
      for (let round = 0; round < 2; round++) {
        // An unknown cost cannot be held to a budget (the loop guards still bound the run).
        const spent = cost ?? 0;
        if (round > 0 && request.budgetLeftMicros !== undefined && spent >= request.budgetLeftMicros) {
          // The first round spent what was left: no re-ask, and the round is recorded as spent.
          const stop = new BudgetExceeded(spent, request.budgetLeftMicros);
          stop.spent = spentSoFar();
          throw stop;
        }
        deps.beforeCall?.({ agent: request.agent, provider: spec.provider, model: spec.model });
        let result: ProviderResult;
        try {
          result = await withRetries(
            async () => {
              attempts += 1;
              const t0 = deps.now();
              const record = (outcome: CallRecord['outcome'], u: LlmUsage, c: number | null) =>
                deps.onCall?.({
                  agent: request.agent,
                  provider: spec.provider,
                  model: spec.model,
                  keyOrigin: key.origin,
                  attempt: attempts,
                  reask: round > 0,
                  outcome,
                  usage: u,
                  costMicros: c,
                  latencyMs: deps.now() - t0,
                });
              try {
                const r = await client.call({
                  model: spec.model,
                  messages,
                  ...(schema ? { schema } : {}),
                  maxTokens: windowOf(spec).outputTokens,
                  signal: request.signal,
                  ...(stream ? { onDelta: stream() } : {}),
                });
                record('ok', r.usage, costOf(r.usage));
                return r;
              } catch (err) {
                record(err instanceof LlmError ? err.code : 'provider_error', ZERO, known ? 0 : null);
                throw err;
              }
            },
            { policy: retry, deps: retryDeps, signal: request.signal },
          );
        } catch (err) {
          if (err instanceof LlmError && err.rejectedOutput !== undefined && request.schema) {
            // The provider refused the model's reply as invalid JSON (Groq in JSON mode, often for prose
            // around the JSON): the reply is read here like any other, and re-asked only if unusable.
            result = { text: err.rejectedOutput, usage: ZERO, finishReason: 'stop' };
          } else {
            // The re-ask failed (or was cancelled) after the first round was billed.
            const paid = usage.inputTokens + usage.outputTokens > 0 || (cost ?? 0) > 0;
            if (paid && err instanceof LlmError) err.spent = spentSoFar();
            throw err;
          }
        }
        usage = add(usage, result.usage);
        const roundCost = costOf(result.usage);
        cost = cost === null || roundCost === null ? null : cost + roundCost;
        const done = (object?: unknown): LlmCompletion => ({
          text: result.text,
          ...(object !== undefined ? { object: object as JsonValue } : {}),
          usage,
          costMicros: cost,
          ...priced,
          finishReason: result.finishReason,
          provider: spec.provider,
          model: spec.model,
          latencyMs: deps.now() - started,
        });
        if (!request.schema) return done();
        // A reply cut off at the output limit is never used, even where what arrived happens to parse
        // (a tool's input cut off is still an object): it is re-asked for a shorter one.
        if (isCutOff(result.finishReason)) {
          if (round === 1) {
            const cut = new LlmError('truncated', spec.provider, cutOffMessage(result.finishReason));
            cut.spent = spentSoFar();
            throw cut;
          }
          messages = cutOffReaskMessages(request.messages, result.usage.outputTokens);
          continue;
        }
        const parsed = parseStructured(
          request.schema,
          result.value !== undefined ? { value: result.value } : { text: result.text },
        );
        if (parsed.ok) return done(parsed.value);
        if (round === 1) {
          const invalid = new LlmError(
            'invalid_output',
            spec.provider,
            `the reply did not match the schema after a re-ask: ${parsed.error}`,
          );
          invalid.spent = spentSoFar();
          throw invalid;
        }
        messages = reaskMessages(request.messages, result.text, parsed.error);
      }
      throw new LlmError('invalid_output', spec.provider, 'unreachable');
    },
  };
}
