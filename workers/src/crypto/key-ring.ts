import { fromBase64 } from './bytes.ts';

/** One AES-256-GCM master key and the id stored beside everything it encrypts. */
export interface MasterKey {
  id: string;
  key: CryptoKey;
}

/** The master keys from a Worker secret: the first encrypts, any of them decrypts. */
export interface KeyRing {
  primary: MasterKey;
  byId: ReadonlyMap<string, MasterKey>;
}

/** A master-key secret that cannot be used; the message names the problem, never the key material. */
export class KeyRingConfigError extends Error {
  override readonly name = 'KeyRingConfigError';
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

// Importing is cheap but not free; the secret does not change within an isolate's life.
const cache = new Map<string, Promise<KeyRing>>();

async function parse(spec: string): Promise<KeyRing> {
  const entries = spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new KeyRingConfigError('KEYS_MASTER_KEY is empty');
  const keys: MasterKey[] = [];
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      throw new KeyRingConfigError(`KEYS_MASTER_KEY entry ${index + 1} needs the form <keyId>:<base64 key>`);
    }
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = fromBase64(entry.slice(colon + 1));
    } catch {
      throw new KeyRingConfigError(`KEYS_MASTER_KEY entry ${id} is not valid base64`);
    }
    if (raw.length !== 32) {
      throw new KeyRingConfigError(`KEYS_MASTER_KEY entry ${id} must be 32 bytes, not ${raw.length}`);
    }
    if (keys.some((k) => k.id === id)) throw new KeyRingConfigError(`KEYS_MASTER_KEY repeats the id ${id}`);
    const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    keys.push({ id, key });
  }
  return { primary: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

/** Parses and imports the master keys (cached per secret value); throws {@link KeyRingConfigError}. */
export function loadKeyRing(spec: string | undefined): Promise<KeyRing> {
  const value = spec ?? '';
  let ring = cache.get(value);
  if (!ring) {
    ring = parse(value);
    // A bad secret is reported on every request until it is fixed, not cached as a rejection forever.
    ring.catch(() => cache.delete(value));
    cache.set(value, ring);
  }
  return ring;
}
