import { api } from './helpers/api.ts';
import { describe, expect, it } from 'vitest';

interface HealthBody {
  status: string;
  checks: Record<string, { status: string; latencyMs: number; error?: string }>;
}

describe('health', () => {
  it('answers liveness without touching any dependency', async () => {
    const res = await api('/api/health/live');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('probes Postgres and Redis for real, and reports an unconfigured runner as down with a 503', async () => {
    const res = await api('/api/health');
    const body = await res.json<HealthBody>();
    expect(body.checks.postgres?.status).toBe('up');
    expect(body.checks.redis?.status).toBe('up');
    expect(body.checks.sandboxRunner).toMatchObject({
      status: 'down',
      error: 'SANDBOX_RUNNER_URL is not configured',
    });
    expect(res.status).toBe(503);
    expect(body.status).toBe('degraded');
  });
});

describe('errors', () => {
  it('answers an unknown route with the error envelope and the request id', async () => {
    const res = await api('/api/nope', { headers: { 'x-request-id': 'req-12345678' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('req-12345678');
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'No route for GET /api/nope', requestId: 'req-12345678' },
    });
  });

  it('rejects a body over the limit with 413 in the envelope', async () => {
    const res = await api('/api/health/live', {
      method: 'POST',
      body: 'x'.repeat(300 * 1024),
    });
    expect(res.status).toBe(413);
    const body = await res.json<{ error: { code: string } }>();
    expect(body.error.code).toBe('payload_too_large');
  });
});
