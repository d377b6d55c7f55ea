/**
 * The one rule for text the platform accepts from outside: no NUL character and no lone UTF-16
 * surrogate. Postgres stores neither (it refuses U+0000 in `text` and `jsonb`, and a lone surrogate has
 * no UTF-8 form: the driver would silently turn it into U+FFFD). Applied once to every validated input
 * of the API (api/validation.ts) and to every live-channel frame, never route by route.
 */
import type { FieldIssue } from './api/errors.ts';

/** Problems reported at most; the rest of a hostile body adds nothing. */
const MAX_ISSUES = 20;
/** Values visited at most (a 256 KiB body has fewer). */
const MAX_NODES = 200_000;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with one string under the rule, or null when it is acceptable text. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'Text cannot contain the NUL character (U+0000).';
  if (LONE_SURROGATE.test(text)) return 'Text must be valid Unicode: this has a lone surrogate.';
  return null;
}

/** A key that breaks the rule, as it can be shown in an error. */
function printable(key: string): string {
  return key.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD').replaceAll('\u0000', '\\0');
}

interface Node {
  value: unknown;
  key: string | null;
  parent: Node | null;
}

/** `a.b.0`: built only for a node that is reported (a path per node would be quadratic in depth). */
function pathOf(node: Node): string {
  const keys: string[] = [];
  for (let at: Node | null = node; at && at.key !== null; at = at.parent) keys.push(printable(at.key));
  const path = keys.reverse().join('.');
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * Every string (and object key) of `value` that breaks the rule, with its path (`a.b.0`), in document
 * order. Walks without recursion, so deeply nested input cannot exhaust the stack.
 */
export function textIssues(value: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Node[] = [{ value, key: null, parent: null }];
  for (let visited = 0; stack.length > 0 && visited < MAX_NODES && issues.length < MAX_ISSUES; visited++) {
    const node = stack.pop()!;
    // A bad key is reported under a name that can be shown; its value is not looked at.
    const problem =
      node.parent && !Array.isArray(node.parent.value) && node.key !== null ? textProblem(node.key) : null;
    if (problem) issues.push({ path: pathOf(node), message: problem });
    else if (typeof node.value === 'string') {
      const bad = textProblem(node.value);
      if (bad) issues.push({ path: pathOf(node), message: bad });
    } else if (Array.isArray(node.value)) {
      for (let i = node.value.length - 1; i >= 0; i--)
        stack.push({ value: node.value[i], key: String(i), parent: node });
    } else if (node.value !== null && typeof node.value === 'object') {
      const entries = Object.entries(node.value);
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push({ value: entries[i]![1], key: entries[i]![0], parent: node });
    }
  }
  return issues;
}
