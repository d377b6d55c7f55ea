import { createMiddleware } from 'hono/factory';
import { assertNoForeignOrigin } from '../../auth/origin.ts';
import type { AppEnv } from '../../env.ts';

/** Refuses any unsafe request that states a foreign Origin (see `assertNoForeignOrigin`). */
export const originGuard = createMiddleware<AppEnv>(async (c, next) => {
  assertNoForeignOrigin(c);
  await next();
});
