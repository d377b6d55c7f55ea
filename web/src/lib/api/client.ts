import { hc } from 'hono/client';
import type { AppType } from '@samokoder/workers/app-type';
import { apiFetch } from './refresh.ts';

/**
 * The typed client of the Worker's API. Same origin as the UI, so the session cookies go along (and a
 * 401 refreshes them once, see refresh.ts); routes and response bodies are typed from `AppType`.
 */
export const api = hc<AppType>('/', { fetch: apiFetch, init: { credentials: 'same-origin' } }).api;

// If the declarations are missing or fail to resolve, AppType silently becomes `any` and every call
// type-checks; make that an error instead.
type IsAny<T> = 0 extends 1 & T ? true : false;
const appTypeResolved: IsAny<AppType> extends false ? true : never = true;
void appTypeResolved;
