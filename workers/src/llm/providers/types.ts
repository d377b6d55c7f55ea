/** What every provider adapter implements: one attempt of one call (retries live above it). */
import type { LlmMessage, LlmUsage } from '../../core/ports.ts';
import type { JsonSchema } from '../structured.ts';

export interface ProviderCall {
  model: string;
  messages: LlmMessage[];
  /** Ask for a structured output in the provider's native mode. */
  schema?: JsonSchema;
  /** Upper bound of output tokens (Anthropic requires one). */
  maxTokens: number;
  signal: AbortSignal;
  /** Streams text as it arrives when set. */
  onDelta?: (text: string) => void;
}

export interface ProviderResult {
  /** The text of the reply (for a forced tool: its input as JSON text). */
  text: string;
  /** The structured output when the provider returned it already parsed (a tool's input). */
  value?: unknown;
  usage: LlmUsage;
  finishReason: string;
}

/** One provider, bound to one key and base URL. */
export interface ProviderClient {
  call(call: ProviderCall): Promise<ProviderResult>;
}

/** How to reach a provider: the key and, for a local fixture or a self-hosted server, the base URL. */
export interface ProviderConnection {
  apiKey: string;
  baseURL?: string;
  /** The fetch the SDK uses (tests inject one; the Worker's global fetch otherwise). */
  fetch?: typeof fetch;
  /** Per-attempt timeout of the SDK, in milliseconds. */
  timeoutMs?: number;
}
