import { describeFailure } from '$lib/api/errors.ts';
import { addKey, deleteKey, listKeys, testKey, type LlmKey, type NewKey } from '$lib/api/keys.ts';

export interface TestOutcome {
  ok: boolean;
  message: string;
}

/** The keys list of the settings page: loading, adding, testing and deleting, each with its outcome. */
export class KeysState {
  items = $state<LlmKey[]>([]);
  loading = $state(true);
  loadError = $state('');
  /** Keys with a test or a delete in flight. */
  busy = $state<Record<string, 'testing' | 'deleting'>>({});
  /** The latest test outcome per key, shown beside it. */
  outcomes = $state<Record<string, TestOutcome>>({});
  /** What a failed delete said, per key. */
  errors = $state<Record<string, string>>({});

  async load(signal?: AbortSignal): Promise<void> {
    this.loading = true;
    this.loadError = '';
    try {
      this.items = await listKeys(signal);
    } catch (error) {
      if (!signal?.aborted) this.loadError = describeFailure(error);
    } finally {
      this.loading = false;
    }
  }

  /** Adds a key; errors are thrown for the form to show beside its fields. */
  async add(key: NewKey): Promise<LlmKey> {
    const stored = await addKey(key);
    this.items = [stored, ...this.items];
    return stored;
  }

  async test(id: string): Promise<void> {
    this.busy[id] = 'testing';
    delete this.outcomes[id];
    try {
      const result = await testKey(id);
      this.outcomes[id] = { ok: result.ok, message: result.message };
      this.items = this.items.map((k) => (k.id === id ? result.key : k));
    } catch (error) {
      this.outcomes[id] = { ok: false, message: describeFailure(error) };
    } finally {
      delete this.busy[id];
    }
  }

  async remove(id: string): Promise<boolean> {
    this.busy[id] = 'deleting';
    delete this.errors[id];
    try {
      await deleteKey(id);
      this.items = this.items.filter((k) => k.id !== id);
      return true;
    } catch (error) {
      this.errors[id] = describeFailure(error);
      return false;
    } finally {
      delete this.busy[id];
    }
  }
}
