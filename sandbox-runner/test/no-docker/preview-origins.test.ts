/**
 * Requests are routed by their Host before the API sees them: a preview origin is answered by the
 * preview side (its error page or envelope), never by the API's routes, whatever the path or the
 * credentials. The runner listens on loopback (the routing is the server's, which `inject` bypasses);
 * its Docker engine does not answer, and no sandbox exists.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loopbackLookup, loopbackRequest } from '../../../infra/stack/loopback-http.ts';
import type { LoopbackResponse } from '../../../infra/stack/loopback-http.ts';
import { PreviewOrigins } from '../../src/preview/origins.ts';
import { signPreviewToken } from '../../src/tokens.ts';
import { bearer, enginelessRunner, SECRET } from './runner.ts';
import type { EnginelessRunner } from './runner.ts';

const PREVIEW_DOMAIN = 'preview.example.test';

let runner: EnginelessRunner;
let port: number;
let origins: PreviewOrigins;
beforeAll(async () => {
  runner = await enginelessRunner({ previewOrigin: `https://*.${PREVIEW_DOMAIN}` });
  await runner.app.listen({ host: '127.0.0.1', port: 0 });
  port = (runner.app.server.address() as AddressInfo).port;
  origins = new PreviewOrigins(`https://*.${PREVIEW_DOMAIN}`, SECRET);
}, 60_000);
afterAll(() => runner.close());

/** A label of the right shape for `projectId`'s app on `appPort`. */
const label = (projectId: string, appPort: number) => `${origins.projectHash(projectId)}-${appPort}`;

/** One request to the runner's listener with `host` as the Host header. */
async function at(
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<LoopbackResponse> {
  return loopbackRequest(`http://127.0.0.1:${port}${path}`, { headers: { host, ...headers } });
}

/** Asserts the preview side's JSON refusal (no request id: it is not the API's envelope). */
function expectPreviewRefusal(res: LoopbackResponse, status: number, code: string, message: RegExp): void {
  expect({ status: res.status, body: res.text() }).toMatchObject({ status });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.json()).toEqual({ error: { code, message: expect.stringMatching(message) as unknown } });
}

describe('a Host that is a preview origin', () => {
  it('with a name that is no preview label: 404, on the local and the configured domain', async () => {
    for (const host of [
      `nonsense.localhost:${port}`,
      `nonsense.${PREVIEW_DOMAIN}`,
      `a.b.${PREVIEW_DOMAIN}`,
    ]) {
      expectPreviewRefusal(await at(host, '/'), 404, 'not_found', /no preview at this address/);
    }
  });

  it('without a session: 401, telling a person to open it from Samokoder', async () => {
    const host = `${label('project-a', 3000)}.${PREVIEW_DOMAIN}`;
    expectPreviewRefusal(await at(host, '/'), 401, 'unauthorized', /needs a link/);
    const page = await at(host, '/', { accept: 'text/html,application/xhtml+xml' });
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(page.text()).toMatch(/Preview tab of your project/);
  });

  it("with a link for another app, or for a sandbox that is gone: refused, the link's token never echoed", async () => {
    const token = await signPreviewToken(SECRET, {
      projectId: 'project-a',
      sandboxId: 'sb_aaaaaaaaaaaaaaaaaaaa',
      port: 3000,
    });
    const other = await at(`${label('project-b', 3000)}.${PREVIEW_DOMAIN}`, `/?sk_preview=${token}`);
    expectPreviewRefusal(other, 401, 'unauthorized', /for another app/);
    const gone = await at(`${label('project-a', 3000)}.${PREVIEW_DOMAIN}`, `/?sk_preview=${token}`);
    expectPreviewRefusal(gone, 404, 'sandbox_not_found', /preview has ended/);
    for (const res of [other, gone]) {
      expect(res.text()).not.toContain(token);
      expect(res.cookies()).toEqual([]);
    }
  });

  it("never reaches the API: not its routes, not its health, not with the API's own token", async () => {
    const host = `${label('project-a', 3000)}.${PREVIEW_DOMAIN}`;
    const auth = await bearer('project-a');
    for (const path of ['/v1/sandboxes', '/healthz', '/metrics']) {
      expectPreviewRefusal(await at(host, path, auth), 401, 'unauthorized', /needs a link/);
    }
    // the same requests at the runner's own address are the API's
    const api = await at(`127.0.0.1:${port}`, '/v1/sandboxes', auth);
    expect({ status: api.status, body: api.json() }).toEqual({ status: 200, body: { sandboxes: [] } });
  });

  it('refuses a WebSocket upgrade without a session, and the API takes none', async () => {
    const upgrade = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`ws://${host}/`, { lookup: loopbackLookup });
        socket.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('open', () => reject(new Error(`${host} accepted a WebSocket`)));
        socket.on('error', reject);
      });
    expect(await upgrade(`${label('project-a', 3000)}.localhost:${port}`)).toBe(401);
    expect(await upgrade(`nonsense.localhost:${port}`)).toBe(404);
    expect(await upgrade(`127.0.0.1:${port}`)).toBe(404);
  });
});
