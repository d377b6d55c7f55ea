/**
 * Who may drain a runner, through Fastify's `inject` (no Docker engine needed): only an operator token
 * (audience `sandbox-runner`, subject `operator`), which in turn drives no project's sandboxes; a drained
 * runner refuses creates with `runner_draining` and says so at `/healthz`.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrainResponse, ErrorBody, HealthResponse } from '../../src/contract.ts';
import { signOperatorToken, signRunnerToken } from '../../src/tokens.ts';
import { bearer, enginelessRunner, SECRET } from './runner.ts';
import type { EnginelessRunner } from './runner.ts';

let runner: EnginelessRunner;
beforeAll(async () => {
  runner = await enginelessRunner({ maxSandboxes: 7 });
}, 60_000);
afterAll(() => runner.close());

const operator = async (secret = SECRET) => ({
  authorization: `Bearer ${await signOperatorToken(secret)}`,
});
const drain = (method: 'POST' | 'DELETE', headers: Record<string, string>) =>
  runner.app.inject({ method, url: '/v1/drain', headers });

function expectRefusal(res: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: res.statusCode, code: ErrorBody.parse(res.json()).error.code }).toEqual({ status, code });
}

describe('POST /v1/drain', () => {
  it('refuses a project token with 403, and a missing, forged or expired token with 401', async () => {
    expectRefusal(await drain('POST', await bearer('project-a')), 403, 'permission_denied');
    expectRefusal(await drain('POST', {}), 401, 'unauthorized');
    expectRefusal(await drain('POST', await operator('another-secret-0123456789')), 401, 'unauthorized');
    const expired = await signRunnerToken(SECRET, 'operator', {
      now: Date.now() - 3_600_000,
      ttlSeconds: 60,
    });
    expectRefusal(await drain('POST', { authorization: `Bearer ${expired}` }), 401, 'token_expired');
    expect(HealthResponse.parse((await runner.app.inject({ url: '/healthz' })).json()).draining).toBe(false);
  });

  it('does not let an operator token act for a project', async () => {
    const res = await runner.app.inject({ method: 'GET', url: '/v1/sandboxes', headers: await operator() });
    expectRefusal(res, 403, 'permission_denied');
  });

  it('drains: creates answer 503 runner_draining with Retry-After, /healthz says so; DELETE undoes it', async () => {
    const drained = await drain('POST', await operator());
    expect(drained.statusCode).toBe(200);
    expect(DrainResponse.parse(drained.json())).toEqual({
      runnerId: runner.config.runnerId,
      draining: true,
      sandboxes: 0,
      commands: 0,
    });
    expect((await drain('POST', await operator())).statusCode).toBe(200); // idempotent

    const create = await runner.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      payload: {},
      headers: await bearer(),
    });
    expectRefusal(create, 503, 'runner_draining');
    expect(Number(create.headers['retry-after'])).toBeGreaterThan(0);

    const health = await runner.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(HealthResponse.parse(health.json())).toMatchObject({
      ok: false,
      draining: true,
      runnerId: runner.config.runnerId,
      capacity: 7,
      commands: 0,
    });

    const undone = await drain('DELETE', await operator());
    expect(DrainResponse.parse(undone.json()).draining).toBe(false);
    const after = await runner.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      payload: {},
      headers: await bearer(),
    });
    // no engine here: no longer refused for draining, refused for the engine
    expectRefusal(after, 503, 'docker_unavailable');
  });
});
