import { exports } from 'cloudflare:workers';
import { hc } from 'hono/client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AppType } from '../src/app-type.ts';
import { registerUser } from './helpers/users.ts';

describe('typed client (hc<AppType>)', () => {
  it('calls the API with typed routes, inputs and responses', async () => {
    const user = await registerUser('hc');
    const client = hc<AppType>('http://localhost', {
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        exports.default.fetch(new Request(input, init)),
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    const created = await client.api.projects.$post({
      json: { name: 'Typed', description: 'Made by the typed client' },
    });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const project = await created.json();
    expectTypeOf(project.budgetMicros).toEqualTypeOf<number>();
    expectTypeOf(project.mode).toEqualTypeOf<'autopilot' | 'interactive'>();

    const page = await client.api.projects.$get({ query: { limit: '5' } });
    expect(page.status).toBe(200);
    if (page.status !== 200) return;
    const body = await page.json();
    expect(body.items.map((p) => p.id)).toEqual([project.id]);
    expectTypeOf(body.nextCursor).toEqualTypeOf<string | null>();

    const me = await client.api.auth.me.$get();
    if (me.status === 200) expect((await me.json()).user.email).toBe(user.email);
    expect(me.status).toBe(200);
  });
});
