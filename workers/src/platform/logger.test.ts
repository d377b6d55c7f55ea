import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from './logger.ts';

afterEach(() => vi.restoreAllMocks());

function logged(fields: Record<string, unknown>): Record<string, unknown> {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
  log.info('event', fields);
  return JSON.parse(String(spy.mock.calls[0]![0])) as Record<string, unknown>;
}

describe('structured logs', () => {
  it('redact what may hold a secret, at any depth, and keep counts and flags', () => {
    const line = logged({
      password: 'hunter2hunter2',
      pin: 1234,
      secretNumber: 987654,
      apiKey: 'sk-live-123',
      request: { headers: { authorization: 'Bearer abc', cookie: 'sk_access=xyz' } },
      refreshToken: 'opaque',
      inputTokens: 1200,
      tokenValid: true,
      projectId: 'p1',
    });
    const text = JSON.stringify(line);
    expect(line.secretNumber).toBe('[redacted]');
    for (const secret of ['hunter2hunter2', 'sk-live-123', 'Bearer abc', 'sk_access=xyz', 'opaque']) {
      expect(text).not.toContain(secret);
    }
    expect(line).toMatchObject({
      level: 'info',
      msg: 'event',
      inputTokens: 1200,
      tokenValid: true,
      projectId: 'p1',
    });
  });
});
