import { fromBase64, fromUtf8, randomBytes, toBase64, utf8 } from './bytes.ts';
import type { KeyRing } from './key-ring.ts';

/** A secret encrypted at rest: what the database stores. */
export interface Sealed {
  /** base64 of the AES-GCM ciphertext with its 16-byte tag. */
  ciphertext: string;
  /** base64 of the 12-byte nonce. */
  iv: string;
  /** Which master key encrypted it. */
  keyId: string;
}

/** Decryption failed: unknown master key, tampered ciphertext, or the wrong context. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/**
 * Encrypts a secret with the ring's primary key (AES-256-GCM, random 96-bit nonce). `context` is bound
 * as additional data, so a ciphertext copied onto another row or user does not decrypt there.
 */
export async function seal(ring: KeyRing, plaintext: string, context: string): Promise<Sealed> {
  const iv = randomBytes(12);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(context) },
    ring.primary.key,
    utf8(plaintext),
  );
  return { ciphertext: toBase64(new Uint8Array(ciphertext)), iv: toBase64(iv), keyId: ring.primary.id };
}

/**
 * Decrypts a sealed secret. `stale` says it was encrypted under a master key that is no longer the
 * primary one: the caller may re-seal it so the old key can eventually be retired.
 */
export async function open(
  ring: KeyRing,
  sealed: Sealed,
  context: string,
): Promise<{ plaintext: string; stale: boolean }> {
  const master = ring.byId.get(sealed.keyId);
  if (!master) throw new EnvelopeError(`no master key with id ${sealed.keyId}`);
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(sealed.iv), additionalData: utf8(context) },
      master.key,
      fromBase64(sealed.ciphertext),
    );
    return { plaintext: fromUtf8(new Uint8Array(plaintext)), stale: master.id !== ring.primary.id };
  } catch (err) {
    throw new EnvelopeError('the secret does not decrypt under its master key', { cause: err });
  }
}

/**
 * Opens a stored secret. One sealed under a retired master key is sealed again under the current
 * primary and handed to `store`, so a key rotation completes as secrets are used.
 */
export async function openFresh(
  ring: KeyRing,
  sealed: Sealed,
  context: string,
  store: (resealed: Sealed) => Promise<unknown>,
): Promise<string> {
  const { plaintext, stale } = await open(ring, sealed, context);
  if (stale) await store(await seal(ring, plaintext, context));
  return plaintext;
}
