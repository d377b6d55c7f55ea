import { describeFailure } from '$lib/api/errors.ts';
import { listProjects, type Project } from '$lib/api/projects.ts';

/** While a project runs, the list is refreshed this often (its status and cost move). */
const REFRESH_MS = 10_000;

/** The dashboard's list of projects: pages, a refresh while something runs, and failures to show. */
export class ProjectsState {
  items = $state<Project[]>([]);
  nextCursor = $state<string | null>(null);
  loading = $state(true);
  loadingMore = $state(false);
  error = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  /**
   * Whether a project's status may change by itself: it runs, waits, or has not started yet (a new
   * project's run starts as its workspace opens, and Postgres hears of it a moment later).
   */
  get active(): boolean {
    return this.items.some((p) => p.status === 'running' || p.status === 'waiting' || p.status === 'idle');
  }

  async load(): Promise<void> {
    this.loading = this.items.length === 0;
    try {
      const page = await listProjects();
      // Keep the pages already loaded beyond the first: replace only what the first page covers.
      const fresh = page.items.map((p) => p.id);
      const rest = this.items.slice(page.items.length).filter((p) => !fresh.includes(p.id));
      this.items = [...page.items, ...rest];
      if (rest.length === 0) this.nextCursor = page.nextCursor;
      this.error = '';
    } catch (error) {
      this.error = describeFailure(error);
    } finally {
      this.loading = false;
      this.#schedule();
    }
  }

  async more(): Promise<void> {
    if (!this.nextCursor || this.loadingMore) return;
    this.loadingMore = true;
    try {
      const page = await listProjects(this.nextCursor);
      const known = this.items.map((p) => p.id);
      this.items = [...this.items, ...page.items.filter((p) => !known.includes(p.id))];
      this.nextCursor = page.nextCursor;
    } catch (error) {
      this.error = describeFailure(error);
    } finally {
      this.loadingMore = false;
    }
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#disposed || !this.active) return;
    this.#timer = setTimeout(() => {
      if (document.visibilityState === 'visible') void this.load();
      else this.#schedule();
    }, REFRESH_MS);
  }
}
