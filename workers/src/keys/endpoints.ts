import type { LlmProvider } from '@samokoder/db';

type HostedProvider = Exclude<LlmProvider, 'openai-compatible'>;

/** The providers' real API roots, as each official SDK expects its `baseURL`. */
const PROVIDER_BASE_URL: Record<HostedProvider, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  groq: 'https://api.groq.com',
};

/** Where each provider lives on the LLM fixture server (infra/llm-fixture). */
const FIXTURE_PATH: Record<HostedProvider, string> = {
  openai: '/openai/v1',
  anthropic: '/anthropic',
  groq: '/groq',
};

/** Environments where plain http, local hosts and the fixture override are allowed. */
export function isLocalEnvironment(appEnv: string | undefined): boolean {
  return appEnv === 'development' || appEnv === 'test';
}

/**
 * The base URL an SDK must use for a key. Hosted providers use their real URL, unless
 * LLM_BASE_URL_OVERRIDE points tests or local development at the fixture server; an
 * OpenAI-compatible key carries its own (validated when it was added).
 */
export function providerBaseUrl(
  env: { APP_ENV?: string; LLM_BASE_URL_OVERRIDE?: string },
  provider: LlmProvider,
  keyBaseUrl: string | null,
): string {
  if (provider === 'openai-compatible') {
    if (!keyBaseUrl) throw new Error('an OpenAI-compatible key without a base URL');
    return keyBaseUrl;
  }
  const override = env.LLM_BASE_URL_OVERRIDE?.trim();
  if (override) {
    // Sending users' keys anywhere but the provider is a configuration mistake outside local runs.
    if (!isLocalEnvironment(env.APP_ENV)) {
      throw new Error(`LLM_BASE_URL_OVERRIDE is set but APP_ENV is ${env.APP_ENV ?? 'unset'}`);
    }
    return `${override.replace(/\/+$/, '')}${FIXTURE_PATH[provider]}`;
  }
  return PROVIDER_BASE_URL[provider];
}
