import { z } from 'zod';

/** At most `limit` events per fixed window of `windowSeconds`. */
export interface LimitRule {
  limit: number;
  windowSeconds: number;
}

/**
 * A ceiling that slows rather than locks: past `limit` events within `windowSeconds`, each further one
 * starts a cooldown of `cooldownSeconds` during which the thing is refused (429 with `Retry-After`).
 */
export interface CeilingRule extends LimitRule {
  cooldownSeconds: number;
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
  /**
   * Failed logins per account and client address: past the limit, that address may not sign in to that
   * account until the window ends. A stranger's failures from elsewhere never lock the owner out.
   */
  loginFailures: LimitRule;
  /**
   * Failed logins per account from all addresses together: past the limit, every failure starts a short
   * cooldown for the account (addresses that signed in to it before are exempt). It slows a guesser with
   * many addresses; it never locks anyone out for longer than the cooldown.
   */
  accountLoginFailures: CeilingRule;
}

export type LimitName = Exclude<keyof Limits, 'loginFailures' | 'accountLoginFailures'>;

/** Production defaults; RATE_LIMITS overrides any of them. */
export const DEFAULT_LIMITS: Limits = {
  auth: { limit: 20, windowSeconds: 60 },
  api: { limit: 600, windowSeconds: 60 },
  projectCreate: { limit: 20, windowSeconds: 3600 },
  llm: { limit: 30, windowSeconds: 60 },
  loginFailures: { limit: 5, windowSeconds: 15 * 60 },
  accountLoginFailures: { limit: 20, windowSeconds: 3600, cooldownSeconds: 60 },
};

const Rule = z.strictObject({
  limit: z.number().int().min(1).max(1_000_000),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600),
});
const Ceiling = Rule.extend({ cooldownSeconds: z.number().int().min(1).max(3600) });
const Overrides = z.strictObject({
  auth: Rule.optional(),
  api: Rule.optional(),
  projectCreate: Rule.optional(),
  llm: Rule.optional(),
  loginFailures: Rule.optional(),
  accountLoginFailures: Ceiling.optional(),
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
  const limits: Limits = { ...DEFAULT_LIMITS, ...overrides };
  cache.set(text, limits);
  return limits;
}
