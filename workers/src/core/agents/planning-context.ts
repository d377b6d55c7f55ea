/**
 * What the Developer is shown when it plans a task or a change request, within the call's budget: the
 * project map, and the text of the files the work most likely touches: those the task names (by path or
 * by file name) and the project's manifest, then those whose path, note or exported names share the most
 * words with it. When its
 * plan changes an existing file whose text it was not shown, it is asked once more with those files
 * shown (`unseenEdits`): one extra call, only then.
 */
import { normalizePath } from '../paths.ts';
import { fitContext, readContextFiles, type FittedContext } from './context-budget.ts';
import { namedFiles } from './file-links.ts';
import { projectMapEntries, type MapEntry } from './project-map.ts';
import type { DevStep } from './schemas.ts';
import type { AgentContext, AgentsState } from './state.ts';

/** The project's manifests: most plans add a dependency or a script, so the planner always sees them. */
const MANIFESTS = ['package.json', 'requirements.txt', 'pyproject.toml'];

/**
 * The share of the budget for files the task does not name: those matched by its words, then the rest,
 * smallest first. A small project is shown whole (the planner then never plans blind); a large one, its
 * likeliest files.
 */
const OTHER_FILES_SHARE = 1 / 8;

/** Words too common in tasks and notes to tell files apart. */
const COMMON = new Set(
  'test tests file files with that this from when then each will should must into code data json true false function return module their them what which have make using used uses user users show shows work'.split(
    ' ',
  ),
);

/** The distinct words of a text that may tell files apart (four letters or more, a plural's `s` dropped). */
function words(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[a-z][a-z0-9]{3,}/g) ?? [])
      .filter((w) => !COMMON.has(w))
      .map((w) => (w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w)),
  );
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The files `text` (a task, a request) most likely touches: `named` (by path or file name, and the
 * manifests), then `others` by how many words they share with it (path, note, exported names), and
 * the smallest first among equals.
 */
export function likelyFiles(
  text: string,
  entries: readonly MapEntry[],
): { named: string[]; others: string[] } {
  const paths = entries.map((e) => e.path);
  const byName = paths.filter((p) =>
    new RegExp(`(^|[^\\w./-])${escape(baseName(p))}($|[^\\w/-]|\\.(?!\\w))`).test(text),
  );
  const manifests = MANIFESTS.filter((p) => paths.includes(p));
  const named = [...new Set([...namedFiles(text, paths), ...byName, ...manifests])];
  const wanted = words(text);
  const others = entries
    .filter((e) => !named.includes(e.path))
    .map((e) => {
      const own = words(`${e.path.replace(/[/._-]/g, ' ')} ${e.note ?? ''} ${e.names.join(' ')}`);
      return { e, score: [...own].filter((w) => wanted.has(w)).length };
    })
    .sort((a, b) => b.score - a.score || (a.e.size ?? 0) - (b.e.size ?? 0) || (a.e.path < b.e.path ? -1 : 1))
    .map((m) => m.e.path);
  return { named, others };
}

/** The planner's context for `text`, within `budget` besides `fixed`; `first`: files shown before all others. */
export async function planningContext(
  ctx: AgentContext,
  state: AgentsState,
  opts: { text: string; budget: number; fixed: string; first?: readonly string[] },
): Promise<FittedContext & { entries: MapEntry[] }> {
  const entries = await projectMapEntries(ctx, state);
  const { named, others } = likelyFiles(opts.text, entries);
  const first = [...new Set(opts.first ?? [])];
  const sizes = new Map(entries.map((e) => [e.path, e.size ?? 0]));
  // The others while their share lasts (by size: about four bytes a token), in their order.
  let share = Math.floor(opts.budget * OTHER_FILES_SHARE) * 4;
  const far = others.filter((p) => {
    const size = sizes.get(p) ?? 0;
    if (first.includes(p) || share < size) return false;
    share -= size;
    return true;
  });
  const files = [
    ...(await readContextFiles(ctx, first, 'agree')),
    ...(await readContextFiles(
      ctx,
      named.filter((p) => !first.includes(p)),
      'agree',
    )),
    ...(await readContextFiles(ctx, far, 'far')),
  ];
  return {
    ...fitContext({ budget: opts.budget, fixed: opts.fixed, focus: opts.text, files, map: entries }),
    entries,
  };
}

/** The existing files a plan changes whose text the planner was not shown whole. */
export function unseenEdits(
  steps: readonly DevStep[],
  entries: readonly MapEntry[],
  shown: readonly string[],
): string[] {
  const existing = new Set(entries.map((e) => e.path));
  const changed = steps.flatMap((s) => (s.type === 'code' ? [normalizePath(s.path)] : []));
  return [...new Set(changed)].filter(
    (p): p is string => p !== null && existing.has(p) && !shown.includes(p),
  );
}

/** The confirming call's request: the plan as it was, and which files are shown now. */
export function confirmRequest(plan: unknown, unseen: readonly string[]): string {
  return [
    `Your plan changes files whose text you were not shown: ${unseen.join(', ')}. They are shown above now.`,
    'Confirm the plan or correct it to fit what those files really contain, and answer with the whole plan again.',
    `Your plan:\n${JSON.stringify(plan, null, 2)}`,
  ].join('\n');
}
