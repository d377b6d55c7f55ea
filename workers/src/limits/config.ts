import { z } from 'zod';

/** At most `limit` events per fixed window of `windowSeconds`. */
export interface LimitRule {
  limit: number;
  windowSeconds: number;
}

/** Every limit the API enforces. */
export interface Limits {
  /** Per client IP on the auth endpoints (register, login, refresh, logout). */
  auth: LimitRule;
  /** Per user on every authenticated API request. */
  api: LimitRule;
  /** Per user on project creation. */
  projectCreate: LimitRule;
  /** Per user on actions that call an LLM provider (key tests now; runs later). */
  llm: LimitRule;
  /** Failed logins per account before it is locked until the window ends. */
  loginFailures: LimitRule;
}

export type LimitName = Exclude<keyof Limits, 'loginFailures'>;

/** Production defaults; RATE_LIMITS overrides any of them. */
export const DEFAULT_LIMITS: Limits = {
  auth: { limit: 20, windowSeconds: 60 },
  api: { limit: 600, windowSeconds: 60 },
  projectCreate: { limit: 20, windowSeconds: 3600 },
  llm: { limit: 30, windowSeconds: 60 },
  loginFailures: { limit: 5, windowSeconds: 15 * 60 },
};

const Rule = z.strictObject({
  limit: z.number().int().min(1).max(1_000_000),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600),
});
const Overrides = z.strictObject({
  auth: Rule.optional(),
  api: Rule.optional(),
  projectCreate: Rule.optional(),
  llm: Rule.optional(),
  loginFailures: Rule.optional(),
});

/** RATE_LIMITS that cannot be used: a deployment mistake, reported on every request until fixed. */
export class LimitsConfigError extends Error {
  override readonly name = 'LimitsConfigError';
}

const cache = new Map<string, Limits>();

/** The limits in force: RATE_LIMITS (JSON, any subset of {@link Limits}) over the defaults. */
export function limitsConfig(raw: string | undefined): Limits {
  const text = (raw ?? '').trim();
  const cached = cache.get(text);
  if (cached) return cached;
  let overrides: z.infer<typeof Overrides> = {};
  if (text) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new LimitsConfigError('RATE_LIMITS is not valid JSON');
    }
    const parsed = Overrides.safeParse(json);
    if (!parsed.success)
      throw new LimitsConfigError(`RATE_LIMITS is not valid: ${z.prettifyError(parsed.error)}`);
    overrides = parsed.data;
  }
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [name, rule] of Object.entries(overrides) as [keyof Limits, LimitRule | undefined][]) {
    if (rule) limits[name] = rule;
  }
  cache.set(text, limits);
  return limits;
}
