/**
 * The request side of the load benchmark: signed-in users, their projects, and request loops that mix
 * the API's everyday reads and writes until a deadline, recording every answer's status and time.
 */

/** One answer: which operation, its status (0: no answer at all) and its time. */
export interface Sample {
  op: string;
  status: number;
  ms: number;
}

export interface LoadUser {
  token: string;
  /** Projects of this user that the loops read and rename. */
  projects: string[];
}

/** Every request the benchmark sends gives up after this long (counted as no answer). */
const REQUEST_TIMEOUT_MS = 60_000;

export async function request(
  base: string,
  path: string,
  init: { method?: string; token?: string; json?: unknown } = {},
): Promise<{ status: number; body: unknown; ms: number }> {
  const headers: Record<string, string> = { origin: base };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.json === undefined ? null : JSON.stringify(init.json),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a 204, or an error page): kept as text.
    }
    return { status: res.status, body, ms };
  } catch {
    return { status: 0, body: null, ms: performance.now() - started };
  }
}

function expectStatus(what: string, got: { status: number; body: unknown }, status: number): void {
  if (got.status !== status)
    throw new Error(`${what} answered ${got.status}: ${JSON.stringify(got.body).slice(0, 300)}`);
}

/** A new account (bearer token). */
export async function registerUser(base: string, tag: string): Promise<string> {
  const res = await request(base, '/api/auth/register', {
    method: 'POST',
    json: {
      email: `load-${tag}-${crypto.randomUUID()}@example.test`,
      password: `Load-${crypto.randomUUID()}`,
      delivery: 'token',
    },
  });
  expectStatus('register', res, 201);
  return (res.body as { accessToken: string }).accessToken;
}

export async function createProject(
  base: string,
  token: string,
  body: { name: string; description: string; pipeline?: 'scripted'; mode?: 'autopilot' },
): Promise<string> {
  const res = await request(base, '/api/projects', { method: 'POST', token, json: body });
  expectStatus('create project', res, 201);
  return (res.body as { id: string }).id;
}

/** A one-time ticket's `ws://` URL for the project's live channel, replaying from `after`. */
export async function liveUrl(
  base: string,
  token: string,
  projectId: string,
  after?: number,
): Promise<string> {
  const res = await request(base, `/api/projects/${projectId}/live-ticket`, { method: 'POST', token });
  expectStatus('live ticket', res, 201);
  const { url } = res.body as { url: string };
  return `${base.replace(/^http/, 'ws')}${url}${after === undefined ? '' : `&after=${after}`}`;
}

type Operation = (
  base: string,
  user: LoadUser,
  own: string[],
) => Promise<{ op: string; status: number; ms: number }>;

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** The mix, by weight: mostly reads, with renames, creations and deletions. */
const OPERATIONS: [number, Operation][] = [
  [
    25,
    async (base, user) => ({
      op: 'list projects',
      ...(await request(base, '/api/projects', { token: user.token })),
    }),
  ],
  [
    20,
    async (base, user) => ({
      op: 'get project',
      ...(await request(base, `/api/projects/${pick(user.projects)}`, { token: user.token })),
    }),
  ],
  [
    15,
    async (base, user) => ({
      op: 'file tree',
      ...(await request(base, `/api/projects/${pick(user.projects)}/files`, { token: user.token })),
    }),
  ],
  [
    15,
    async (base, user) => ({ op: 'usage', ...(await request(base, '/api/usage', { token: user.token })) }),
  ],
  [
    15,
    async (base, user) => ({
      op: 'rename project',
      ...(await request(base, `/api/projects/${pick(user.projects)}`, {
        method: 'PATCH',
        token: user.token,
        json: { name: `Renamed ${Math.floor(Math.random() * 1e6)}` },
      })),
    }),
  ],
  [
    5,
    async (base, user, own) => {
      const res = await request(base, '/api/projects', {
        method: 'POST',
        token: user.token,
        json: { name: 'Load', description: 'Created under load.' },
      });
      if (res.status === 201) own.push((res.body as { id: string }).id);
      return { op: 'create project', ...res };
    },
  ],
  [
    5,
    async (base, user, own) => {
      const id = own.pop();
      if (!id)
        return { op: 'list projects', ...(await request(base, '/api/projects', { token: user.token })) };
      return {
        op: 'delete project',
        ...(await request(base, `/api/projects/${id}`, { method: 'DELETE', token: user.token })),
      };
    },
  ],
];
const TOTAL_WEIGHT = OPERATIONS.reduce((n, [w]) => n + w, 0);

function nextOperation(): Operation {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const [weight, op] of OPERATIONS) {
    if ((r -= weight) < 0) return op;
  }
  return OPERATIONS[0]![1];
}

/** One request loop: operations back to back until `deadline`, each answer recorded. */
export async function requestLoop(
  base: string,
  user: LoadUser,
  deadline: number,
  samples: Sample[],
): Promise<void> {
  const own: string[] = [];
  while (Date.now() < deadline) {
    const { op, status, ms } = await nextOperation()(base, user, own);
    samples.push({ op, status, ms });
  }
}

/** Sequential `GET /api/health/live` until `deadline`: the Worker's own latency under the same load. */
export async function livenessLoop(base: string, deadline: number, samples: number[]): Promise<number> {
  let failures = 0;
  while (Date.now() < deadline) {
    const res = await request(base, '/api/health/live');
    if (res.status === 200) samples.push(res.ms);
    else failures++;
  }
  return failures;
}
