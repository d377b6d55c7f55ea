import { describe, expect, it } from 'vitest';
import { api, call } from './helpers/api.ts';
import { registerUser } from './helpers/users.ts';

describe('security headers of the API', () => {
  it('are on every response: success, error, authenticated, with a request id', async () => {
    const user = await registerUser('headers');
    const responses = [
      await api('/api/health/live'),
      await api('/api/nope'),
      await call('/api/projects', { token: user.accessToken }),
      await call('/api/projects', { method: 'POST', body: '{', token: user.accessToken }),
    ];
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(responses.map((r) => r.status)).toEqual([200, 404, 200, 400]);
  });
});
