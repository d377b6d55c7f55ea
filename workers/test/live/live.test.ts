import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ticketKey } from '../../src/api/live.ts';
import { ACCESS_COOKIE } from '../../src/auth/cookies.ts';
import type { Script } from '../../src/testing/scripted-pipeline.ts';
import { redisClient } from '../../src/platform/deps.ts';
import { connect, isType } from '../project-object/helpers.ts';
import { insertProject } from '../project-object/pg.ts';
import { ORIGIN, api, call, errorOf } from '../helpers/api.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

const script: Script = { steps: [{ title: 'hello', actions: [{ say: 'hi there' }] }] };

async function userWithProject(): Promise<{ user: TestUser; projectId: string }> {
  const user = await registerUser('live');
  const { projectId } = await insertProject({ ownerId: user.id, description: JSON.stringify(script) });
  return { user, projectId };
}

/** Opens the live channel through the Worker, as a browser or a client would. */
function upgrade(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return api(path, { headers: { upgrade: 'websocket', ...headers } });
}

const worker = (headers: Record<string, string>) => ({
  fetch: (req: Request) =>
    api(new URL(req.url).pathname + new URL(req.url).search, {
      headers: { ...headers, upgrade: 'websocket' },
    }),
});

async function ticketFor(user: TestUser, projectId: string): Promise<string> {
  const res = await call(`/api/projects/${projectId}/live-ticket`, {
    method: 'POST',
    token: user.accessToken,
    ip: user.ip,
  });
  expect(res.status).toBe(201);
  const body = await res.json<{ ticket: string; expiresIn: number; url: string }>();
  expect(body.expiresIn).toBe(30);
  expect(body.url).toBe(`/api/projects/${projectId}/live?ticket=${body.ticket}`);
  return body.ticket;
}

describe('GET /api/projects/:id/live', () => {
  it('opens with the session cookie and the app Origin, and runs the project', async () => {
    const { user, projectId } = await userWithProject();
    const viewer = await connect(
      worker({ cookie: `${ACCESS_COOKIE}=${user.accessToken}`, origin: ORIGIN, 'cf-connecting-ip': user.ip }),
      { url: `${ORIGIN}/api/projects/${projectId}/live`, after: 0 },
    );
    expect(await viewer.waitFor(isType('hello'))).toMatchObject({
      projectId,
      lastSeq: 0,
      run: { status: 'idle' },
    });
    viewer.send({ type: 'control', action: 'start' });
    await viewer.waitUntil((fs) => fs.some((f) => f.type === 'run.status' && f.status === 'completed'));
    expect(viewer.events().some((e) => e.type === 'message' && e.text === 'hi there')).toBe(true);
  });

  it('refuses a cookie without the app Origin, no credentials, and a plain GET', async () => {
    const { user, projectId } = await userWithProject();
    const cookie = `${ACCESS_COOKIE}=${user.accessToken}`;
    const path = `/api/projects/${projectId}/live`;
    const foreign = await upgrade(path, {
      cookie,
      origin: 'https://evil.example',
      'cf-connecting-ip': user.ip,
    });
    expect(foreign.status).toBe(403);
    expect((await errorOf(foreign)).code).toBe('forbidden');
    const missing = await upgrade(path, { cookie, 'cf-connecting-ip': user.ip });
    expect(missing.status).toBe(403);
    const anonymous = await upgrade(path, { origin: ORIGIN });
    expect(anonymous.status).toBe(401);
    const plain = await api(path, { headers: { cookie, origin: ORIGIN } });
    expect(plain.status).toBe(400);
    expect(plain.headers.get('content-type')).toContain('application/json');
  });

  it("refuses another user's project as if it did not exist", async () => {
    const { projectId } = await userWithProject();
    const intruder = await registerUser('intruder');
    const cookie = `${ACCESS_COOKIE}=${intruder.accessToken}`;
    const res = await upgrade(`/api/projects/${projectId}/live`, {
      cookie,
      origin: ORIGIN,
      'cf-connecting-ip': intruder.ip,
    });
    expect(res.status).toBe(404);
    expect(res.webSocket).toBeNull();
    const ticket = await call(`/api/projects/${projectId}/live-ticket`, {
      method: 'POST',
      token: intruder.accessToken,
      ip: intruder.ip,
    });
    expect(ticket.status).toBe(404);
    const bogus = await upgrade('/api/projects/not-a-uuid/live', { cookie, origin: ORIGIN });
    expect(bogus.status).toBe(404);
  });

  it('accepts a ticket once, and refuses it reused, expired, or for another project', async () => {
    const { user, projectId } = await userWithProject();
    const ticket = await ticketFor(user, projectId);
    const path = `/api/projects/${projectId}/live?ticket=${ticket}`;
    const first = await upgrade(path);
    expect(first.status).toBe(101);
    first.webSocket!.accept();
    first.webSocket!.close(1000);

    const reused = await upgrade(path);
    expect(reused.status).toBe(401);
    expect((await errorOf(reused)).message).toMatch(/invalid, expired or already used/);

    const other = await userWithProject();
    const stolen = await ticketFor(other.user, other.projectId);
    expect((await upgrade(`/api/projects/${projectId}/live?ticket=${stolen}`)).status).toBe(401);
    // The misdirected attempt spent it.
    expect((await upgrade(`/api/projects/${other.projectId}/live?ticket=${stolen}`)).status).toBe(401);

    const expiring = await ticketFor(user, projectId);
    await redisClient(env).pexpire(await ticketKey(expiring), 50);
    await new Promise((r) => setTimeout(r, 300));
    expect((await upgrade(`/api/projects/${projectId}/live?ticket=${expiring}`)).status).toBe(401);
    expect((await upgrade(`/api/projects/${projectId}/live?ticket=short`)).status).toBe(401);
  });

  it('requires sign-in for a ticket', async () => {
    const { projectId } = await userWithProject();
    const res = await call(`/api/projects/${projectId}/live-ticket`, { method: 'POST' });
    expect(res.status).toBe(401);
  });
});
