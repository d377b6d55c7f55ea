import { describe, expect, it } from 'vitest';
import { checkBaseUrl } from './base-url.ts';
import { providerBaseUrl } from './endpoints.ts';

describe('OpenAI-compatible base URLs', () => {
  it('normalises a good https URL', () => {
    expect(checkBaseUrl(' https://llm.example.com/v1/ ', false)).toEqual({
      ok: true,
      url: 'https://llm.example.com/v1',
    });
  });

  it.each([
    ['http://llm.example.com/v1', /https/],
    ['https://u:p@llm.example.com/v1', /credentials/],
    ['https://llm.example.com/v1?x=1', /query/],
    ['https://localhost:11434/v1', /public/],
    ['https://10.0.0.5/v1', /public/],
    ['https://[::1]/v1', /public/],
    ['javascript:alert(1)', /https/],
    ['llm.example.com', /full URL/],
  ])('refuses %s in production', (url, message) => {
    const check = checkBaseUrl(url, false);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(message);
  });

  it('allows http and local hosts in local environments, never credentials', () => {
    expect(checkBaseUrl('http://127.0.0.1:11434/v1', true)).toEqual({
      ok: true,
      url: 'http://127.0.0.1:11434/v1',
    });
    expect(checkBaseUrl('http://u:p@127.0.0.1/v1', true).ok).toBe(false);
  });
});

describe('provider base URLs', () => {
  it('uses the real provider URLs in production', () => {
    const env = { APP_ENV: 'production', LLM_BASE_URL_OVERRIDE: '' };
    expect(providerBaseUrl(env, 'openai', null)).toBe('https://api.openai.com/v1');
    expect(providerBaseUrl(env, 'anthropic', null)).toBe('https://api.anthropic.com');
    expect(providerBaseUrl(env, 'groq', null)).toBe('https://api.groq.com');
    expect(providerBaseUrl(env, 'openai-compatible', 'https://x.example/v1')).toBe('https://x.example/v1');
  });

  it('points at the fixture only in local environments, and refuses the override elsewhere', () => {
    const local = { APP_ENV: 'test', LLM_BASE_URL_OVERRIDE: 'http://127.0.0.1:9999/' };
    expect(providerBaseUrl(local, 'groq', null)).toBe('http://127.0.0.1:9999/groq');
    expect(() => providerBaseUrl({ ...local, APP_ENV: 'production' }, 'openai', null)).toThrow(
      /LLM_BASE_URL_OVERRIDE/,
    );
  });
});
