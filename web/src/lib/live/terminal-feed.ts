/**
 * What the terminal shows, kept outside any component: command output arrives while the terminal
 * (xterm.js, loaded lazily) may not exist yet, or is hidden behind another tab. A view that is shown
 * reads what it has not seen yet (`since`) and then follows new chunks (`subscribe`); a hidden view
 * unsubscribes and costs nothing, then catches up in one read when it is shown again.
 */

const CSI = '\x1b[';
const dim = (s: string) => `${CSI}2m${s}${CSI}0m`;
const bold = (s: string) => `${CSI}1m${s}${CSI}0m`;
const red = (s: string) => `${CSI}31m${s}${CSI}0m`;
const green = (s: string) => `${CSI}32m${s}${CSI}0m`;

/**
 * Output kept, in characters: a very chatty build keeps its last part (the terminal keeps less, its
 * scrollback; the text view shows all of this).
 */
const MAX_CHARS = 8 * 1024 * 1024;

/** Where a view is in the feed: what it has read so far. */
export interface FeedCursor {
  /** Bumped when the feed starts over (cleared, or trimmed past what a view has read). */
  readonly generation: number;
  /** Chunks written so far in this generation. */
  readonly position: number;
}

/** What a view has not seen yet: `restart` means throw away what it shows and show `text` instead. */
export interface FeedRead {
  text: string;
  restart: boolean;
  cursor: FeedCursor;
}

export type FeedListener = (text: string, restart: boolean) => void;

export class TerminalFeed {
  /** The chunks kept; `#dropped` chunks of this generation came before them and were trimmed. */
  readonly #chunks: string[] = [];
  #dropped = 0;
  #chars = 0;
  #generation = 0;
  readonly #listeners = new Set<FeedListener>();
  /** Characters of output so far per command: a chunk repeating what was shown is trimmed. */
  readonly #outputLength = new Map<string, number>();
  /** Whether the last chunk ended a line (a command header must start on its own line). */
  #atLineStart = true;

  /** Everything kept. */
  text(): string {
    return this.#chunks.join('');
  }

  /** Whether earlier output was trimmed to keep the memory bounded. */
  get trimmed(): boolean {
    return this.#dropped > 0;
  }

  /** Where the feed is now. */
  cursor(): FeedCursor {
    return { generation: this.#generation, position: this.#dropped + this.#chunks.length };
  }

  /** What came after `cursor` (everything, with `restart`, for a view that is new or fell behind). */
  since(cursor: FeedCursor | null): FeedRead {
    const now = this.cursor();
    if (!cursor || cursor.generation !== this.#generation || cursor.position < this.#dropped) {
      return { text: this.text(), restart: true, cursor: now };
    }
    return {
      text: this.#chunks.slice(cursor.position - this.#dropped).join(''),
      restart: false,
      cursor: now,
    };
  }

  /**
   * Calls `listener` with each new chunk (and with `restart` when the feed starts over); returns the
   * unsubscribe function.
   */
  subscribe(listener: FeedListener): () => void {
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
    this.#dropped = 0;
    this.#chars = 0;
    this.#generation++;
    this.#outputLength.clear();
    this.#atLineStart = true;
    for (const listener of this.#listeners) listener('', true);
  }

  #write(text: string, endsLine = text.endsWith('\n')): void {
    this.#chunks.push(text);
    this.#chars += text.length;
    this.#atLineStart = endsLine;
    if (this.#chars > MAX_CHARS) this.#trim();
    for (const listener of this.#listeners) listener(text, false);
  }

  /** Drops the oldest chunks until the feed fits again (views that read them are not affected). */
  #trim(): void {
    let drop = 0;
    while (this.#chars > MAX_CHARS * 0.75 && drop < this.#chunks.length - 1) {
      this.#chars -= this.#chunks[drop]!.length;
      drop++;
    }
    this.#chunks.splice(0, drop);
    this.#dropped += drop;
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
