import { call, randomIp, uniqueEmail } from './api.ts';

/** A registered user with API (bearer) tokens, and the IP its requests come from. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  ip: string;
  accessToken: string;
  refreshToken: string;
}

export const GOOD_PASSWORD = 'correct horse battery staple';

interface SessionBody {
  user: { id: string; email: string };
  accessToken: string;
  refreshToken: string;
}

/** Register a fresh user (unique email, its own IP) and return its tokens. */
export async function registerUser(tag = 'user'): Promise<TestUser> {
  const email = uniqueEmail(tag);
  const ip = randomIp();
  const res = await call('/api/auth/register', {
    json: { email, password: GOOD_PASSWORD, delivery: 'token' },
    ip,
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const body = await res.json<SessionBody>();
  return {
    id: body.user.id,
    email,
    password: GOOD_PASSWORD,
    ip,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
  };
}
