import { describeFailure } from '$lib/api/errors.ts';
import {
  createGitToken,
  listGitTokens,
  revokeGitToken,
  type CreatedGitToken,
  type GitToken,
} from '$lib/api/git-tokens.ts';

/** The git access tokens of the settings page: loading, creating (the token shown once) and revoking. */
export class GitAccessState {
  items = $state<GitToken[]>([]);
  loading = $state(true);
  loadError = $state('');
  /** The token just created, shown until the page is left: it is never shown again. */
  created = $state<CreatedGitToken | null>(null);
  creating = $state(false);
  createError = $state('');
  /** Tokens with a revocation in flight, and what a failed one said. */
  revoking = $state<Record<string, boolean>>({});
  errors = $state<Record<string, string>>({});

  async load(signal?: AbortSignal): Promise<void> {
    this.loading = true;
    this.loadError = '';
    try {
      this.items = await listGitTokens(signal);
    } catch (error) {
      if (!signal?.aborted) this.loadError = describeFailure(error);
    } finally {
      this.loading = false;
    }
  }

  async create(name: string, expiresInDays: number | null): Promise<boolean> {
    this.creating = true;
    this.createError = '';
    try {
      const created = await createGitToken({ name, ...(expiresInDays ? { expiresInDays } : {}) });
      this.created = created;
      const { token: _shownOnce, ...listed } = created;
      this.items = [listed, ...this.items];
      return true;
    } catch (error) {
      this.createError = describeFailure(error);
      return false;
    } finally {
      this.creating = false;
    }
  }

  async revoke(id: string): Promise<boolean> {
    this.revoking[id] = true;
    delete this.errors[id];
    try {
      await revokeGitToken(id);
      this.items = this.items.filter((t) => t.id !== id);
      if (this.created?.id === id) this.created = null;
      return true;
    } catch (error) {
      this.errors[id] = describeFailure(error);
      return false;
    } finally {
      delete this.revoking[id];
    }
  }
}
