/** File paths of a project: relative, `/`-separated, no `.` or `..` segments, no empty segment. */

/** Longest path accepted. */
export const MAX_PATH_LENGTH = 1024;

/** Returns the canonical form of a project path, or null when it is not acceptable. */
export function normalizePath(input: string): string | null {
  const trimmed = input.trim().replace(/\\/g, '/').replace(/^\.\//, '');
  if (trimmed.length === 0 || trimmed.length > MAX_PATH_LENGTH) return null;
  if (trimmed.startsWith('/') || trimmed.includes('\0')) return null;
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  // Control characters make paths that no editor or archive shows faithfully.
  for (let i = 0; i < trimmed.length; i++) {
    const code = trimmed.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return null;
  }
  return segments.join('/');
}
