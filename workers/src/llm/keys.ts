/**
 * Which key a call uses: the user's own key for the provider (decrypted for this call only), else the
 * platform's key from a Worker secret, else none, and the run parks with a question asking the user to
 * add one. Resolved keys are registered with the redactor, so no later error or log can carry them.
 */
import type { ProviderId } from './models.ts';
import { rememberSecret } from './redact.ts';

/** A usable key; `origin` is recorded (never the key). */
export interface ResolvedKey {
  apiKey: string;
  /** Only an OpenAI-compatible key names its own server. */
  baseUrl: string | null;
  origin: 'user' | 'platform';
}

/** Where keys come from. */
export interface KeySource {
  /** The user's own key, decrypted now; null when the user has none for the provider. */
  user(provider: ProviderId): Promise<{ apiKey: string; baseUrl: string | null } | null>;
  /** The platform's key, or null. */
  platform(provider: ProviderId): { apiKey: string; baseUrl: string | null } | null;
}

/** The key for `provider`, or null when there is none anywhere. */
export async function resolveKey(source: KeySource, provider: ProviderId): Promise<ResolvedKey | null> {
  const own = await source.user(provider);
  const found = own
    ? { ...own, origin: 'user' as const }
    : (() => {
        const platform = source.platform(provider);
        return platform ? { ...platform, origin: 'platform' as const } : null;
      })();
  if (found) rememberSecret(found.apiKey);
  return found;
}

/** A source with no user keys: the platform's keys only (tests, the offline demo, platform-paid runs). */
export function platformOnly(
  keys: Partial<Record<ProviderId, { apiKey: string; baseUrl?: string | null }>>,
): KeySource {
  return {
    user: async () => null,
    platform: (provider) => {
      const key = keys[provider];
      return key?.apiKey ? { apiKey: key.apiKey, baseUrl: key.baseUrl ?? null } : null;
    },
  };
}
