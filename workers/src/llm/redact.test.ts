import { describe, expect, it } from 'vitest';
import { LlmError } from './errors.ts';
import { redactSecrets, rememberSecret } from './redact.ts';

describe('redaction', () => {
  it('scrubs keys it was told about and anything shaped like a provider key', () => {
    rememberSecret('custom-secret-value-123');
    const text = redactSecrets(
      'a custom-secret-value-123, sk-proj-abcdefghijklmnop, sk-ant-api03-xyzxyz, gsk_ABCDEFGHIJKLMNOP and Bearer abc.def.ghi',
    );
    expect(text).not.toMatch(/custom-secret|sk-proj-abc|sk-ant-api|gsk_ABC|abc\.def/);
    expect(redactSecrets('a task-management app')).toBe('a task-management app');
  });

  it('never lets a key into an LlmError message', () => {
    const err = new LlmError('auth', 'openai', 'refused sk-live-1234567890abcdef');
    expect(err.message).not.toContain('1234567890abcdef');
  });
});
