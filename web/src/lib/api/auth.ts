import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';
import { rememberSignedIn } from './refresh.ts';

export type User = InferResponseType<typeof api.auth.me.$get, 200>['user'];

export interface Credentials {
  email: string;
  password: string;
}

/** Create an account; the API signs it in (httpOnly cookies) and answers with the user. */
export async function register({ email, password }: Credentials): Promise<User> {
  const response = await api.auth.register.$post({ json: { email, password, delivery: 'cookie' } });
  if (response.status !== 201) throw await errorFromResponse(response);
  rememberSignedIn(true);
  return (await response.json()).user;
}

export async function login({ email, password }: Credentials): Promise<User> {
  const response = await api.auth.login.$post({ json: { email, password, delivery: 'cookie' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  rememberSignedIn(true);
  return (await response.json()).user;
}

/** End this login session. Already signed out (401) counts as done. */
export async function logout(): Promise<void> {
  const response = await api.auth.logout.$post({ json: {} });
  rememberSignedIn(false);
  if (response.status !== 204 && response.status !== 401) throw await errorFromResponse(response);
}

/** The signed-in user, or `null` when there is no session (after one refresh attempt). */
export async function me(signal?: AbortSignal): Promise<User | null> {
  const response = await api.auth.me.$get(undefined, { init: { signal, cache: 'no-store' } });
  if (response.status === 401) {
    rememberSignedIn(false);
    return null;
  }
  if (response.status !== 200) throw await errorFromResponse(response);
  return (await response.json()).user;
}
