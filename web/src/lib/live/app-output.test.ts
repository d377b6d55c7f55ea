import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestPage } from '../../../test/browser-page.ts';
import { LiveTestServer, PROJECT_ID } from '../../../test/live-server.ts';
import { AppOutputFollower } from './app-output.svelte.ts';

/** Waits for a condition (a busy machine may take seconds); never a fixed sleep. */
const until = <T>(read: () => T) => expect.poll(read, { timeout: 15_000, interval: 20 });

/**
 * The app's output as `GET /api/projects/:id/app/output` serves it (workers/src/api/app-output.ts):
 * the current process's output from `offset` (from 0 for a process the caller did not follow),
 * waiting up to `waitMs` for more.
 */
class AppOutputEndpoint {
  process = { id: 'p1', status: 'running' as 'running' | 'exited', output: '' };
  /** The queries received: `process@offset`. */
  readonly asked: string[] = [];
  /** The next requests answered 503 `dependency_unavailable`. */
  failNext = 0;
  readonly #waiting = new Set<() => void>();

  print(text: string): void {
    this.process.output += text;
    this.#wake();
  }

  restart(id: string): void {
    this.process = { id, status: 'running', output: '' };
    this.#wake();
  }

  handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== `/api/projects/${PROJECT_ID}/app/output`) {
      response.writeHead(404).end();
      return;
    }
    const followed = url.searchParams.get('process');
    const offset = followed === this.process.id ? Number(url.searchParams.get('offset') ?? 0) : 0;
    this.asked.push(`${followed ?? '-'}@${url.searchParams.get('offset')}`);
    if (this.failNext > 0) {
      this.failNext--;
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      response.end(
        JSON.stringify({
          error: { code: 'dependency_unavailable', message: 'The sandbox is not available.' },
        }),
      );
      return;
    }
    const answer = () => {
      const { id, status, output } = this.process;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          process: { id, status, exitCode: null, signal: null, startedAt: '', endedAt: null },
          data: output.slice(offset),
          offset,
          nextOffset: output.length,
          skippedBytes: 0,
        }),
      );
    };
    if (this.process.output.length > offset || followed !== this.process.id) return answer();
    // Long poll: answer when there is more (the follower's own wait is 15 s, longer than any test).
    const wake = () => {
      this.#waiting.delete(wake);
      answer();
    };
    this.#waiting.add(wake);
    request.on('close', () => this.#waiting.delete(wake));
  };

  #wake(): void {
    for (const wake of [...this.#waiting]) wake();
  }
}

let server: LiveTestServer;
let endpoint: AppOutputEndpoint;
let follower: AppOutputFollower;

beforeEach(async () => {
  server = await new LiveTestServer().start();
  endpoint = new AppOutputEndpoint();
  server.http = endpoint.handle;
  openTestPage(server.origin);
  follower = new AppOutputFollower();
});

afterEach(async () => {
  follower.stop();
  await server.close();
  vi.unstubAllGlobals();
});

describe("the preview's app output", { timeout: 30_000 }, () => {
  it('follows the output from where it left off, without repeating it', async () => {
    endpoint.print('listening on 3000\n');
    follower.start(PROJECT_ID);
    await until(() => follower.text).toBe('listening on 3000\n');
    endpoint.print('GET / 200\n');
    await until(() => follower.text).toBe('listening on 3000\nGET / 200\n');
    // It asked from the start once, then each time from the end of what it had.
    await until(() => endpoint.asked.at(-1)).toBe('p1@28');
    expect(endpoint.asked).toEqual(['-@0', 'p1@18', 'p1@28']);
  });

  it('marks a restart of the app and shows the new run from its start', async () => {
    endpoint.print('first run\n');
    follower.start(PROJECT_ID);
    await until(() => follower.text).toBe('first run\n');
    endpoint.restart('p2');
    endpoint.print('second run\n');
    await until(() => follower.text).toBe('first run\n\n— the app restarted —\nsecond run\n');
    expect(follower.process?.id).toBe('p2');
  });

  it('says why it cannot follow the app, and goes on by itself once it can', async () => {
    endpoint.failNext = 1;
    endpoint.print('hello\n');
    follower.start(PROJECT_ID);
    await until(() => follower.error).toBe('The sandbox is not available. Try again in 1 s.');
    await until(() => follower.text).toBe('hello\n');
    expect(follower.error).toBe('');
  });
});
