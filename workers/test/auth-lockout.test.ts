import { describe, expect, it } from 'vitest';
import { call, errorOf, randomIp } from './helpers/api.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { TEST_LIMITS } from './limits.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function login(email: string, password: string, ip: string): Promise<Response> {
  return call('/api/auth/login', { json: { email, password }, ip });
}

/** Status, error code and Retry-After of an answer: what a client can tell apart. */
async function answer(res: Response): Promise<{ status: number; code?: string; retryAfter: number | null }> {
  const retryAfter = res.headers.get('retry-after');
  const code = res.status === 200 ? undefined : (await errorOf(res)).code;
  return { status: res.status, code, retryAfter: retryAfter === null ? null : Number(retryAfter) };
}

// Each test has its own accounts and addresses, so they run side by side and their waits overlap.
describe.concurrent('login lockout', { timeout: 60_000 }, () => {
  it("locks only the stranger's address out of an account: the owner signs in from theirs", async () => {
    const owner = await registerUser('lock-owner');
    const { limit, windowSeconds } = TEST_LIMITS.loginFailures;
    const stranger = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await login(owner.email, `wrong ${i}`, stranger)).status);
    // The failure that reaches the limit already says so.
    expect(statuses).toEqual([...Array<number>(limit - 1).fill(401), 429]);

    // From the stranger's address even the right password is refused, with when to try again.
    const locked = await login(owner.email, owner.password, stranger);
    const { status, code, retryAfter } = await answer(locked);
    expect({ status, code }).toEqual({ status: 429, code: 'account_locked' });
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);

    // The owner, from an address the account has never seen, is not locked out.
    expect((await login(owner.email, owner.password, randomIp())).status).toBe(200);

    // The stranger's lock ends by itself.
    await sleep(retryAfter! * 1000 + 300);
    expect((await login(owner.email, owner.password, stranger)).status).toBe(200);
  });

  it('slows guessing from many addresses past the per-account ceiling (429 + Retry-After), then lets the owner in', async () => {
    const owner = await registerUser('ceiling-owner');
    const { limit, cooldownSeconds } = TEST_LIMITS.accountLoginFailures;
    expect(limit).toBeGreaterThan(TEST_LIMITS.loginFailures.limit);
    // The same guesses against an account that does not exist get the same answers.
    const nobody = `nobody-${owner.email}`;
    const real: string[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < limit; i++) {
      // A new address for every guess: no address reaches its own limit.
      const ip = randomIp();
      const [a, b] = [
        await answer(await login(owner.email, 'wrong guess', ip)),
        await answer(await login(nobody, 'wrong guess', ip)),
      ];
      real.push(`${a.status} ${a.code}`);
      unknown.push(`${b.status} ${b.code}`);
    }
    expect(real).toEqual([...Array<string>(limit - 1).fill('401 unauthorized'), '429 rate_limited']);
    expect(unknown).toEqual(real);

    // During the cooldown the owner, from an address the account has not seen, is asked to wait a little...
    const elsewhere = randomIp();
    const slowed = await answer(await login(owner.email, owner.password, elsewhere));
    expect(slowed.status).toBe(429);
    expect(slowed.code).toBe('rate_limited');
    expect(slowed.retryAfter).toBeGreaterThanOrEqual(1);
    expect(slowed.retryAfter).toBeLessThanOrEqual(cooldownSeconds);
    // ...while from the address the account was created at, the owner is not slowed at all.
    expect((await login(owner.email, owner.password, owner.ip)).status).toBe(200);

    // After the cooldown a guess is answered again, and starts another cooldown: slowed, never locked.
    await sleep(slowed.retryAfter! * 1000 + 300);
    const guess = await answer(await login(owner.email, 'another guess', randomIp()));
    expect(guess.status).toBe(429);
    expect(guess.retryAfter).toBeLessThanOrEqual(cooldownSeconds);
    await sleep(guess.retryAfter! * 1000 + 300);
    expect((await login(owner.email, owner.password, elsewhere)).status).toBe(200);
  });

  it('never exempts anyone from an address lock, not even the address the account was created at', async () => {
    const owner: TestUser = await registerUser('lock-known');
    for (let i = 0; i < TEST_LIMITS.loginFailures.limit; i++) await login(owner.email, 'wrong', owner.ip);
    const res = await login(owner.email, owner.password, owner.ip);
    expect(res.status).toBe(429);
    expect((await errorOf(res)).code).toBe('account_locked');
  });
});
