/**
 * The token budget of one call and what its context carries within it.
 *
 * Budget: the prompt's share of the model's context window (the window less the room the answer gets,
 * the call's output cap, less a tenth for the estimate's error and the framing a provider adds), and
 * never more than PLATFORM_PROMPT_CAP. Why a cap: a 1M-token window does not make a 1M-token prompt
 * useful. Every call pays for its whole prompt (1M tokens of gpt-4.1 cost $2, per call), waits longer
 * for its first token, and models attend worse to the middle of long prompts; the files a call needs
 * (the one it writes, what that imports and what imports it, what it must agree with) fit well within
 * 32k tokens, and the map covers the rest.
 *
 * Drop policy. A call always carries its instructions (the system prompt), its task and the project's
 * brief summary, and the file being written or edited, whole; only when even that does not fit is that
 * file cut to windows around the lines that matter (the reviewer: the edits; the writer: the lines its
 * instructions name), after its outline. Then, when the rest is over budget, what goes first:
 *   1. the project map's detail: it gets what the files leave (at least a floor, at most a quarter of
 *      the budget), and folds itself (names beyond three, then the notes, then whole directories:
 *      `project-map.ts`);
 *   2. files become their outline (exported names and top-level declarations), least binding first:
 *      far files (the plan's relevant files of the same kind; for the Developer, files matched by
 *      words only), then the files that import it, then the files it imports, each tier from its last
 *      file; then those outlines go, in the same order (the files stay listed in the map);
 *   3. only then the files it must agree with (its tests or tested module, what its instructions name,
 *      the files written earlier in the task that it pairs with): outlined, then left out, last first;
 *   4. the map shrinks below its floor, down to nothing.
 */
import type { ModelWindow } from '../ports.ts';
import { formatProjectMap, type MapEntry } from './project-map.ts';
import { excerpt, fileOutline } from './outline.ts';
import type { AgentContext } from './state.ts';
import { estimateTokens } from './tokens.ts';

/** The largest prompt of any call, whatever the model's window (see above for why). */
export const PLATFORM_PROMPT_CAP = 32_000;
/** What a call assumes when the LLM layer does not say: the default model's window is larger still. */
export const DEFAULT_WINDOW: ModelWindow = { contextTokens: 128_000, outputTokens: 8192 };
/** Tokens kept for what the prompt text does not show: a structured call's schema, message framing, a re-ask's note. */
const OVERHEAD_TOKENS = 700;
/** The estimate (`tokens.ts`) may be off by this much for dense code: the budget keeps it free. */
const ESTIMATE_MARGIN = 0.9;

/** The prompt budget of a call to a model with `window`, in tokens. */
export function promptBudget(window: ModelWindow): number {
  const share = Math.floor((window.contextTokens - window.outputTokens) * ESTIMATE_MARGIN);
  return Math.max(0, Math.min(PLATFORM_PROMPT_CAP, share) - OVERHEAD_TOKENS);
}

/** The prompt budget of the calls of this step's agent. */
export async function callBudget(ctx: AgentContext): Promise<number> {
  return promptBudget(ctx.llm.window ? await ctx.llm.window() : DEFAULT_WINDOW);
}

/** The texts of `paths` (those that exist), as context files of `tier`. */
export async function readContextFiles(
  ctx: AgentContext,
  paths: readonly string[],
  tier: Tier,
): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  for (const path of paths) {
    const content = await ctx.files.read(path).catch(() => null);
    if (content !== null) files.push({ path, content, tier });
  }
  return files;
}

/** How binding a file is for a call, most binding first; the drop policy cuts from the end. */
export const TIERS = ['agree', 'import', 'importer', 'far'] as const;
export type Tier = (typeof TIERS)[number];

export interface ContextFile {
  path: string;
  content: string;
  tier: Tier;
}

export interface ContextRequest {
  /** The prompt's budget in tokens (`callBudget`). */
  budget: number;
  /** Everything the call carries besides the parts below: its system prompt and the rest of its user prompt. */
  fixed: string;
  /** The file being written or edited, with the lines that matter should it have to be cut. */
  target?: { path: string; content: string; anchors: readonly number[] } | undefined;
  /** The files to show, most binding first within each tier. */
  files: readonly ContextFile[];
  /** What the call is about (its task, its instructions): an outline lists the declarations it names first. */
  focus?: string | undefined;
  /** The project's map (the target and the files shown are left out of it); none: the call has no map. */
  map?: readonly MapEntry[] | undefined;
}

