/** A dashboard: sample sales data summed per region, shown as cards and a table. */
import { arrayBody, ensure, expectStatus, objectBody } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const salesDashboard: EvalApp = {
  id: 'sales-dashboard',
  name: 'sales dashboard',
  kind: 'dashboard',
  description: `A sales dashboard in Node.js, on the port in the PORT environment variable (default 3000). It ships with at least 20 sample sales spread over the regions North, South, East and West.

- GET /api/sales answers the sales: [{ "id", "date": "YYYY-MM-DD", "region", "amount" }] (amount a number).
- GET /api/summary answers { "total", "count", "byRegion": { "North": 123.5, ... } }, computed from the sales.
- The page at / shows two cards, headed "Total sales" and "Orders", with the total and the count, and a table with a "Region" and a "Sales" column and one row per region.

The README says how to install and start it.`,
  checks: [
    {
      name: 'the summary adds up the sales',
      kind: 'http',
      run: async (app) => {
        const sales = arrayBody('GET /api/sales', await app.http('/api/sales'));
        ensure(
          sales.length >= 20,
          `GET /api/sales answered ${sales.length} sales, the description asks for at least 20`,
        );
        const answer = await app.http('/api/summary');
        expectStatus('GET /api/summary', answer, 200);
        const summary = objectBody('GET /api/summary', answer);
        const amounts = sales.map((s) => Number((s as { amount?: unknown }).amount));
        const total = amounts.reduce((a, b) => a + b, 0);
        ensure(
          summary.count === sales.length,
          `summary.count is ${String(summary.count)}, there are ${sales.length} sales`,
        );
        ensure(
          Math.abs(Number(summary.total) - total) < 0.01,
          `summary.total is ${String(summary.total)}, the sales add up to ${total.toFixed(2)}`,
        );
        const byRegion = (summary.byRegion ?? {}) as Record<string, unknown>;
        const regionSum = Object.values(byRegion).reduce<number>((a, b) => a + Number(b), 0);
        ensure(
          Math.abs(regionSum - total) < 0.01,
          `summary.byRegion adds up to ${regionSum.toFixed(2)}, not the total ${total.toFixed(2)}`,
        );
      },
    },
    {
      name: 'the page shows the cards and one row per region',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        await page.getByText('Total sales').first().waitFor();
        await page.getByText('Orders').first().waitFor();
        const count = String(objectBody('GET /api/summary', await app.http('/api/summary')).count);
        await page.getByText(count, { exact: true }).first().waitFor();
        for (const region of ['North', 'South', 'East', 'West'])
          await page.getByRole('cell', { name: region, exact: true }).waitFor();
      },
    },
  ],
};
