/**
 * What the terminal shows, kept outside any component: command output arrives while the terminal
 * (xterm.js, loaded lazily) may not exist yet, or is hidden behind another tab. The terminal writes the
 * whole feed when it mounts and then every chunk as it comes.
 */
export interface TerminalChunk {
  /** Text for the terminal (ANSI colours allowed, `\n` line ends). */
  text: string;
}

const CSI = '\x1b[';
const dim = (s: string) => `${CSI}2m${s}${CSI}0m`;
const bold = (s: string) => `${CSI}1m${s}${CSI}0m`;
const red = (s: string) => `${CSI}31m${s}${CSI}0m`;
const green = (s: string) => `${CSI}32m${s}${CSI}0m`;

/** Keeps the memory of a very chatty build bounded (the terminal keeps its own scrollback too). */
const MAX_CHUNKS = 20_000;

export class TerminalFeed {
  readonly #chunks: string[] = [];
  readonly #listeners = new Set<(text: string) => void>();
  /** Characters of output so far per command: a chunk repeating what was shown is trimmed. */
  readonly #outputLength = new Map<string, number>();
  /** Whether the last chunk ended a line (a command header must start on its own line). */
  #atLineStart = true;

  /** Everything so far, for a terminal that mounts now. */
  text(): string {
    return this.#chunks.join('');
  }

  /** Calls `listener` with each new chunk; returns the unsubscribe function. */
  subscribe(listener: (text: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  commandStarted(commandId: string, command: string): void {
    this.#outputLength.set(commandId, 0);
    this.#write(`${this.#atLineStart ? '' : '\n'}${bold(`$ ${command}`)}\n`);
  }

  output(commandId: string, offset: number, data: string, stream: 'stdout' | 'stderr'): void {
    const shown = this.#outputLength.get(commandId) ?? offset;
    const fresh = offset < shown ? data.slice(shown - offset) : data;
    if (!fresh) return;
    this.#outputLength.set(commandId, Math.max(shown, offset) + fresh.length);
    this.#write(stream === 'stderr' ? red(fresh) : fresh, fresh.endsWith('\n'));
  }

  exited(exitCode: number | null, timedOut: boolean, durationMs: number): void {
    const took = dim(`(${formatSeconds(durationMs)})`);
    const verdict = timedOut
      ? red('timed out')
      : exitCode === 0
        ? green('exit 0')
        : red(exitCode === null ? 'killed' : `exit ${exitCode}`);
    this.#write(`${this.#atLineStart ? '' : '\n'}${verdict} ${took}\n\n`);
  }

  /** A line from the platform (a rollback, a reset). */
  note(text: string): void {
    this.#write(`${this.#atLineStart ? '' : '\n'}${dim(text)}\n`);
  }

  clear(): void {
    this.#chunks.length = 0;
    this.#outputLength.clear();
    this.#atLineStart = true;
    for (const listener of this.#listeners) listener('\x1bc');
  }

  #write(text: string, endsLine = text.endsWith('\n')): void {
    this.#chunks.push(text);
    if (this.#chunks.length > MAX_CHUNKS) this.#chunks.splice(0, this.#chunks.length - MAX_CHUNKS);
    this.#atLineStart = endsLine;
    for (const listener of this.#listeners) listener(text);
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