export interface FittedContext {
  /** The target's text as shown: whole, or its outline and windows. */
  target: string | null;
  /** The files as prompt blocks (`--- path` … `--- end of path`), or `(none)`. */
  files: string;
  map: string;
  /** What became of each file. */
  shown: string[];
  outlined: string[];
  dropped: string[];
}

/** A file's block in a prompt: the format every agent's prompt uses (and the context benchmark reads). */
export function fileBlock(path: string, text: string): string {
  return `--- ${path}\n${text}\n--- end of ${path}`;
}

function outlineBlock(file: ContextFile, focus: string): string {
  return fileBlock(
    file.path,
    `(outline only: its top-level declarations; the whole file is left out for the context budget)\n${fileOutline(file.path, file.content, focus)}`,
  );
}

/** The largest share of a call's budget the map takes: a large project's map is folded to it. */
const MAP_SHARE = 1 / 4;
/** The smallest map kept while files are still being cut: a tenth of the room, at least 150 tokens. */
const mapFloor = (room: number) => Math.max(150, Math.floor(room / 10));

/** The context of one call within its budget, by the drop policy above. */
export function fitContext(req: ContextRequest): FittedContext {
  let room = req.budget - estimateTokens(req.fixed);
  let target: string | null = null;
  if (req.target) {
    const whole = req.target.content;
    // The target is carried whole while it leaves a little room for the map; else it is cut.
    target =
      estimateTokens(whole) <= room - (req.map ? 100 : 0)
        ? whole
        : excerpt(req.target.path, whole, req.target.anchors, Math.floor(Math.max(room, 0) * 0.8), req.focus);
    room -= estimateTokens(target);
  }
  const shape = new Map(req.files.map((f) => [f.path, 'whole' as 'whole' | 'outline' | 'dropped']));
  const blocks = new Map(
    req.files.map((f) => [
      f.path,
      { whole: fileBlock(f.path, f.content), outline: outlineBlock(f, req.focus ?? '') },
    ]),
  );
  const filesCost = () =>
    req.files.reduce((n, f) => {
      const s = shape.get(f.path)!;
      return s === 'dropped' ? n : n + estimateTokens(blocks.get(f.path)![s]) + 1;
    }, 0);
  const fullMap = req.map ? formatProjectMap(req.map, Number.MAX_SAFE_INTEGER) : '';
  const floor = req.map ? Math.min(estimateTokens(fullMap), mapFloor(room)) : 0;
  const fits = () => filesCost() + floor <= room;
  // Least binding first: the last tier, and within a tier its last file. The files it must agree with
  // are cut only once every other file is gone.
  const byTier = (tiers: readonly Tier[]) =>
    tiers.flatMap((tier) => req.files.filter((f) => f.tier === tier).reverse());
  const cost = (f: ContextFile, s: 'whole' | 'outline') => estimateTokens(blocks.get(f.path)![s]);
  for (const group of [byTier(['far', 'importer', 'import']), byTier(['agree'])])
    for (const step of ['outline', 'dropped'] as const)
      for (const f of group) {
        if (fits()) break;
        // An outline as large as the file saves nothing: such a file waits to be dropped.
        if (step === 'outline' && cost(f, 'outline') >= cost(f, 'whole')) continue;
        shape.set(f.path, step);
      }
  const shown = req.files.filter((f) => shape.get(f.path) === 'whole').map((f) => f.path);
  const outlined = req.files.filter((f) => shape.get(f.path) === 'outline').map((f) => f.path);
  const dropped = req.files.filter((f) => shape.get(f.path) === 'dropped').map((f) => f.path);
  const files = req.files
    .filter((f) => shape.get(f.path) !== 'dropped')
    .map((f) => blocks.get(f.path)![shape.get(f.path) as 'whole' | 'outline']);
  let map = '';
  if (req.map) {
    const inPrompt = new Set([...shown, ...(req.target ? [req.target.path] : [])]);
    const entries = req.map.filter((e) => !inPrompt.has(e.path));
    const chars = Math.min(room - filesCost(), Math.floor(req.budget * MAP_SHARE)) * 4;
    map =
      entries.length === 0
        ? '(no other files)'
        : chars < 40
          ? '(left out: the context budget is spent)'
          : formatProjectMap(entries, chars - 40);
  }
  return { target, files: files.length ? files.join('\n\n') : '(none)', map, shown, outlined, dropped };
}
