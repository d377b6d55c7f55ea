/**
 * Which files a file must agree with: the modules it imports (relative imports, resolved against the
 * project's files; a page's scripts and stylesheets), the files that import it, the module a test
 * tests, the tests of a module, and the files written earlier in a task that it pairs with. Found from
 * paths and imports alone, without a parser: a guess that errs towards showing a file, within the
 * callers' budgets.
 */

/** Whether `path` is a test file (under test/, tests/ or __tests__/, or named *.test.* / *.spec.*). */
export function isTestFile(path: string): boolean {
  return /(^|\/)(test|tests|__tests__)\//.test(path) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(path);
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];

/** `path` without its directory, its extension and a `.test`/`.spec` part: `test/add.test.js` → `add`. */
function stem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.replace(/\.[cm]?[jt]sx?$/, '').replace(/\.(test|spec)$/, '');
}

/** The project file a relative import of `from` names, trying the extensions and index files TypeScript and Node try. */
function resolveImport(from: string, specifier: string, paths: ReadonlySet<string>): string | null {
  const segments = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '.' || part === '') continue;
    if (part === '..') {
      if (segments.length === 0) return null;
      segments.pop();
    } else segments.push(part);
  }
  const base = segments.join('/');
  // TypeScript sources import their siblings by the name they compile to (`./add.js` for add.ts).
  const compiledFrom = base.replace(/\.[cm]?js$/, '');
  const candidates = [
    base,
    ...SOURCE_EXTENSIONS.map((ext) => `${compiledFrom}${ext}`),
    ...SOURCE_EXTENSIONS.map((ext) => `${base}${ext}`),
    ...SOURCE_EXTENSIONS.map((ext) => `${base}/index${ext}`),
  ];
  return candidates.find((c) => paths.has(c)) ?? null;
}

/** Whether `path` is a web page (what loads scripts and stylesheets). */
export const isPage = (path: string) => /\.html?$/.test(path);
/** Whether `path` is a stylesheet. */
export const isStyle = (path: string) => /\.(css|scss|less)$/.test(path);

/**
 * What the file at `from` links to by relative path, as written: a module's imports and requires, a
 * page's `src`/`href` (a leading `/` taken as the page's own folder, where static servers root it), a
 * stylesheet's `@import`.
 */
export function linkSpecifiers(from: string, content: string): string[] {
  const found = [
    ...content.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g),
  ].map((m) => m[1]!);
  if (isPage(from))
    for (const m of content.matchAll(/\b(?:src|href)\s*=\s*["']([^"'#?]+)[^"']*["']/g)) {
      const ref = m[1]!.trim();
      if (/^([a-z]+:|\/\/)/i.test(ref) || ref === '' || ref === '/') continue;
      found.push(ref.startsWith('/') ? `.${ref}` : ref.startsWith('.') ? ref : `./${ref}`);
    }
  if (isStyle(from))
    for (const m of content.matchAll(/@import\s+(?:url\()?\s*["']([^"']+)["']/g))
      found.push(m[1]!.startsWith('.') ? m[1]! : `./${m[1]!}`);
  return found;
}

/** The project files `specifiers` (what the file at `from` links to) name. */
export function resolveLinks(
  from: string,
  specifiers: readonly string[],
  paths: readonly string[],
): string[] {
  const known = new Set(paths);
  const found: string[] = [];
  for (const specifier of specifiers) {
    const resolved = resolveImport(from, specifier, known);
    if (resolved && resolved !== from && !found.includes(resolved)) found.push(resolved);
  }
  return found;
}

/** The project files that `content` (the file at `from`) imports by relative path (or, a page, loads). */
export function relativeImports(from: string, content: string, paths: readonly string[]): string[] {
  return resolveLinks(from, linkSpecifiers(from, content), paths);
}

/** The files that import `path`, from each file's imports (`{ path, imports }`, as the project map has them). */
export function importersOf(
  path: string,
  files: readonly { path: string; imports?: readonly string[] | undefined }[],
): string[] {
  return files.filter((f) => f.path !== path && f.imports?.includes(path)).map((f) => f.path);
}

const dirOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/**
 * Whether a file written earlier in the same task is one `path` must agree with, by their kinds: a test
 * and the modules (it likely tests them); a page and the scripts and stylesheets beside it (a script
 * uses the page's element ids, a page links the script and style, a style targets the page's markup).
 */
export function pairsWith(path: string, earlier: string): boolean {
  if (isTestFile(path)) return isSourceModule(earlier);
  if (isSourceModule(path) && isTestFile(earlier)) return testedModules(earlier, [path]).length > 0;
  if (dirOf(path) !== dirOf(earlier)) return false;
  if (isPage(path)) return isSourceModule(earlier) || isStyle(earlier);
  if (isSourceModule(path) || isStyle(path)) return isPage(earlier);
  return false;
}

/** The project files whose path `text` names (a step's instructions naming the module to test). */
export function namedFiles(text: string, paths: readonly string[]): string[] {
  return paths.filter((p) => new RegExp(`(^|[^\\w./-])${escape(p)}($|[^\\w/-]|\\.(?!\\w))`).test(text));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The modules test file `testPath` tests, by name: `test/add.test.js` → `src/add.js`, `lib/add.js`... */
export function testedModules(testPath: string, paths: readonly string[]): string[] {
  const name = stem(testPath);
  return paths.filter((p) => p !== testPath && !isTestFile(p) && isSource(p) && stem(p) === name);
}

/** The test files of module `path`, by name: `src/add.js` → `test/add.test.js`, `src/add.test.js`... */
export function testsOf(path: string, paths: readonly string[]): string[] {
  const name = stem(path);
  return paths.filter((p) => p !== path && isTestFile(p) && isSource(p) && stem(p) === name);
}

const isSource = (path: string) => SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext));

/** Whether `path` is a module of code that is not a test (what a test may test). */
export function isSourceModule(path: string): boolean {
  return isSource(path) && !isTestFile(path);
}
