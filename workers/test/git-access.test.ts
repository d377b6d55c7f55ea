import { describe, expect, it } from 'vitest';
import { call, errorOf, randomIp } from './helpers/api.ts';
import { createProject } from './helpers/projects.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { TEST_LIMITS } from './limits.ts';

interface TokenView {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  token?: string;
}

async function createToken(user: TestUser, body: Record<string, unknown>): Promise<TokenView> {
  const res = await call('/api/settings/git-tokens', { json: body, token: user.accessToken });
  if (res.status !== 201) throw new Error(`create token failed: ${res.status} ${await res.text()}`);
  return res.json<TokenView>();
}

/** Git's first request of a clone, with the token as the Basic password (git's user name is any). */
function refs(projectId: string, token: string | null, ip = randomIp(), service = 'git-upload-pack') {
  return call(`/git/${projectId}.git/info/refs?service=${service}`, {
    ip,
    headers: token ? { authorization: `Basic ${btoa(`git:${token}`)}` } : {},
  });
}

describe('git access tokens', () => {
  it('are shown once, listed without the secret, let git read the owner’s projects only, and stop at revocation', async () => {
    const owner = await registerUser('git-owner');
    const other = await registerUser('git-other');
    const project = await createProject(owner);
    const theirs = await createProject(other);

    const created = await createToken(owner, { name: 'laptop', expiresInDays: 30 });
    expect(created.token).toMatch(/^skgit_[A-Za-z0-9_-]{43}$/);
    expect(created.hint).toBe(created.token!.slice(0, 10));
    expect(Date.parse(created.expiresAt!) - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);

    const listed = await call('/api/settings/git-tokens', { token: owner.accessToken });
    const text = await listed.text();
    expect(text).not.toContain(created.token!);
    const items = (JSON.parse(text) as { items: TokenView[] }).items;
    expect(items.map((t) => [t.name, t.lastUsedAt])).toEqual([['laptop', null]]);

    // The owner's project: git's ref advertisement (an empty history: no step has run).
    const ok = await refs(project.id, created.token!);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    const advertisement = await ok.text();
    expect(advertisement.startsWith('001e# service=git-upload-pack\n0000')).toBe(true);
    expect(advertisement).toContain('capabilities^{}');
    const used = await call('/api/settings/git-tokens', { token: owner.accessToken });
    expect((await used.json<{ items: TokenView[] }>()).items[0]!.lastUsedAt).not.toBeNull();

    // Another user's project answers like one that does not exist; pushing is refused.
    const foreign = await refs(theirs.id, created.token!);
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).code).toBe('not_found');
    expect((await refs(crypto.randomUUID(), created.token!)).status).toBe(404);
    const push = await refs(project.id, created.token!, randomIp(), 'git-receive-pack');
    expect(push.status).toBe(403);
    expect((await errorOf(push)).message).toMatch(/not offered/);

    // No token: git is challenged for one; revoked: refused the same way.
    const anonymous = await refs(project.id, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="Samokoder"/);
    expect((await errorOf(anonymous)).code).toBe('unauthorized');
    const revoked = await call(`/api/settings/git-tokens/${created.id}`, {
      method: 'DELETE',
      token: owner.accessToken,
    });
    expect(revoked.status).toBe(204);
    const after = await refs(project.id, created.token!);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(
      (
        await call('/api/settings/git-tokens', { token: owner.accessToken }).then((r) =>
          r.json<{ items: unknown[] }>(),
        )
      ).items,
    ).toEqual([]);
    // Another user cannot revoke the owner's token.
    const second = await createToken(owner, { name: 'ci' });
    expect(second.expiresAt).toBeNull();
    const stranger = await call(`/api/settings/git-tokens/${second.id}`, {
      method: 'DELETE',
      token: other.accessToken,
    });
    expect(stranger.status).toBe(404);
  });

  it('rate-limit wrong tokens per client address, like failed logins', async () => {
    const owner = await registerUser('git-limit');
    const project = await createProject(owner);
    const ip = randomIp();
    // Fixed windows: within two windows' worth of wrong tokens, one window overflows.
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 3 * TEST_LIMITS.auth.limit + 1 && !limited; i++) {
      const res = await refs(project.id, `skgit_${'x'.repeat(43)}`, ip);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses[0]).toBe(401);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await errorOf(limited!)).code).toBe('rate_limited');
  });
});
