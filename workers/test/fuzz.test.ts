/**
 * Hostile input against every operation of the API's OpenAPI document (a new route is fuzzed without
 * editing this file): signed in and anonymous, with the caller's own resources, another user's and
 * missing ones; text Postgres cannot store, huge strings, oversize and deeply nested bodies, wrongly
 * typed fields, invalid JSON, wrong content types, hostile queries and ids. Every answer must be below
 * 500, and every error must be the envelope `{ error: { code, message } }`.
 *
 * Deterministic (the cases come from a seeded generator) and bounded (a fixed number of cases per
 * operation).
 */
import { describe, expect, it } from 'vitest';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import type { Script } from '../src/testing/scripted-pipeline.ts';
import { settled } from './project-object/helpers.ts';
import { ownedProjectObject } from './project-object/pg.ts';
import {
  isDependencyUnavailable,
  needsRunner,
  openApiDoc,
  operations,
  resolve,
  sample,
  type Operation,
} from './helpers/openapi.ts';
import { unlimited } from './helpers/unlimited.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

/** Change it to explore other cases; a failure names the seed it happened under. */
const SEED = 20261204;
/** Cases per operation for every caller and id but the owner's own (who gets them all). */
const CASES_PER_VARIANT = 6;

/**
 * Requests of one operation in flight at once: the server must hold up under concurrent bad input too,
 * and the run takes a fraction of the time. Operations still run one after the other (those that end
 * something last), so each finds the state the ordering promises.
 */
const PARALLEL_REQUESTS = 6;

/** Runs `jobs`, at most `limit` at a time. */
async function inParallel(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
}

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request to make: what is sent besides the operation's method and path. */
interface Case {
  label: string;
  /** Replaces the sample query. */
  query?: string;
  body?: string | Uint8Array;
  contentType?: string | null;
}

const HOSTILE_STRINGS: Record<string, string> = {
  NUL: 'a\u0000b',
  'lone high surrogate': 'a\uD800',
  'lone low surrogate': '\uDC00b',
  'huge string': 'x'.repeat(200_000),
  'control characters': '\u0001\u001b[31m\r\n\t',
  'unicode noncharacters': '\uFFFE\uFFFF\u{10FFFF}',
  'path traversal': '../../../../etc/passwd',
  SQL: "'; DROP TABLE projects; --",
};

const WRONG_TYPES: Record<string, unknown> = {
  number: 12345,
  'negative float': -1.5e308,
  boolean: true,
  null: null,
  array: ['a', 1, null],
  object: { nested: { deeper: 'x' } },
};

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Every case for `op`, from its documented input (valid samples), mutated one part at a time. */
async function casesFor(op: Operation): Promise<Case[]> {
  const doc = await openApiDoc();
  const cases: Case[] = [{ label: 'valid sample' }];
  const takesBody = op.method !== 'GET' && op.method !== 'HEAD';
  if (op.body) {
    const full = (sample(doc, op.body, '', true) ?? {}) as Record<string, unknown>;
    const schema = resolve(doc, op.body);
    const fields = Object.keys(full).length > 0 ? Object.keys(full) : Object.keys(schema.properties ?? {});
    for (const field of fields) {
      for (const [what, value] of Object.entries(HOSTILE_STRINGS))
        cases.push({ label: `${field}: ${what}`, body: JSON.stringify({ ...full, [field]: value }) });
      for (const [what, value] of Object.entries(WRONG_TYPES))
        cases.push({ label: `${field} as ${what}`, body: JSON.stringify({ ...full, [field]: value }) });
    }
    cases.push({ label: 'unknown field', body: JSON.stringify({ ...full, surprise: 1 }) });
    cases.push({ label: 'hostile key', body: JSON.stringify({ ...full, 'k\u0000\uD800': 1 }) });
    cases.push({
      label: '__proto__',
      body: `{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}`,
    });
  }
  if (takesBody) {
    cases.push(
      { label: 'invalid JSON', body: '{"name": "x",' },
      { label: 'trailing garbage', body: '{}}' },
      { label: 'bare NUL', body: '\u0000' },
      { label: 'JSON array', body: '[1, 2, 3]' },
      { label: 'JSON string', body: '"just a string"' },
      { label: 'JSON null', body: 'null' },
      { label: 'deep array', body: deepArray(60_000) },
      { label: 'deep object', body: deepObject(20_000) },
      { label: 'oversize body', body: JSON.stringify({ filler: 'x'.repeat(300_000) }) },
      { label: 'empty body', body: '' },
      { label: 'text/plain', body: '{}', contentType: 'text/plain' },
      { label: 'form', body: 'name=x&description=y', contentType: 'application/x-www-form-urlencoded' },
      { label: 'multipart', body: '--b\r\n\r\nx\r\n--b--', contentType: 'multipart/form-data; boundary=b' },
      { label: 'no content type', body: '{}', contentType: null },
      { label: 'JSON in UTF-16', body: '{}', contentType: 'application/json; charset=utf-16' },
      {
        label: 'invalid UTF-8',
        body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      },
    );
  }
  for (const param of op.query) {
    for (const [what, value] of [
      ['NUL', '%00'],
      ['lone surrogate', '%ED%A0%80'],
      ['bad percent-encoding', '%E0%A4%A'],
      ['huge', 'x'.repeat(8_000)],
      ['negative', '-1'],
      ['float', '1.5'],
      ['beyond a double', '1e309'],
      ['path traversal', '..%2F..%2Fetc%2Fpasswd'],
    ] as const)
      cases.push({ label: `query ${param.name}: ${what}`, query: `${param.name}=${value}` });
    cases.push({ label: `query ${param.name} twice`, query: `${param.name}=1&${param.name}=2` });
  }
  cases.push({ label: 'unknown query parameter', query: 'surprise=1' });
  return cases;
}

