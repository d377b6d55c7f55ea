/**
 * The page check: a headless Chromium on the runner's host loads a preview and reports what a user
 * would see go wrong. The result types (and their zod schemas) live in ../contract.ts.
 */
export { PageChecker } from './page-checker.ts';
export type { CheckOptions, PageCheckerOptions, PageCheckerStats } from './page-checker.ts';
export type { HostMapping } from './launch-args.ts';
export { DEFAULT_CHROMIUM_PATH } from './browser-host.ts';
export { summary } from './summary.ts';
export type { PageCheckSummary } from './summary.ts';
export { PageCheckProblem, PageCheckProblemKind, PageCheckResult, PageCheckStatus } from '../contract.ts';
