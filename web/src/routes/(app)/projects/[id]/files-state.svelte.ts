import { ApiRequestError, describeFailure } from '$lib/api/errors.ts';
import { fetchFile, saveFile } from '$lib/api/files.ts';
import type { FileEntry } from '$lib/live/project-state.svelte.ts';

interface Loaded {
  path: string;
  version: number;
  content: string;
  author: 'agent' | 'user';
  /** A binary file (an imported image...): shown as such, never edited as text. */
  binary: boolean;
}

/**
 * The files panel's open file: its content, the user's draft of it, and saving the draft as a new
 * version. A save names the version it was made on, so an agent's newer write is never overwritten
 * silently.
 *
 * `loaded` is always the selected file or nothing: choosing another file drops the previous one's text
 * at once (the panel says "Opening…" until the new text is there), and only the latest request may
 * fill it, so a slow earlier response can never put one file's text under another's name.
 */
export class FilesState {
  readonly #projectId: string;
  /** The file chosen in the tree (its text may still be on its way). */
  selected = $state<string | null>(null);
  /** The selected file's text, once it arrived. */
  loaded = $state<Loaded | null>(null);
  draft = $state('');
  loading = $state(false);
  loadError = $state('');
  saving = $state(false);
  saveError = $state('');
  /** A save refused because the file changed meanwhile. */
  conflict = $state(false);
  savedVersion = $state<number | null>(null);
  #load: AbortController | undefined;

  constructor(projectId: string) {
    this.#projectId = projectId;
  }

  get dirty(): boolean {
    return this.loaded !== null && this.draft !== this.loaded.content;
  }

  /** The latest version the live channel knows of the open file (newer than `loaded` = changed). */
  latestVersion(live: Record<string, FileEntry>): number | null {
    return this.selected ? (live[this.selected]?.version ?? null) : null;
  }

  /** Files changed live: the open file reloads, unless the user is editing it. */
  followLive(live: Record<string, FileEntry>): void {
    const latest = this.latestVersion(live);
    if (this.selected && this.loaded && latest !== null && latest > this.loaded.version && !this.dirty) {
      void this.open(this.selected);
    }
  }

  /**
   * The project moved to another branch (a rollback): a version saved on the branch before is not what
   * the editor shows any more, and the open file is loaded again as the new branch has it (or closed
   * when that branch has no such file). A draft being edited is left alone.
   */
  branchChanged(): void {
    this.savedVersion = null;
    this.saveError = '';
    this.conflict = false;
    if (this.selected && !this.dirty) void this.open(this.selected, { closeIfMissing: true });
  }

  /**
   * Opens `path` (again, for a newer version: the current text stays until the new one is in);
   * `closeIfMissing`: a file that is not there any more is closed rather than shown as an error.
   */
  async open(path: string, opts: { closeIfMissing?: boolean } = {}): Promise<void> {
    this.#load?.abort();
    const controller = new AbortController();
    this.#load = controller;
    if (this.selected !== path) {
      this.loaded = null;
      this.draft = '';
      this.savedVersion = null;
      this.saveError = '';
      this.conflict = false;
    }
    this.selected = path;
    this.loading = true;
    this.loadError = '';
    const current = () => this.#load === controller && this.selected === path;
    try {
      const file = await fetchFile(this.#projectId, path, undefined, controller.signal);
      if (!current()) return;
      this.loaded = {
        path: file.path,
        version: file.version,
        content: file.content,
        author: file.author,
        binary: file.binary === true,
      };
      this.draft = file.content;
      this.conflict = false;
    } catch (error) {
      if (!current()) return;
      this.loaded = null;
      if (opts.closeIfMissing && error instanceof ApiRequestError && error.status === 404) {
        this.selected = null;
        return;
      }
      this.loadError = describeFailure(error);
    } finally {
      if (this.#load === controller) this.loading = false;
    }
  }

  async save(): Promise<void> {
    const loaded = this.loaded;
    if (!loaded || !this.dirty || this.saving) return;
    this.saving = true;
    this.saveError = '';
    this.conflict = false;
    const content = this.draft;
    try {
      const saved = await saveFile(this.#projectId, loaded.path, content, loaded.version);
      // Another file may have been opened meanwhile: this one's new version is not on screen then.
      if (this.selected !== loaded.path) return;
      this.loaded = { path: loaded.path, version: saved.version, content, author: 'user', binary: false };
      this.savedVersion = saved.version;
    } catch (error) {
      if (this.selected !== loaded.path) return;
      this.conflict = error instanceof ApiRequestError && error.status === 409;
      this.saveError = describeFailure(error);
    } finally {
      this.saving = false;
    }
  }

  /** Drop the draft and load the newest version. */
  discard(): Promise<void> {
    this.draft = this.loaded?.content ?? '';
    return this.selected ? this.open(this.selected) : Promise.resolve();
  }
}
