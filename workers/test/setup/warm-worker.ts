/**
 * Every test file's first request loads the Worker under test, which takes seconds on a busy machine.
 * It is made here, before the file's tests, under a hook's generous timeout: a test's own timeout then
 * measures the test, not the load.
 */
import { beforeAll } from 'vitest';
import { api } from '../helpers/api.ts';

beforeAll(async () => {
  const res = await api('/api/health/live');
  await res.body?.cancel();
}, 120_000);