/** Ids the fuzz puts in a path: the caller's, another user's, missing, and malformed ones. */
const MALFORMED_IDS: Record<string, string> = {
  'not an id': 'not-an-id',
  'huge id': 'a'.repeat(5_000),
  'NUL id': '%00',
  'lone surrogate id': '%ED%A0%80',
  'dot dot': '..',
};

interface Caller {
  label: string;
  user: TestUser | null;
}

const isEnvelope = (body: unknown): boolean => {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
};

/** Sends one case; returns a description of what is wrong with the answer, or null. */
async function send(op: Operation, id: string | null, caller: Caller, c: Case): Promise<string | null> {
  const doc = await openApiDoc();
  let path = op.path.replace('{id}', id ?? '');
  const query =
    c.query ??
    new URLSearchParams(
      op.query.filter((p) => p.required).map((p) => [p.name, String(sample(doc, p.schema ?? {}, p.name))]),
    ).toString();
  if (query) path += `?${query}`;
  const headers: Record<string, string> = {};
  if (caller.user) headers.authorization = `Bearer ${caller.user.accessToken}`;
  let body: string | Uint8Array | undefined;
  if (op.method !== 'GET' && op.method !== 'HEAD') {
    body = c.body ?? (op.body ? JSON.stringify(sample(doc, op.body)) : undefined);
    const type = c.contentType === undefined ? 'application/json' : c.contentType;
    if (body !== undefined && type !== null) headers['content-type'] = type;
  }
  let res: Response;
  try {
    res = await unlimited(path, { method: op.method, headers, ...(body !== undefined ? { body } : {}) });
  } catch (err) {
    return `threw ${String(err)}`;
  }
  const text = await res.text();
  if (op.name === 'GET /api/health' && res.status === 503) {
    // Readiness reports its dependencies; the sandbox-runner is not part of this suite's stack.
    const checks = (JSON.parse(text) as { checks: Record<string, { status: string }> }).checks;
    return checks.postgres?.status === 'up' && checks.redis?.status === 'up' ? null : `readiness: ${text}`;
  }
  if (needsRunner(op) && isDependencyUnavailable(res.status, res.headers.get('retry-after'), text))
    return null;
  if (res.status >= 500) return `${res.status}: ${text.slice(0, 300)}`;
  if (res.status >= 400) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: reported below.
    }
    if (!isEnvelope(parsed)) return `${res.status} without the envelope: ${text.slice(0, 300)}`;
  }
  return null;
}

/** Operations that end the caller's session or take its resources away run last. */
function endsSomething(op: Operation): boolean {
  return op.method === 'DELETE' || op.name === 'POST /api/auth/logout';
}

async function resources(user: TestUser): Promise<{ project: string; key: string }> {
  const script: Script = {
    steps: [{ title: 'write', actions: [{ write: 'README.md', content: '# Notes\n' }] }],
  };
  const { projectId, stub } = await ownedProjectObject({
    ownerId: user.id,
    description: JSON.stringify(script),
  });
  await stub.control('start');
  await settled(stub, ['completed']);
  const res = await unlimited('/api/keys', {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'openai', key: validFixtureKey('openai', 'fuzz'), label: 'fuzz' }),
  });
  if (res.status !== 201) throw new Error(`key not stored: ${res.status}`);
  return { project: projectId, key: (await res.json<{ id: string }>()).id };
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('never answers 5xx, and every error is the envelope', async () => {
    const random = seeded(SEED);
    const owner = await registerUser('fuzz-owner');
    const stranger = await registerUser('fuzz-stranger');
    const own = await resources(owner);
    const foreign = await resources(stranger);
    const missing = crypto.randomUUID();
    const ops = (await operations()).sort((a, b) => Number(endsSomething(a)) - Number(endsSomething(b)));
    expect(ops.length).toBeGreaterThan(20);

    const failures: string[] = [];
    let sent = 0;
    for (const op of ops) {
      const all = await casesFor(op);
      const kind = op.resource === 'key' ? 'key' : 'project';
      const ids: [string, string | null][] = op.takesId
        ? [
            ['own', own[kind]],
            ['own, upper case', own[kind].toUpperCase()],
            ['foreign', foreign[kind]],
            ['missing', missing],
            ...Object.entries(MALFORMED_IDS),
          ]
        : [['', null]];
      const callers: Caller[] = [
        { label: 'signed in', user: owner },
        { label: 'anonymous', user: null },
      ];
      const jobs: (() => Promise<void>)[] = [];
      for (const caller of callers) {
        for (const [idLabel, id] of ids) {
          // The owner with their own resource gets every case; everyone else a seeded sample.
          const thorough = caller.user === owner && (idLabel === 'own' || !op.takesId);
          const picked = thorough
            ? all
            : Array.from({ length: CASES_PER_VARIANT }, () => all[Math.floor(random() * all.length)]!);
          for (const c of picked)
            jobs.push(async () => {
              const problem = await send(op, id, caller, c);
              sent += 1;
              if (problem)
                failures.push(
                  `${op.name} [${caller.label}${idLabel ? `, ${idLabel} id` : ''}] ${c.label}: ${problem}`,
                );
            });
        }
      }
      await inParallel(jobs, PARALLEL_REQUESTS);
    }
    expect(failures, `seed ${SEED}, ${sent} requests`).toEqual([]);
    expect(sent).toBeGreaterThan(500);
  }, 600_000);
});
