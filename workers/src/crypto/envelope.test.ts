import { describe, expect, it } from 'vitest';
import { toBase64 } from './bytes.ts';
import { EnvelopeError, open, seal } from './envelope.ts';
import { KeyRingConfigError, loadKeyRing } from './key-ring.ts';

const keyOf = (fill: number) => toBase64(new Uint8Array(32).fill(fill));

describe('master key ring', () => {
  it('parses ids and keys; the first one encrypts', async () => {
    const ring = await loadKeyRing(`k2:${keyOf(2)}, k1:${keyOf(1)}`);
    expect(ring.primary.id).toBe('k2');
    expect([...ring.byId.keys()]).toEqual(['k2', 'k1']);
  });

  it.each([
    ['', /empty/],
    ['k1', /form/],
    [`k1:${toBase64(new Uint8Array(16))}`, /32 bytes/],
    [`k1:${keyOf(1)},k1:${keyOf(2)}`, /repeats/],
    ['k1:***', /base64/],
  ])('refuses %j with a message that names no key material', async (spec, message) => {
    const err = await loadKeyRing(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyRingConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain(keyOf(1));
  });
});

describe('envelope encryption', () => {
  it('round-trips a secret and never stores it in the clear', async () => {
    const ring = await loadKeyRing(`k1:${keyOf(1)}`);
    const sealed = await seal(ring, 'sk-live-secret', 'row-1');
    expect(sealed.keyId).toBe('k1');
    expect(atob(sealed.ciphertext)).not.toContain('sk-live-secret');
    expect(await open(ring, sealed, 'row-1')).toEqual({ plaintext: 'sk-live-secret', stale: false });
  });

  it('uses a fresh nonce each time', async () => {
    const ring = await loadKeyRing(`k1:${keyOf(1)}`);
    const [a, b] = await Promise.all([seal(ring, 'same', 'ctx'), seal(ring, 'same', 'ctx')]);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('does not open under another context (a ciphertext copied to another row)', async () => {
    const ring = await loadKeyRing(`k1:${keyOf(1)}`);
    const sealed = await seal(ring, 'secret', 'row-1');
    await expect(open(ring, sealed, 'row-2')).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('detects tampering', async () => {
    const ring = await loadKeyRing(`k1:${keyOf(1)}`);
    const sealed = await seal(ring, 'secret', 'ctx');
    const bytes = Uint8Array.from(atob(sealed.ciphertext), (ch) => ch.charCodeAt(0));
    bytes[0]! ^= 1;
    await expect(open(ring, { ...sealed, ciphertext: toBase64(bytes) }, 'ctx')).rejects.toBeInstanceOf(
      EnvelopeError,
    );
  });

  it('keeps opening old secrets after rotation and flags them for re-sealing', async () => {
    const before = await loadKeyRing(`k1:${keyOf(1)}`);
    const sealed = await seal(before, 'secret', 'ctx');
    const rotated = await loadKeyRing(`k2:${keyOf(2)},k1:${keyOf(1)}`);
    expect(await open(rotated, sealed, 'ctx')).toEqual({ plaintext: 'secret', stale: true });
    const retired = await loadKeyRing(`k2:${keyOf(2)}`);
    await expect(open(retired, sealed, 'ctx')).rejects.toThrow(/no master key with id k1/);
  });
});
