import type { Redis } from '@upstash/redis/cloudflare';
import { sha256Hex } from '../crypto/bytes.ts';
import { UNKNOWN_ADDRESS } from '../limits/client-address.ts';
import type { CeilingRule, LimitRule } from '../limits/config.ts';

/**
 * Failed sign-ins, counted two ways so that nobody can lock someone else out:
 *
 * - per account *and* client address (`loginFailures`): past the limit, that address may not sign in
 *   to that account until the window ends. A stranger's wrong passwords lock only the stranger's address.
 * - per account from all addresses (`accountLoginFailures`, a higher ceiling): past it, each failure
 *   starts a short cooldown for the account, so a guesser with many addresses is slowed to one guess per
 *   cooldown. Addresses that signed in to the account before ("known", for 30 days) are exempt, so the
 *   owner at home is not even slowed; elsewhere the owner waits at most one cooldown.
 *
 * Unknown emails are counted exactly like real ones: the answers never tell whether an account exists.
 * Counters live in Redis with their window as expiry, so every lock ends by itself. Emails and
 * addresses are hashed in the keys: none are stored in Redis.
 */
export interface LockoutRules {
  perAddress: LimitRule;
  perAccount: CeilingRule;
}

/** Why a sign-in is refused before its password is looked at, and for how long. */
export interface Refusal {
  /** `address`: this address is locked out of the account; `account`: the account is cooling down. */
  scope: 'address' | 'account';
  retryAfterSeconds: number;
}

export interface Standing {
  /** Whether this address signed in to this account before (exempt from the account's cooldown). */
  known: boolean;
  refusal: Refusal | null;
}

const KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600;

interface Keys {
  addressFailures: string;
  accountFailures: string;
  cooldown: string;
  known: string;
}

async function keys(email: string, address: string): Promise<Keys> {
  const [account, pair] = await Promise.all([sha256Hex(email), sha256Hex(`${email}\n${address}`)]);
  return {
    addressFailures: `sk:login:fail:${pair}`,
    accountFailures: `sk:login:account-fail:${account}`,
    cooldown: `sk:login:cooldown:${account}`,
    known: `sk:login:known:${pair}`,
  };
}

/**
 * A wait in whole seconds, rounded up: Redis's TTL rounds to the nearest second, so a client told
 * `Retry-After` from it could come back up to half a second early and be refused again.
 */
const wholeSeconds = (ms: number) => Math.ceil(ms / 1000);

/** Whether this address may try to sign in to this account now: one round trip. */
export async function standing(
  redis: Redis,
  email: string,
  address: string,
  rules: LockoutRules,
): Promise<Standing> {
  const k = await keys(email, address);
  const [failures, ttlMs, cooldownMs, known] = await redis
    .pipeline()
    .get<number>(k.addressFailures)
    .pttl(k.addressFailures)
    .pttl(k.cooldown)
    .exists(k.known)
    .exec<[number | null, number, number, number]>();
  const isKnown = known > 0;
  if (failures && failures >= rules.perAddress.limit) {
    // A counter without an expiry would lock the address out for good: give it its window back.
    if (ttlMs < 0) await redis.expire(k.addressFailures, rules.perAddress.windowSeconds);
    const retryAfterSeconds = ttlMs > 0 ? wholeSeconds(ttlMs) : rules.perAddress.windowSeconds;
    return { known: isKnown, refusal: { scope: 'address', retryAfterSeconds } };
  }
  if (cooldownMs > 0 && !isKnown) {
    return { known: false, refusal: { scope: 'account', retryAfterSeconds: wholeSeconds(cooldownMs) } };
  }
  return { known: isKnown, refusal: null };
}

/**
 * Count a failed sign-in; returns the refusal it brought about for this address (the failure that
 * reaches a limit already says so), or null.
 */
export async function recordFailure(
  redis: Redis,
  email: string,
  address: string,
  rules: LockoutRules,
  known: boolean,
): Promise<Refusal | null> {
  const k = await keys(email, address);
  // One transaction, so no counter exists without its expiry. NX: a window starts at its first
  // failure, and further failures do not extend it.
  const [addressFailures, , addressTtlMs, accountFailures] = await redis
    .multi()
    .incr(k.addressFailures)
    .expire(k.addressFailures, rules.perAddress.windowSeconds, 'NX')
    .pttl(k.addressFailures)
    .incr(k.accountFailures)
    .expire(k.accountFailures, rules.perAccount.windowSeconds, 'NX')
    .exec<[number, number, number, number, number]>();
  const { cooldownSeconds } = rules.perAccount;
  const cooling = accountFailures >= rules.perAccount.limit;
  if (cooling) await redis.set(k.cooldown, 1, { ex: cooldownSeconds });
  if (addressFailures >= rules.perAddress.limit) {
    return {
      scope: 'address',
      retryAfterSeconds: addressTtlMs > 0 ? wholeSeconds(addressTtlMs) : rules.perAddress.windowSeconds,
    };
  }
  return cooling && !known ? { scope: 'account', retryAfterSeconds: cooldownSeconds } : null;
}

/**
 * A successful sign-in (or a new account): this address forgets its failures and becomes known to the
 * account. The account-wide count is kept: the owner signing in must not hand a guesser a fresh budget.
 */
export async function recordSuccess(redis: Redis, email: string, address: string): Promise<void> {
  const k = await keys(email, address);
  // Requests whose address cannot be told are all one "address": knowing it would exempt everyone.
  if (address === UNKNOWN_ADDRESS) await redis.del(k.addressFailures);
  else await redis.multi().del(k.addressFailures).set(k.known, 1, { ex: KNOWN_ADDRESS_SECONDS }).exec();
}
