import { constantTimeEqual, fromBase64, randomBytes, toBase64, utf8 } from '../crypto/bytes.ts';

/**
 * PBKDF2-SHA256 iterations for new hashes. workerd refuses more than 100,000 (and the derivation is
 * CPU time on the request, about 25-40 ms here), so this is also the ceiling; the count is stored in
 * each hash, so a future runtime that allows more can raise it and old hashes keep verifying.
 */
export const PBKDF2_ITERATIONS = 100_000;
const MAX_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'pbkdf2-sha256';

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** Hash a password with a fresh salt: `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * Check a password against a stored hash in constant time. `needsRehash` is set when the hash was made
 * with fewer iterations than today's, so the caller can upgrade it after a successful login.
 */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parts = stored.split('$');
  const iterations = Number(parts[1]);
  if (parts.length !== 4 || parts[0] !== SCHEME || !Number.isInteger(iterations) || iterations < 1) {
    throw new Error('unrecognised password hash format');
  }
  if (iterations > MAX_ITERATIONS)
    throw new Error(`password hash uses ${iterations} iterations, above what this runtime allows`);
  const expected = fromBase64(parts[3]!);
  const actual = await derive(password, fromBase64(parts[2]!), iterations);
  const ok = constantTimeEqual(actual, expected);
  return { ok, needsRehash: ok && iterations < PBKDF2_ITERATIONS };
}

/**
 * A well-formed hash no password matches (its hash bytes are zeros, which PBKDF2 does not produce in
 * practice). Logging in to an unknown email verifies against it, so the answer takes as long as for a
 * real account and does not reveal which emails exist.
 */
export const DUMMY_PASSWORD_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(new Uint8Array(SALT_BYTES))}$${toBase64(new Uint8Array(HASH_BYTES))}`;
