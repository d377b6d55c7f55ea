/**
 * Which stack of the catalog an imported app is, read from its files (package.json, requirements.txt,
 * go.mod...) rather than guessed by a model: the manifest says it. Null when no stack the platform runs
 * fits; the Architect then asks the user.
 */
import type { FilesView } from '../pipeline.ts';

/** What the files say about the app's stack. */
export interface RecognizedStack {
  /** A catalog stack id, or null when none fits. */
  stackId: string | null;
  /** Why, in words for the user ("package.json depends on vite"). */
  evidence: string;
}

/** Manifests of stacks the catalog has no entry for, and the language they mean. */
const OTHER_MANIFESTS: readonly [string, string][] = [
  ['requirements.txt', 'Python'],
  ['pyproject.toml', 'Python'],
  ['Pipfile', 'Python'],
  ['go.mod', 'Go'],
  ['Cargo.toml', 'Rust'],
  ['Gemfile', 'Ruby'],
  ['composer.json', 'PHP'],
  ['pom.xml', 'Java'],
  ['build.gradle', 'Java or Kotlin'],
];

interface Manifest {
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

function manifestOf(text: string): Manifest | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Manifest) : null;
  } catch {
    return null;
  }
}

/** The stack the app's files show (see the module's comment). */
export async function recognizeStack(
  files: Pick<FilesView, 'read'>,
  paths: readonly string[],
): Promise<RecognizedStack> {
  const has = new Set(paths);
  const packageText = has.has('package.json') ? await files.read('package.json') : null;
  if (packageText !== null) {
    const manifest = manifestOf(packageText);
    if (!manifest) return { stackId: null, evidence: 'its package.json is not valid JSON' };
    const deps = { ...manifest.dependencies, ...manifest.devDependencies };
    if ('vite' in deps) return { stackId: 'vite-ts', evidence: 'package.json depends on vite' };
    if (paths.some((p) => /^(public|static)\/index\.html$/.test(p))) {
      return { stackId: 'node-fullstack', evidence: 'a Node package.json and a page in public/' };
    }
    return { stackId: 'node-api', evidence: 'a Node package.json without a front end' };
  }
  const other = OTHER_MANIFESTS.find(([file]) => has.has(file));
  if (other) return { stackId: null, evidence: `${other[0]} says it is ${other[1]}` };
  return { stackId: null, evidence: 'no manifest (package.json, requirements.txt, go.mod...) was found' };
}
