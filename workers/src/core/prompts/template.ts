/**
 * Prompt templates: one folder per agent, one module per version (`v1.ts`...). A template is data plus
 * a pure function of its variables, so the same inputs always give the same prompt: a resumed step
 * meets its recorded calls (their fingerprints match). Changing a prompt means adding a version.
 */

export interface PromptTemplate<V> {
  /** `<agent>@<version>`: which template and version a prompt came from. */
  id: string;
  system: string;
  user: (vars: V) => string;
}

/** Joins prompt sections, leaving out empty ones. */
export function sections(...parts: (string | false | null | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n\n');
}
