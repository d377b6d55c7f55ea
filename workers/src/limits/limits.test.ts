import { describe, expect, it } from 'vitest';
import { UNKNOWN_ADDRESS, behindCloudflare, clientAddress } from './client-address.ts';
import { DEFAULT_LIMITS, LimitsConfigError, limitsConfig } from './config.ts';
import { limitHeaders } from './limiter.ts';

describe('limits configuration', () => {
  it('uses the defaults when RATE_LIMITS is empty, and overrides only what it names', () => {
    expect(limitsConfig('')).toEqual(DEFAULT_LIMITS);
    const limits = limitsConfig('{"api":{"limit":5,"windowSeconds":10}}');
    expect(limits.api).toEqual({ limit: 5, windowSeconds: 10 });
    expect(limits.auth).toEqual(DEFAULT_LIMITS.auth);
  });

  it('reads the per-account login ceiling with its cooldown', () => {
    const rule = { limit: 9, windowSeconds: 60, cooldownSeconds: 5 };
    expect(limitsConfig(JSON.stringify({ accountLoginFailures: rule })).accountLoginFailures).toEqual(rule);
  });

  it.each([
    '{',
    '{"api":{"limit":0,"windowSeconds":1}}',
    '{"apis":{}}',
    '{"api":{"limit":1}}',
    '{"accountLoginFailures":{"limit":9,"windowSeconds":60}}',
  ])('refuses %s', (raw) => {
    expect(() => limitsConfig(raw)).toThrow(LimitsConfigError);
  });
});

describe('client address', () => {
  const edge = { BEHIND_CLOUDFLARE: 'true' };
  const socket = { BEHIND_CLOUDFLARE: 'false' };
  const from = (headers: Record<string, string>, clientIp?: string) => ({
    headers: new Headers(headers),
    cf: clientIp === undefined ? undefined : { clientIp },
  });

  it('behind Cloudflare, reads CF-Connecting-IP and groups IPv6 clients by /64', () => {
    expect(clientAddress(from({ 'cf-connecting-ip': '203.0.113.7' }), edge)).toBe('203.0.113.7');
    expect(clientAddress(from({ 'cf-connecting-ip': '2001:db8:1:2:aaaa::1' }), edge)).toBe(
      '2001:db8:1:2::/64',
    );
    expect(clientAddress(from({ 'cf-connecting-ip': '2001:0db8::1' }), edge)).toBe('2001:db8:0:0::/64');
    expect(clientAddress(from({}, '198.51.100.1:4000'), edge)).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress(from({ 'cf-connecting-ip': '<script>' }), edge)).toBe(UNKNOWN_ADDRESS);
  });

  it('elsewhere, ignores the header and reads the socket workerd reports in cf.clientIp', () => {
    const forged = { 'cf-connecting-ip': '203.0.113.7' };
    expect(clientAddress(from(forged, '[::ffff:198.51.100.1]:53178'), socket)).toBe('198.51.100.1');
    expect(clientAddress(from(forged, '[2001:db8:1:2::9]:443'), socket)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(from(forged, '198.51.100.1:4000'), socket)).toBe('198.51.100.1');
    // wrangler dev: no socket address at all.
    expect(clientAddress(from(forged), socket)).toBe(UNKNOWN_ADDRESS);
  });

  it('is behind Cloudflare by default in production only, and refuses a value it does not know', () => {
    expect(behindCloudflare({ APP_ENV: 'production' })).toBe(true);
    expect(behindCloudflare({ APP_ENV: 'production', BEHIND_CLOUDFLARE: '' })).toBe(true);
    expect(behindCloudflare({ APP_ENV: 'development' })).toBe(false);
    expect(behindCloudflare({ APP_ENV: 'production', BEHIND_CLOUDFLARE: 'false' })).toBe(false);
    expect(behindCloudflare({ APP_ENV: 'test', BEHIND_CLOUDFLARE: 'TRUE' })).toBe(true);
    expect(() => behindCloudflare({ BEHIND_CLOUDFLARE: 'yes' })).toThrow(/BEHIND_CLOUDFLARE/);
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
