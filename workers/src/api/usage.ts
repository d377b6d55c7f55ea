import { createRoute, z } from '@hono/zod-openapi';
import type { AuthedEnv } from '../env.ts';
import { getProject } from '../projects/store.ts';
import { usageReport } from '../usage/report.ts';
import { ApiError } from './errors.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, newApi, signedIn } from './openapi.ts';
import { projectNotFound } from './project-access.ts';

/** The longest range one report covers. */
const MAX_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-01-31.')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'Not a real date.',
  );

const RangeQuery = z.strictObject({
  from: Day.optional().openapi({
    param: { name: 'from', in: 'query' },
    description: 'First day (UTC), inclusive. Default: 29 days before `to`.',
  }),
  to: Day.optional().openapi({
    param: { name: 'to', in: 'query' },
    description: 'Last day (UTC), inclusive. Default: today.',
  }),
});

const Totals = z.object({
  calls: z.number().int(),
  unpricedCalls: z.number().int().openapi({
    description: 'Calls whose model had no known price: their tokens count, their cost is not in costMicros.',
  }),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedTokens: z.number().int(),
  costMicros: z.number().int().openapi({ description: 'The cost of the calls whose price is known.' }),
});

const Usage = z
  .object({
    from: z.string(),
    to: z.string(),
    total: Totals,
    rows: z.array(Totals.extend({ day: z.string(), provider: z.string(), model: z.string() })),
  })
  .openapi('Usage');

/** The requested range, defaulted and checked. */
function resolveRange(query: { from?: string | undefined; to?: string | undefined }): {
  from: string;
  to: string;
} {
  const to = query.to ?? new Date().toISOString().slice(0, 10);
  const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1 || days > MAX_DAYS) {
    throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
      fields: [
        { path: 'from', message: `Choose a range of 1 to ${MAX_DAYS} days ending on or after its start.` },
      ],
    });
  }
  return { from, to };
}

const mine = createRoute({
  method: 'get',
  path: '/',
  summary: "The user's tokens and cost by day, provider and model",
  security: signedIn,
  middleware: requireUser,
  request: { query: RangeQuery },
  responses: { 200: json(Usage, 'Usage in the range'), ...errors(401, 422, 429) },
});

const perProject = createRoute({
  method: 'get',
  path: '/{id}/usage',
  summary: "One project's tokens and cost by day, provider and model",
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam, query: RangeQuery },
  responses: { 200: json(Usage, 'Usage in the range'), ...errors(401, 404, 422, 429) },
});

/** `/api/usage`. */
export const usage = newApi<AuthedEnv>().openapi(mine, async (c) => {
  const report = await usageReport(
    await c.var.db(),
    { userId: c.var.user.id },
    resolveRange(c.req.valid('query')),
  );
  c.header('Cache-Control', 'no-store');
  return c.json(report, 200);
});

/** `/api/projects/{id}/usage`. */
export const projectUsage = newApi<AuthedEnv>().openapi(perProject, async (c) => {
  const { id } = c.req.valid('param');
  const range = resolveRange(c.req.valid('query'));
  const db = await c.var.db();
  if (!(await getProject(db, c.var.user.id, id))) throw projectNotFound();
  const report = await usageReport(db, { userId: c.var.user.id, projectId: id }, range);
  c.header('Cache-Control', 'no-store');
  return c.json(report, 200);
});
