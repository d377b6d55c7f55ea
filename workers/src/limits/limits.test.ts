import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip.ts';
import { DEFAULT_LIMITS, LimitsConfigError, limitsConfig } from './config.ts';
import { limitHeaders } from './limiter.ts';

describe('limits configuration', () => {
  it('uses the defaults when RATE_LIMITS is empty, and overrides only what it names', () => {
    expect(limitsConfig('')).toEqual(DEFAULT_LIMITS);
    const limits = limitsConfig('{"api":{"limit":5,"windowSeconds":10}}');
    expect(limits.api).toEqual({ limit: 5, windowSeconds: 10 });
    expect(limits.auth).toEqual(DEFAULT_LIMITS.auth);
  });

  it.each(['{', '{"api":{"limit":0,"windowSeconds":1}}', '{"apis":{}}', '{"api":{"limit":1}}'])(
    'refuses %s',
    (raw) => {
      expect(() => limitsConfig(raw)).toThrow(LimitsConfigError);
    },
  );
});

describe('client IP', () => {
  it('reads CF-Connecting-IP and groups IPv6 clients by /64', () => {
    expect(clientIp(new Headers({ 'cf-connecting-ip': '203.0.113.7' }))).toBe('203.0.113.7');
    expect(clientIp(new Headers({ 'cf-connecting-ip': '2001:db8:1:2:aaaa::1' }))).toBe('2001:db8:1:2::/64');
    expect(clientIp(new Headers({ 'cf-connecting-ip': '2001:0db8::1' }))).toBe('2001:db8:0:0::/64');
    expect(clientIp(new Headers())).toBe('unknown');
  });
});

describe('limit headers', () => {
  it('states the limit, what remains and when it resets, both ways', () => {
    const now = 1_700_000_000_000;
    expect(limitHeaders({ success: true, limit: 10, remaining: 3, reset: now + 2500 }, now)).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '3',
      'RateLimit-Reset': '3',
      'X-RateLimit-Limit': '10',
      'X-RateLimit-Remaining': '3',
      'X-RateLimit-Reset': String(Math.ceil((now + 2500) / 1000)),
    });
  });
});
