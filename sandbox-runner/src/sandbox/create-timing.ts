/**
 * Where the time of one create goes, phase by phase, sent back in the create response's
 * `Server-Timing` header (a standard header: browsers' and tools' network panels show it) and read by
 * the benchmark. Phases that overlap (the workspace disk is made while the engine creates the
 * container) are each reported whole; `total` is the create's wall-clock time in the runner.
 *
 * Phases: `admission` (waiting for a launch slot), `disk` (workspace disk made or linked),
 * `engine-create`, `engine-attach`, `engine-start` (one engine round trip each), `supervisor` (from the
 * start's answer to the supervisor's hello), `supervisor-boot` (the supervisor's own figure: from its
 * start until it said hello, inside the container), `pool` (a warm container taken), `total`.
 */
export class CreateTiming {
  private readonly started = performance.now();
  private readonly phases = new Map<string, number>();

  /** Records `phase` as `ms` long (added to any earlier time of the same phase). */
  record(phase: string, ms: number): void {
    this.phases.set(phase, (this.phases.get(phase) ?? 0) + ms);
  }

  /** Awaits `work`, recording how long it took as `phase` (also when it fails). */
  async time<T>(phase: string, work: Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work;
    } finally {
      this.record(phase, performance.now() - started);
    }
  }

  /** The phases so far, with `total` since this timing began. */
  entries(): [string, number][] {
    return [...this.phases, ['total', performance.now() - this.started]];
  }

  /** The `Server-Timing` header value: `phase;dur=ms` for each phase, `total` last. */
  header(): string {
    return this.entries()
      .map(([phase, ms]) => `${phase};dur=${ms.toFixed(1)}`)
      .join(', ');
  }
}

/** Parses a `Server-Timing` header made by {@link CreateTiming.header} back into phases (ms). */
export function parseServerTiming(header: string | null): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /^\s*([\w-]+);dur=([\d.]+)\s*$/.exec(part);
    if (match?.[1] && match[2]) phases[match[1]] = Number(match[2]);
  }
  return phases;
}
