/**
 * The memory side of the load benchmark: workerd's RSS through a phase (before, peak, after), and the
 * controls that show what the runtime keeps per request whatever the request ran (a liveness answer,
 * a static asset, the HTML page), measured in the same run.
 */
import { sleep } from '../../../infra/stack/process.ts';
import { workerdRss, type WorkerdRss } from './workerd-memory.ts';

/** RSS before a phase, its peak (sampled every 500 ms) and after it, with the requests it served. */
export interface RssPhase {
  requests: number;
  before: WorkerdRss;
  peak: WorkerdRss;
  after: WorkerdRss;
}

function raise(peak: WorkerdRss, now: WorkerdRss): void {
  peak.runtime = Math.max(peak.runtime, now.runtime);
  peak.proxy = Math.max(peak.proxy, now.proxy);
  peak.total = Math.max(peak.total, now.total);
}

/** Where RSS is read: wrangler dev's process group, or any reading of the caller's. */
export type RssSource = number | (() => WorkerdRss);

const read = (source: RssSource): WorkerdRss => (typeof source === 'number' ? workerdRss(source) : source());

/** Starts watching RSS now; `end` takes the last reading and returns the phase. */
export function watchRss(source: RssSource): { before: WorkerdRss; end: (requests: number) => RssPhase } {
  const before = read(source);
  const peak = { ...before };
  const timer = setInterval(() => raise(peak, read(source)), 500);
  return {
    before,
    end: (requests) => {
      clearInterval(timer);
      const after = read(source);
      raise(peak, after);
      return { requests, before, peak, after };
    },
  };
}

/** KB of RSS a phase kept (after minus before) per request it served, for one process or the sum. */
export function keptPerRequestKb(phase: RssPhase, of: keyof WorkerdRss): number {
  return ((phase.after[of] - phase.before[of]) * 1024) / Math.max(1, phase.requests);
}

/** A control: `loops` loops of `GET path` for `seconds`, then 5 s of rest; what RSS kept. */
export async function rssControl(
  source: RssSource,
  base: string,
  path: string,
  loops: number,
  seconds: number,
): Promise<RssPhase> {
  const watch = watchRss(source);
  const deadline = Date.now() + seconds * 1000;
  let requests = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(60_000) });
          await res.arrayBuffer();
        } catch {
          // Counted all the same: the runtime saw the request.
        }
        requests++;
      }
    }),
  );
  await sleep(5000);
  return watch.end(requests);
}
