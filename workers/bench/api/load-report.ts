/**
 * The load benchmark's table: one per database, each figure beside its baseline or target. Returns the
 * targets a run missed.
 */
import type { Sample } from './load-traffic.ts';
import { keptPerRequestKb, type RssPhase } from './load-memory.ts';
import type { WorkerdRss } from './workerd-memory.ts';

/** The isolate's heap after the load may exceed the figure before it by this much and count as "back". */
const HEAP_SLACK = { ratio: 1.25, mb: 10 };

/** What one run of the benchmark did, for the table's titles. */
export interface LoadShape {
  loops: number;
  viewers: number;
  seconds: number;
  afterSeconds: number;
  nextSettleSeconds: number;
}

export interface Result {
  label: string;
  shape: LoadShape;
  /** Every answer of the loops: round 1 (beside the viewers) and the later rounds. */
  samples: Sample[];
  liveness: number[];
  livenessFailures: number;
  events: number;
  lost: number;
  viewersDropped: number;
  /** workerd's RSS through each round: round 1 with its long rest, then the loops-only rounds. */
  rounds: RssPhase[];
  /** The runtime's own cost per request, by kind of request (label, phase). */
  controls: [string, RssPhase][];
  /** RSS just before and after the benchmark's DevTools session read the heap. */
  devtools: { before: WorkerdRss; after: WorkerdRss };
  /** The isolate's JS heap after a full GC, before the load and after it (NaN: could not be read). */
  heap: { before: number; after: number };
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const row = (metric: string, value: string, versus = '') =>
  `  ${metric.padEnd(40)} ${value.padEnd(36)} ${versus}`;

const signed = (n: number) => `${n >= 0 ? '+' : ''}${fmt(n)}`;

/** Prints a database's table; returns the targets it missed. */
export function report(r: Result): string[] {
  const missed: string[] = [];
  const ms = r.samples.map((s) => s.ms);
  const fiveXx = r.samples.filter((s) => s.status >= 500);
  const noAnswer = r.samples.filter((s) => s.status === 0).length;
  const other = new Map<number, number>();
  for (const s of r.samples)
    if (s.status >= 300 && s.status < 500) other.set(s.status, (other.get(s.status) ?? 0) + 1);
  const [p50, p99, l50, l99] = [
    percentile(ms, 50),
    percentile(ms, 99),
    percentile(r.liveness, 50),
    percentile(r.liveness, 99),
  ];
  const heapKnown = Number.isFinite(r.heap.before) && Number.isFinite(r.heap.after);
  const heapOk = r.heap.after <= Math.max(r.heap.before * HEAP_SLACK.ratio, r.heap.before + HEAP_SLACK.mb);
  const verdict = (ok: boolean, what: string) => {
    if (!ok) missed.push(`${r.label}: ${what}`);
    return ok ? 'met' : 'NOT met';
  };
  const codes = new Map<number, number>();
  for (const s of fiveXx) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);

