/**
 * The publish API's guard rails inside workerd: another user's project is a 404 on every publish route,
 * and without a sandbox-runner the owner gets a 503 with Retry-After in the one envelope. Publishing for
 * real (a runner, the app answering at its origin) is checked by the demo test in infra/demo/.
 */
import { describe, expect, it } from 'vitest';
import { call, errorOf } from './helpers/api.ts';
import { createProject } from './helpers/projects.ts';
import { registerUser } from './helpers/users.ts';

const routes = (id: string) =>
  [
    ['POST', `/api/projects/${id}/publish`, undefined],
    ['GET', `/api/projects/${id}/publish`, undefined],
    ['POST', `/api/projects/${id}/publish/rollback`, { version: 1 }],
    ['GET', `/api/projects/${id}/publish/logs`, undefined],
    ['DELETE', `/api/projects/${id}/publish?deleteData=true`, undefined],
  ] as const;

describe('the publish API', () => {
  it("is the owner's only: another user gets 404 on every route, the owner a 503 without a runner", async () => {
    const owner = await registerUser('publisher');
    const stranger = await registerUser('stranger');
    const project = await createProject(owner);
    for (const [method, path, json] of routes(project.id)) {
      const refused = await call(path, { method, token: stranger.accessToken, json });
      expect(refused.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(refused)).code).toBe('not_found');

      const owners = await call(path, { method, token: owner.accessToken, json });
      expect(owners.status, `${method} ${path}`).toBe(503);
      expect(owners.headers.get('retry-after')).toBe('5');
      expect(await errorOf(owners)).toMatchObject({ code: 'dependency_unavailable' });
    }
  });
});
