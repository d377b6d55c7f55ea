import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, PBKDF2_ITERATIONS, hashPassword, verifyPassword } from './password.ts';
import { passwordProblems } from './password-policy.ts';

describe('password hashing', () => {
  it('writes a self-describing PBKDF2-SHA256 hash with a per-user salt', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).toMatch(new RegExp(`^pbkdf2-sha256\\$${PBKDF2_ITERATIONS}\\$[^$]{24}\\$[^$]{44}$`));
    expect(a).not.toBe(b);
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword('right password');
    expect(await verifyPassword('right password', hash)).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword('wrong password', hash)).ok).toBe(false);
  });

  it('verifies hashes made with fewer iterations and asks for a rehash', async () => {
    const old = await hashPassword('older', 1000);
    expect(await verifyPassword('older', old)).toEqual({ ok: true, needsRehash: true });
  });

  it('matches nothing with the dummy hash, and refuses malformed hashes', async () => {
    expect((await verifyPassword('', DUMMY_PASSWORD_HASH)).ok).toBe(false);
    await expect(verifyPassword('x', 'md5$abc')).rejects.toThrow(/format/);
    await expect(verifyPassword('x', 'pbkdf2-sha256$999999999$AA==$AA==')).rejects.toThrow(/iterations/);
  });
});

describe('password policy', () => {
  it('accepts a long, varied password', () => {
    expect(passwordProblems('correct horse battery staple', 'ada@example.com')).toEqual([]);
  });

  it('explains each problem', () => {
    expect(passwordProblems('aaaaaaaaaaaa', 'ada@example.com')).toEqual([
      'Use a greater variety of characters (at least 5 different ones).',
    ]);
    expect(passwordProblems('lovelace-ada-2024', 'lovelace@example.com')).toEqual([
      'Do not use your email address in your password.',
    ]);
    expect(passwordProblems('Password123', 'x@example.com')).toEqual([
      'This password is too common. Choose another.',
    ]);
    expect(passwordProblems('x'.repeat(129), 'x@example.com')).toContain('Use at most 128 characters.');
  });
});
