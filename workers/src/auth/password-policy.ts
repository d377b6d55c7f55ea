/** The password policy: length over composition (NIST SP 800-63B), with messages a person can act on. */

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
const MIN_DISTINCT_CHARACTERS = 5;

// The handful of the most common passwords that pass the length rule; a breach list would be better.
const COMMON = new Set([
  '1234567890',
  '12345678910',
  '0123456789',
  '1111111111',
  'qwertyuiop',
  'password123',
  'password1234',
  'passwordpassword',
  'iloveyou123',
  'qwerty123456',
  'abcdefghij',
  '1q2w3e4r5t',
  'letmein123',
  'welcome123',
  'samokoder123',
]);

/** Everything wrong with a new password, as messages for the user; empty when it is acceptable. */
export function passwordProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) {
    problems.push(
      `Use a greater variety of characters (at least ${MIN_DISTINCT_CHARACTERS} different ones).`,
    );
  }
  const lower = password.toLowerCase();
  const local = email.split('@')[0] ?? '';
  if (lower === email || (local.length >= 4 && lower.includes(local))) {
    problems.push('Do not use your email address in your password.');
  }
  if (COMMON.has(lower)) problems.push('This password is too common. Choose another.');
  return problems;
}
