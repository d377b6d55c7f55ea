import { describeFailure } from '$lib/api/errors.ts';
import { fetchUsage, type UsageReport } from '$lib/api/usage.ts';
import { DAY_MS, isoDay, type Metric } from './usage-data.ts';

export type { Metric } from './usage-data.ts';

/** The usage page: the range of days, the metric shown, and the report for the range. */
export class UsageState {
  days = $state(30);
  metric = $state<Metric>('cost');
  report = $state<UsageReport | null>(null);
  loading = $state(true);
  error = $state('');
  #controller: AbortController | undefined;

  async load(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.loading = true;
    this.error = '';
    const to = Date.now();
    try {
      const range = { from: isoDay(to - (this.days - 1) * DAY_MS), to: isoDay(to) };
      const report = await fetchUsage(range, controller.signal);
      if (!controller.signal.aborted) this.report = report;
    } catch (error) {
      if (!controller.signal.aborted) this.error = describeFailure(error);
    } finally {
      if (this.#controller === controller) this.loading = false;
    }
  }

  dispose(): void {
    this.#controller?.abort();
  }
}
