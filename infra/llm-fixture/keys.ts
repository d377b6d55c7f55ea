/**
 * Which keys the LLM fixture accepts. Plain data with no Node imports, so tests inside workerd can
 * import it too. A key is valid when it starts with its provider's prefix, so every test can use keys
 * of its own (and tell its requests apart in the fixture's log).
 */

/** The providers the fixture speaks for; each is served under `/<provider>` on the fixture. */
export const FIXTURE_PROVIDERS = ['openai', 'anthropic', 'groq', 'compatible'] as const;
export type FixtureProvider = (typeof FIXTURE_PROVIDERS)[number];

/** Prefixes of the keys the fixture accepts, shaped like each provider's real keys. */
export const VALID_KEY_PREFIX: Record<FixtureProvider, string> = {
  openai: 'sk-fixture-',
  anthropic: 'sk-ant-fixture-',
  groq: 'gsk_fixture_',
  compatible: 'fixture-',
};

/** A key the fixture accepts for `provider`; `suffix` makes it unique to a test. */
export function validFixtureKey(provider: FixtureProvider, suffix: string): string {
  return `${VALID_KEY_PREFIX[provider]}${suffix}`;
}

/** The default rule: the provider's prefix followed by at least one character. */
export function isValidFixtureKey(provider: FixtureProvider, key: string): boolean {
  const prefix = VALID_KEY_PREFIX[provider];
  return key.startsWith(prefix) && key.length > prefix.length;
}
