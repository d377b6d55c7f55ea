/**
 * The first request of a worker's first test file loads the Worker under test, which takes seconds on a
 * busy machine (the files after it reuse the loaded Worker). It is made here, before each file's tests,
 * under a hook's generous timeout: a test's own timeout then measures the test, not the load.
 */
import { beforeAll } from 'vitest';
import { api } from '../helpers/api.ts';

beforeAll(async () => {
  const res = await api('/api/health/live');
  await res.body?.cancel();
}, 120_000);
