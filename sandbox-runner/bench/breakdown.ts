/**
 * Where a benchmark row's time goes: per-sample phases in ms (the runner's Server-Timing phases of a
 * create, plus what the client measured around them), printed as the median of each phase.
 */
export class Breakdown {
  private readonly samples: Record<string, number>[] = [];

  /** One sample's phases. */
  add(phases: Record<string, number>): void {
    this.samples.push(phases);
  }

  /** `phase p50 ms` for every phase seen, in the order first seen. */
  summary(): string {
    const names = [...new Set(this.samples.flatMap((s) => Object.keys(s)))];
    return names
      .map((name) => {
        const values = this.samples.map((s) => s[name]).filter((v): v is number => v !== undefined);
        const sorted = values.sort((a, b) => a - b);
        const p50 = sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)] ?? NaN;
        return `${name} ${p50.toFixed(1)}`;
      })
      .join(', ');
  }
}

/**
 * The phases of one create as the client saw it: the runner's own (`phases`), what the client waited
 * beyond the runner's total (HTTP and the client itself), and the exec to the first output.
 */
export function createSample(
  phases: Record<string, number>,
  clientCreateMs: number,
  execFirstOutputMs: number,
): Record<string, number> {
  const runnerTotal = phases.total ?? NaN;
  const { total: _total, ...rest } = phases;
  return {
    ...rest,
    'runner-total': runnerTotal,
    'http+client': clientCreateMs - runnerTotal,
    'exec-first-output': execFirstOutputMs,
  };
}
