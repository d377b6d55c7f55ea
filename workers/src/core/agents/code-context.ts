/**
 * What a CodeMonkey call is shown, within its budget (`context-budget.ts`): the file it writes; the
 * files it must agree with (for a test the module it tests, for a module its tests, the files its
 * instructions name, the files written earlier in the task that it pairs with: `pairsWith`); the files
 * it imports and the files that import it; the plan's relevant files of its own kind (code for code,
 * pages and styles for those); and the project map for the rest. Never whole files of another kind it
 * has no link to: a stylesheet's call carries its page, not the app's JavaScript.
 */
import { diffText } from '../diff.ts';
import {
  fitContext,
  readContextFiles,
  type ContextFile,
  type FittedContext,
  type Tier,
} from './context-budget.ts';
import {
  importersOf,
  isPage,
  isSourceModule,
  isStyle,
  isTestFile,
  namedFiles,
  pairsWith,
  relativeImports,
  testedModules,
  testsOf,
} from './file-links.ts';
import { linesNaming } from './outline.ts';
import { projectMapEntries, type MapEntry } from './project-map.ts';
import type { AgentContext, AgentsState, WorkState } from './state.ts';

/** The files the file of step `index` must agree with, by tier, most binding first. */
export interface Linked {
  agree: string[];
  /** What the reviewer checks the file against: its tests or tested module, what its instructions name (a subset of `agree`). */
  checks: string[];
  imports: string[];
  importers: string[];
  /** The plan's relevant files of the same kind (code for code, markup and styles for those). */
  far: string[];
}

/** Whether a relevant file of the plan is of a kind the file at `path` can use: code for code, a page or style for those. */
function sameKind(path: string, other: string): boolean {
  if (isSourceModule(path) || isTestFile(path)) return isSourceModule(other);
  if (isPage(path) || isStyle(path)) return isPage(other) || isStyle(other);
  return false;
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The files linked to `path` (the file of step `index`), each in its most binding tier. */
export function linkedFiles(
  work: WorkState,
  index: number,
  path: string,
  current: string | null,
  entries: readonly MapEntry[],
): Linked {
  const paths = entries.map((e) => e.path);
  const step = work.steps[index]!;
  const instructions = step.type === 'code' ? step.instructions : '';
  // Earlier in the task, latest first: the likeliest to be what this file builds on.
  const earlier = work.steps
    .slice(0, index)
    .flatMap((s) => (s.type === 'code' && s.path !== path && paths.includes(s.path) ? [s.path] : []))
    .reverse();
  const seen = new Set([path]);
  const take = (list: readonly string[]) => {
    const out = [...new Set(list)].filter((p) => !seen.has(p));
    for (const p of out) seen.add(p);
    return out;
  };
  const checks = take([
    ...(isTestFile(path) ? testedModules(path, paths) : testsOf(path, paths)),
    ...namedFiles(instructions, paths),
  ]);
  const pairs = take(
    earlier.filter(
      (e) => pairsWith(path, e) || new RegExp(`(^|[^\\w.-])${escape(baseName(e))}\\b`).test(instructions),
    ),
  );
  const agree = [...checks, ...pairs];
  // A test that tests no module by name is checked against the latest module written before it.
  if (checks.length === 0 && pairs[0]) checks.push(pairs[0]);
  const imports = take(relativeImports(path, current ?? '', paths));
  const importers = take(importersOf(path, entries));
  const far = take(work.relevantFiles.filter((p) => paths.includes(p) && sameKind(path, p)));
  return { agree, checks, imports, importers, far };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The texts of `linked`'s files, tier by tier. */
async function readLinked(ctx: AgentContext, linked: Partial<Linked>): Promise<ContextFile[]> {
  const tiers: [Tier, string[] | undefined][] = [
    ['agree', linked.agree],
    ['import', linked.imports],
    ['importer', linked.importers],
    ['far', linked.far],
  ];
  const files: ContextFile[] = [];
  for (const [tier, paths] of tiers) files.push(...(await readContextFiles(ctx, paths ?? [], tier)));
  return files;
}

/** The writer's context: the files above, the project map, and its own file (cut only if it must be). */
export async function writerContext(
  ctx: AgentContext,
  state: AgentsState,
  opts: {
    index: number;
    path: string;
    current: string | null;
    budget: number;
    fixed: string;
    /** The task and the instructions: what an outline lists first. */
    focus: string;
  },
): Promise<FittedContext & { linked: Linked }> {
  const entries = await projectMapEntries(ctx, state);
  const work = state.work!;
  const linked = linkedFiles(work, opts.index, opts.path, opts.current, entries);
  const step = work.steps[opts.index]!;
  const fitted = fitContext({
    budget: opts.budget,
    fixed: opts.fixed,
    focus: opts.focus,
    target:
      opts.current === null
        ? undefined
        : {
            path: opts.path,
            content: opts.current,
            anchors: linesNaming(opts.current, step.type === 'code' ? step.instructions : ''),
          },
    files: await readLinked(ctx, linked),
    map: entries,
  });
  return { ...fitted, linked };
}

/** The lines (0-based) of `after` that a change from `before` added or changed. */
export function changedLines(before: string, after: string): number[] {
  const lines: number[] = [];
  for (const hunk of diffText(before, after, 0).hunks) {
    let at = hunk.newStart - 1;
    for (const line of hunk.lines) {
      if (line.op === '+') lines.push(at);
      if (line.op !== '-') at += 1;
    }
    // A pure removal is anchored where it was.
    if (hunk.newLines === 0) lines.push(Math.max(0, hunk.newStart - 1));
  }
  return lines;
}

/**
 * The reviewer's context: the whole resulting file, or (over budget) its outline and the windows around
 * each edit; and the files it must agree with, within budget. No map: the reviewer judges this file.
 */
export async function reviewerContext(
  ctx: AgentContext,
  opts: {
    path: string;
    before: string | null;
    after: string;
    agree: readonly string[];
    budget: number;
    fixed: string;
    focus: string;
  },
): Promise<FittedContext> {
  return fitContext({
    budget: opts.budget,
    fixed: opts.fixed,
    focus: opts.focus,
    target: {
      path: opts.path,
      content: opts.after,
      anchors: opts.before === null ? [] : changedLines(opts.before, opts.after),
    },
    files: await readLinked(ctx, { agree: [...opts.agree] }),
  });
}