  console.log(
    `\n${r.label}: ${r.shape.loops} request loops + ${r.shape.viewers} live viewers for ${r.shape.seconds} s, wrangler dev on loopback`,
  );
  console.log(row('metric', 'value', 'beside / target'));
  console.log(
    row(
      'API requests answered',
      `${fmt(r.samples.length - noAnswer)} (${fmt((r.samples.length - noAnswer) / r.shape.seconds)}/s)`,
    ),
  );
  console.log(
    row(
      '5xx answers',
      `${fmt(fiveXx.length)}${codes.size ? ` (${[...codes].map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''}`,
      `target 0: ${verdict(fiveXx.length === 0, '5xx answers')}`,
    ),
  );
  console.log(
    row(
      'no answer within 60 s / network error',
      fmt(noAnswer),
      `target 0: ${verdict(noAnswer === 0, 'unanswered requests')}`,
    ),
  );
  console.log(
    row('other non-2xx answers', other.size ? [...other].map(([c, n]) => `${c}: ${n}`).join(', ') : '0'),
  );
  console.log(
    row(
      'API latency p50 / p99',
      `${fmt(p50)} / ${fmt(p99)} ms`,
      `health/live ${fmt(l50)} / ${fmt(l99)} ms (n=${r.liveness.length}): x${fmt(p50 / l50, 1)} / x${fmt(p99 / l99, 1)}`,
    ),
  );
  if (r.livenessFailures > 0) console.log(row('health/live failures', fmt(r.livenessFailures)));
  console.log(
    row(
      'events lost by viewers',
      `${fmt(r.lost)} of ${fmt(r.events)} (${r.viewersDropped} dropped)`,
      `target 0: ${verdict(r.lost === 0 && r.viewersDropped === 0 && (r.shape.viewers === 0 || r.events > 0), 'events lost')}`,
    ),
  );
  console.log(
    row(
      `Worker heap after GC, before / ${r.shape.afterSeconds} s after`,
      heapKnown ? `${fmt(r.heap.before, 1)} / ${fmt(r.heap.after, 1)} MB` : 'not readable (no DevTools port)',
      heapKnown
        ? `target <= x${HEAP_SLACK.ratio} or +${HEAP_SLACK.mb} MB: ${verdict(heapOk, 'Worker heap back near its baseline')}`
        : '',
    ),
  );
  const [first, ...later] = r.rounds;
  const mb = (x: WorkerdRss, of: keyof WorkerdRss) => fmt(x[of]);
  const phase = (p: RssPhase, of: keyof WorkerdRss) =>
    `${mb(p.before, of)} / ${mb(p.peak, of)} / ${mb(p.after, of)} MB`;
  if (first) {
    console.log(
      row(
        `workerd RSS before / peak / ${r.shape.afterSeconds} s after`,
        phase(first, 'total'),
        `x${fmt(first.after.total / first.before.total, 2)} of before`,
      ),
    );
    console.log(
      row(
        "  the Worker's runtime",
        phase(first, 'runtime'),
        `${fmt(keptPerRequestKb(first, 'runtime'), 1)} KB kept per request`,
      ),
    );
    console.log(
      row(
        "  wrangler's dev proxy",
        phase(first, 'proxy'),
        `${fmt(keptPerRequestKb(first, 'proxy'), 1)} KB kept per request`,
      ),
    );
  }
  later.forEach((p, i) =>
    console.log(
      row(
        `  round ${i + 2} (loops only, ${r.shape.nextSettleSeconds} s rest)`,
        phase(p, 'total'),
        `${signed(p.after.total - p.before.total)} MB: runtime ${fmt(keptPerRequestKb(p, 'runtime'), 1)}, proxy ${fmt(keptPerRequestKb(p, 'proxy'), 1)} KB/request (n=${fmt(p.requests)})`,
      ),
    ),
  );
  for (const [what, p] of r.controls)
    console.log(
      row(
        `  control: ${what}`,
        `${signed(p.after.total - p.before.total)} MB (n=${fmt(p.requests)})`,
        `runtime ${fmt(keptPerRequestKb(p, 'runtime'), 1)}, proxy ${fmt(keptPerRequestKb(p, 'proxy'), 1)} KB/request`,
      ),
    );
  if (Number.isFinite(r.heap.after))
    console.log(
      row(
        "  the benchmark's DevTools heap reading",
        `${signed(r.devtools.after.total - r.devtools.before.total)} MB`,
        `runtime ${signed(r.devtools.after.runtime - r.devtools.before.runtime)}, proxy ${signed(r.devtools.after.proxy - r.devtools.before.proxy)} MB (taken after "after")`,
      ),
    );
  const ops = [...new Set(r.samples.map((s) => s.op))].sort();
  for (const op of ops) {
    const of = r.samples.filter((s) => s.op === op);
    const t = of.map((s) => s.ms);
    const bad = of.filter((s) => s.status >= 500 || s.status === 0).length;
    console.log(
      row(
        `  ${op}`,
        `${fmt(of.length)}: p50 ${fmt(percentile(t, 50))} / p99 ${fmt(percentile(t, 99))} ms`,
        bad ? `${bad} 5xx/no answer` : '',
      ),
    );
  }
  return missed;
}
