import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.ts';
import { ORIGIN, errorOf, randomIp } from './helpers/api.ts';
import { registerUser } from './helpers/users.ts';
import { TEST_LIMITS } from './limits.ts';

/**
 * A login as it reaches the Worker from a socket: workerd reports the socket's peer in
 * `request.cf.clientIp`, and the client may write any CF-Connecting-IP it likes.
 */
async function loginFrom(
  behindCloudflare: boolean,
  socket: string,
  forgedHeader: string,
  body: { email: string; password: string },
): Promise<Response> {
  const request = new Request(`${ORIGIN}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': forgedHeader },
    body: JSON.stringify(body),
    cf: { clientIp: `[::ffff:${socket}]:${40000 + Math.floor(Math.random() * 20000)}` },
  });
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, BEHIND_CLOUDFLARE: String(behindCloudflare) }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('the client address', () => {
  it('ignores a forged CF-Connecting-IP when not behind Cloudflare: the socket counts', async () => {
    const owner = await registerUser('addr-socket');
    const signIn = { email: owner.email, password: owner.password };
    const { limit } = TEST_LIMITS.loginFailures;
    const socket = randomIp();
    const statuses: number[] = [];
    // A new forged header on every try cannot spread the failures over many addresses.
    for (let i = 0; i < limit; i++) {
      const res = await loginFrom(false, socket, randomIp(), { email: owner.email, password: 'wrong' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(limit - 1).fill(401), 429]);
    const locked = await loginFrom(false, socket, randomIp(), signIn);
    expect(locked.status).toBe(429);
    expect((await errorOf(locked)).code).toBe('account_locked');
    // Nor can a forged header borrow the owner's address: only the socket decides.
    expect((await loginFrom(false, socket, owner.ip, signIn)).status).toBe(429);
    expect((await loginFrom(false, randomIp(), randomIp(), signIn)).status).toBe(200);
  });

  it('honours CF-Connecting-IP behind Cloudflare (the edge overwrites what clients send)', async () => {
    const owner = await registerUser('addr-edge');
    const signIn = { email: owner.email, password: owner.password };
    const { limit } = TEST_LIMITS.loginFailures;
    // One connection from Cloudflare's edge carries many clients: the header tells them apart.
    const edge = randomIp();
    const stranger = randomIp();
    for (let i = 0; i < limit; i++) {
      await loginFrom(true, edge, stranger, { email: owner.email, password: 'wrong' });
    }
    expect((await loginFrom(true, edge, stranger, signIn)).status).toBe(429);
    expect((await loginFrom(true, edge, randomIp(), signIn)).status).toBe(200);
  });
});
