/**
 * Adapters of the scripted pipeline (tests and the offline demo): an LLM that answers from the script's
 * directive, and a sandbox that echoes commands. They cost nothing and reach no network. The real
 * adapters (LLM providers, the sandbox-runner) replace them for the real pipeline.
 */
import type { ExecOutcome, LlmCompletion, LlmPort, LlmRequest, SandboxPort } from '../core/ports.ts';

interface Directive {
  reply: string | null;
  chunks: number;
  delayMs: number;
  /** Null: the model's price is unknown. */
  costMicros: number | null;
  /** `provider:model` to report (default `scripted:scripted-1`). */
  model?: string;
}

function directiveOf(request: LlmRequest): Directive {
  const fallback: Directive = { reply: null, chunks: 1, delayMs: 0, costMicros: 10 };
  const system = request.messages.find((m) => m.role === 'system');
  if (!system) return fallback;
  try {
    const parsed = JSON.parse(system.content) as { scripted?: Partial<Directive> };
    return { ...fallback, ...parsed.scripted };
  } catch {
    return fallback;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/**
 * The scripted LLM. `onCall` is told of every call actually made (before it answers): tests count paid
 * calls with it.
 */
export function scriptedLlm(onCall: (request: LlmRequest) => void): LlmPort {
  return {
    async complete(request: LlmRequest): Promise<LlmCompletion> {
      onCall(request);
      const d = directiveOf(request);
      const prompt = request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const text = d.reply ?? `Scripted answer to: ${prompt}`;
      const size = Math.max(1, Math.ceil(text.length / d.chunks));
      for (let i = 0; i < text.length; i += size) {
        if (d.delayMs > 0) await sleep(d.delayMs, request.signal);
        request.onDelta?.(text.slice(i, i + size));
      }
      const named = d.model ?? 'scripted:scripted-1';
      const colon = named.indexOf(':');
      return {
        text,
        usage: {
          inputTokens: Math.ceil(prompt.length / 4),
          outputTokens: Math.ceil(text.length / 4),
          cachedTokens: 0,
        },
        costMicros: d.costMicros,
        ...(d.costMicros === null ? {} : { pricedBy: 'list' as const }),
        finishReason: 'stop',
        provider: named.slice(0, colon),
        model: named.slice(colon + 1),
        latencyMs: d.delayMs * d.chunks,
      };
    },
  };
}

/**
 * A sandbox that "runs" a command by echoing it; `exit N` in the command sets the exit code, and
 * `lines N` makes it print N lines of build output, in pieces as a real command streams them (a long
 * log for the UI's tests and the terminal benchmark).
 */
export const echoSandbox: SandboxPort = {
  async writeFiles() {},
  async exec(request, onOutput): Promise<ExecOutcome> {
    let output = `$ ${request.command}\nok\n`;
    onOutput('stdout', output);
    const lines = Number(/\blines (\d+)/.exec(request.command)?.[1] ?? 0);
    for (let first = 1; first <= lines; first += 1000) {
      let piece = '';
      for (let n = first; n < first + 1000 && n <= lines; n++) {
        piece += `[${n}/${lines}] src/modules/module-${n}.ts -> dist/module-${n}.js ${(n % 97) / 10} kB\n`;
      }
      onOutput('stdout', piece);
      output += piece;
    }
    const code = /\bexit (\d+)/.exec(request.command);
    return { exitCode: code ? Number(code[1]) : 0, timedOut: false, durationMs: 0, output };
  },
};

/** The sandbox of a pipeline that has none configured: every command fails clearly. */
export const noSandbox: SandboxPort = {
  async writeFiles() {
    throw new Error('no sandbox is configured for this project');
  },
  async exec() {
    throw new Error('no sandbox is configured for this project');
  },
};
