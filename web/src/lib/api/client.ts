import { hc } from 'hono/client';
import type { AppType } from '@samokoder/workers/app-type';

/**
 * The typed client of the Worker's API. Same origin as the UI, so the session cookie goes along;
 * routes and response bodies are typed from the Worker's `AppType`.
 */
export const api = hc<AppType>('/', { init: { credentials: 'same-origin' } }).api;

// If the declarations are missing or fail to resolve, AppType silently becomes `any` and every call
// type-checks; make that an error instead.
type IsAny<T> = 0 extends 1 & T ? true : false;
const appTypeResolved: IsAny<AppType> extends false ? true : never = true;
void appTypeResolved;
