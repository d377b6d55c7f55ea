/**
 * Turns the entries of an uploaded source (a zip today, a repository's tree once the git client lands)
 * into the files a new project starts from: paths normalized and checked, one top folder unwrapped,
 * dependencies, version control and build output skipped (and counted, so the user is told), binary
 * files kept as base64, every limit enforced with a message that names it.
 */
import { normalizePath } from '../core/paths.ts';
import { toBase64 } from '../crypto/bytes.ts';

/** One entry of a source: its stored name, what it is, its size, and how to read its bytes. */
export interface SourceEntry {
  name: string;
  /** A submodule (a repository's gitlink) has no content here: it is skipped and counted. */
  kind: 'file' | 'directory' | 'symlink' | 'submodule';
  /** Unpacked size, as the source declares it. */
  size: number;
  /** Packed size (a zip's compressed size), for the zip-bomb check. */
  packedSize?: number;
  /** A file with its executable bit (git's mode 100755, a zip's Unix mode). */
  executable?: boolean;
  read(): Promise<Uint8Array>;
}

/** What an import accepts. Shown to the user (the create dialog) and named in every refusal. */
export const IMPORT_LIMITS = {
  /** The uploaded archive. */
  archiveBytes: 10 * 1024 * 1024,
  /** Files kept (after skipping). */
  files: 2_000,
  /** One file; a larger one is skipped (a SQLite value of the project's store stays well under 2 MB). */
  fileBytes: 1024 * 1024,
  /** All kept files together, unpacked. */
  totalBytes: 16 * 1024 * 1024,
  /** What every entry of the archive declares together, skipped ones included: beyond it, a zip bomb. */
  declaredBytes: 1024 * 1024 * 1024,
  /** Unpacked to packed size of an entry over 1 MB: beyond it, a zip bomb (source text packs 3-20:1). */
  ratio: 200,
} as const;

/** Why an import is refused: 413 for too much, 422 for a bad or empty source. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  readonly status: 413 | 422;

  constructor(status: 413 | 422, message: string) {
    super(message);
    this.status = status;
  }
}

/** A file of an imported project: text as is, binary as base64. */
export interface ImportedFile {
  path: string;
  content: string;
  binary: boolean;
  /** Present (true) for an executable file only. */
  executable?: boolean;
}

/** Why entries were left out of the project. */
export type SkipReason =
  | 'dependencies'
  | 'version control'
  | 'build output'
  | 'system files'
  | 'too large'
  | 'symbolic links'
  | 'submodules';

/** Entries left out for one reason: how many, and a few of their paths. */
export interface SkippedGroup {
  reason: SkipReason;
  count: number;
  examples: string[];
}

export interface ImportedTree {
  files: ImportedFile[];
  skipped: SkippedGroup[];
  /** The folder the source was wrapped in (unwrapped), a good default name for the project. */
  folder: string | null;
  /** Bytes of the kept files. */
  bytes: number;
}

const MB = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
const count = (n: number) => n.toLocaleString('en-US');

/** Folders whose content is installed, generated or kept by tools, never written by the user. */
const SKIPPED_FOLDERS = new Map<string, SkipReason>([
  ['node_modules', 'dependencies'],
  ['bower_components', 'dependencies'],
  ['.venv', 'dependencies'],
  ['venv', 'dependencies'],
  ['.pnpm-store', 'dependencies'],
  ['.git', 'version control'],
  ['.hg', 'version control'],
  ['.svn', 'version control'],
  ['dist', 'build output'],
  ['build', 'build output'],
  ['.next', 'build output'],
  ['.nuxt', 'build output'],
  ['.svelte-kit', 'build output'],
  ['.output', 'build output'],
  ['.vercel', 'build output'],
  ['.wrangler', 'build output'],
  ['coverage', 'build output'],
  ['target', 'build output'],
  ['__pycache__', 'build output'],
  ['.pytest_cache', 'build output'],
  ['.cache', 'build output'],
  ['.parcel-cache', 'build output'],
  ['.turbo', 'build output'],
  ['.samokoder', 'build output'],
  ['__MACOSX', 'system files'],
]);
const SYSTEM_FILES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);
const EXAMPLES = 3;

/**
 * The checked, canonical path of an entry's name; throws for a path that could write outside the
 * project (absolute, `..`, a drive letter) or that no file system shows faithfully.
 */
function checkedPath(name: string, what: SourceName): string {
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    throw new ImportError(422, `"${name.slice(0, 200)}" is an absolute path: the ${what} is refused.`);
  }
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new ImportError(
      422,
      `"${name.slice(0, 200)}" points outside the project (..): the ${what} is refused.`,
    );
  }
  const path = normalizePath(segments.join('/'));
  if (!path) throw new ImportError(422, `"${name.slice(0, 200)}" is not an acceptable file path.`);
  return path;
}

