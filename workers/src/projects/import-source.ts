/**
 * Where an imported project's files come from. Every source is read into the same list of entries, so
 * the checks and limits of `import-tree.ts` apply to all of them alike. Today a zip upload; a repository
 * URL plugs in here as a second kind once the git client (`git/remote/`) can fetch a tree.
 */
import {
  ImportError,
  importTree,
  IMPORT_LIMITS,
  type ImportedTree,
  type SourceEntry,
  type SourceName,
} from './import-tree.ts';
import { readZipDirectory, readZipEntry, ZipError } from './unzip.ts';

/**
 * What a project can be imported from: an uploaded zip, or the entries of a tree read elsewhere (how a
 * repository URL plugs in: the git client fetches the tree and hands its blobs over as entries, a
 * symlink's mode as `symlink`).
 */
export type ImportSource =
  { kind: 'zip'; archive: Uint8Array } | { kind: 'tree'; entries: SourceEntry[]; from?: SourceName };

function zipEntries(archive: Uint8Array): SourceEntry[] {
  if (archive.byteLength > IMPORT_LIMITS.archiveBytes) {
    throw new ImportError(
      413,
      `The archive is larger than the ${IMPORT_LIMITS.archiveBytes / (1024 * 1024)} MB limit.`,
    );
  }
  return readZipDirectory(archive).map((entry) => ({
    name: entry.name,
    kind: entry.kind,
    executable: entry.executable,
    size: entry.size,
    packedSize: entry.compressedSize,
    read: () => readZipEntry(archive, entry),
  }));
}

/** The files a new project starts from; throws `ImportError` (with its status) when the source is refused. */
export async function readImportSource(source: ImportSource): Promise<ImportedTree> {
  try {
    return source.kind === 'zip'
      ? await importTree(zipEntries(source.archive))
      : await importTree(source.entries, source.from ?? 'archive');
  } catch (err) {
    if (err instanceof ZipError) throw new ImportError(422, err.message);
    throw err;
  }
}
