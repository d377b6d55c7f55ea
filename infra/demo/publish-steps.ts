/**
 * Publishing the demo's finished app through the Worker's API, as its owner and as a stranger: what
 * each gets back, for the demo test to check (the runner's own publish tests live in
 * sandbox-runner/test/deployments.test.ts).
 */
import { loopbackRequest } from '../stack/loopback-http.ts';
import { DemoApi } from './api.ts';

export interface PublishSteps {
  /** Status and body of the owner's publish. */
  published: { status: number; url: string | null; state: string | null };
  /** What the app answered at its published origin (GET /api/todos). */
  answered: { status: number; body: unknown };
  /** Statuses another signed-in user got for read, publish, rollback, logs and unpublish. */
  stranger: number[];
  /** The owner's unpublish status, then what the published origin answered after it. */
  unpublished: number;
  afterwards: number;
}

async function call(api: DemoApi, method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.base}${path}`, {
    method,
    headers: { ...api.headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> | null };
}

/** Publishes `projectId` as its owner, tries it as a stranger, then unpublishes it. */
export async function publishSteps(owner: DemoApi, projectId: string): Promise<PublishSteps> {
  const path = `/api/projects/${projectId}/publish`;
  const published = await call(owner, 'POST', path);
  const url = typeof published.body?.url === 'string' ? published.body.url : null;
  const app = url ? await loopbackRequest(`${url}/api/todos`) : null;

  const stranger = new DemoApi(owner.base);
  await stranger.register();
  const refused = [
    (await call(stranger, 'GET', path)).status,
    (await call(stranger, 'POST', path)).status,
    (await call(stranger, 'POST', `${path}/rollback`, { version: 1 })).status,
    (await call(stranger, 'GET', `${path}/logs`)).status,
    (await call(stranger, 'DELETE', `${path}?deleteData=true`)).status,
  ];
  const still = url ? await loopbackRequest(`${url}/api/todos`) : null;

  const unpublished = await call(owner, 'DELETE', `${path}?deleteData=true`);
  const after = url ? await loopbackRequest(`${url}/api/todos`) : null;
  return {
    published: {
      status: published.status,
      url,
      state: typeof published.body?.status === 'string' ? published.body.status : null,
    },
    answered: { status: app?.status ?? 0, body: app?.status === 200 ? app.json() : app?.text() },
    // The app still answering after the stranger's tries is the proof their unpublish did nothing.
    stranger: [...refused, still?.status ?? 0],
    unpublished: unpublished.status,
    afterwards: after?.status ?? 0,
  };
}