function skipReason(path: string): SkipReason | null {
  const segments = path.split('/');
  for (const segment of segments.slice(0, -1)) {
    const reason = SKIPPED_FOLDERS.get(segment);
    if (reason) return reason;
  }
  return SYSTEM_FILES.has(segments.at(-1)!) ? 'system files' : null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A file's content as the project stores it: text when it is UTF-8 without NUL bytes (decoded with its
 * BOM kept, so it encodes back to the same bytes), else base64.
 */
export function fileContent(data: Uint8Array): { content: string; binary: boolean } {
  if (!data.includes(0)) {
    try {
      return { content: strictUtf8.decode(data), binary: false };
    } catch {
      // Not UTF-8: binary.
    }
  }
  return { content: toBase64(data), binary: true };
}

/** The one folder every path is in (null when there is none, or a file sits at the top). */
function commonFolder(paths: string[]): string | null {
  let folder: string | null = null;
  for (const path of paths) {
    const slash = path.indexOf('/');
    if (slash < 0) return null;
    const first = path.slice(0, slash);
    if (folder === null) folder = first;
    else if (folder !== first) return null;
  }
  return folder;
}

/** What the messages call the source. */
export type SourceName = 'archive' | 'repository';

/** Reads a source's entries into the files of a new project (see the module's comment). */
export async function importTree(
  entries: readonly SourceEntry[],
  what: SourceName = 'archive',
): Promise<ImportedTree> {
  const What = what === 'archive' ? 'The archive' : 'The repository';
  let declared = 0;
  for (const entry of entries) {
    declared += entry.size;
    const packed = entry.packedSize ?? entry.size;
    if (
      declared > IMPORT_LIMITS.declaredBytes ||
      (entry.size > 1024 * 1024 && entry.size / Math.max(packed, 1) > IMPORT_LIMITS.ratio)
    ) {
      throw new ImportError(
        422,
        `${What} unpacks to far more than it holds (over ${IMPORT_LIMITS.ratio}:1 or ${MB(IMPORT_LIMITS.declaredBytes)}): it looks like a zip bomb and is refused.`,
      );
    }
  }

  const skipped = new Map<SkipReason, SkippedGroup>();
  const skip = (reason: SkipReason, path: string) => {
    const group = skipped.get(reason) ?? { reason, count: 0, examples: [] };
    group.count++;
    if (group.examples.length < EXAMPLES) group.examples.push(path);
    skipped.set(reason, group);
  };

  const kept: { path: string; entry: SourceEntry }[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'directory') continue;
    const path = checkedPath(entry.name, what);
    if (seen.has(path))
      throw new ImportError(422, `"${path}" is in the ${what} twice: the ${what} is refused.`);
    seen.add(path);
    const reason = skipReason(path);
    if (reason) skip(reason, path);
    else if (entry.kind === 'symlink') skip('symbolic links', path);
    else if (entry.kind === 'submodule') skip('submodules', path);
    else if (entry.size > IMPORT_LIMITS.fileBytes) skip('too large', path);
    else kept.push({ path, entry });
  }

  if (kept.length === 0) {
    const left = [...skipped.values()].reduce((n, g) => n + g.count, 0);
    throw new ImportError(
      422,
      left > 0
        ? `${What} holds no files of the app itself (${count(left)} left out: dependencies, build output, version control and the like).`
        : `${What} is empty: it holds no files.`,
    );
  }
  if (kept.length > IMPORT_LIMITS.files) {
    throw new ImportError(
      413,
      `${What} holds ${count(kept.length)} files of the app; the limit is ${count(IMPORT_LIMITS.files)}.`,
    );
  }
  const total = kept.reduce((n, k) => n + k.entry.size, 0);
  if (total > IMPORT_LIMITS.totalBytes) {
    throw new ImportError(
      413,
      `The app's files unpack to ${MB(total)}; the limit is ${MB(IMPORT_LIMITS.totalBytes)}.`,
    );
  }
  const keptPaths = new Set(kept.map((k) => k.path));
  for (const path of keptPaths) {
    for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      if (keptPaths.has(path.slice(0, slash))) {
        throw new ImportError(
          422,
          `"${path.slice(0, slash)}" is both a file and a folder: the ${what} is refused.`,
        );
      }
    }
  }

  const folder = commonFolder(kept.map((k) => k.path));
  const files: ImportedFile[] = [];
  let bytes = 0;
  for (const { path, entry } of kept) {
    const data = await entry.read();
    bytes += data.byteLength;
    files.push({
      path: folder ? path.slice(folder.length + 1) : path,
      ...fileContent(data),
      ...(entry.executable ? { executable: true } : {}),
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { files, skipped: [...skipped.values()], folder, bytes };
}
