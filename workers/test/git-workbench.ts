/**
 * The stock git client, for the workers tests (which run inside workerd and cannot start programs):
 * a small HTTP server on loopback, started by the global setup, that makes fresh repositories on the
 * tests' git server and works on them with the git CLI, as someone working elsewhere would: it commits
 * in a clone and pushes, and reads a branch's log and files.
 *
 * - `POST /repos` → `{ name, url, token }`: a fresh, empty repository.
 * - `POST /repos/<name>/commit` `{ path, content, message }` → `{ commit }`: a commit on `main`, pushed.
 * - `GET /repos/<name>/log` → `{ commits: [{ id, parents, author, subject }] }`: `main`'s log, newest first.
 * - `GET /repos/<name>/file?path=` → the file's text on `main`.
 * - `GET /repos/<name>/tree` → `{ <path>: <mode> }`: `main`'s files and their modes (`100755`...).
 * A commit's `executable: "true"` commits the file with its executable bit; `symlink: "true"` commits a
 * symbolic link to `content` instead of a file.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git, withToken } from '../../infra/git-server/git-cli.ts';
import type { GitServer, ServedRepository } from '../../infra/git-server/server.ts';

export interface GitWorkbench {
  origin: string;
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, string>;
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': typeof value === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
}

/** Starts the workbench over `server`'s repositories, on 127.0.0.1. */
export async function startGitWorkbench(server: GitServer): Promise<GitWorkbench> {
  const repos = new Map<string, ServedRepository>();
  const work = mkdtempSync(join(tmpdir(), 'git-workbench-'));

  async function commit(repo: ServedRepository, input: Record<string, string>): Promise<string> {
    const dir = mkdtempSync(join(work, 'clone-'));
    try {
      const url = withToken(repo.url, repo.token);
      await git(dir, ['init', '-q', '--initial-branch=main']);
      await git(dir, ['remote', 'add', 'origin', url]);
      const fetched = await git(dir, ['ls-remote', 'origin', 'refs/heads/main']);
      if (fetched.trim()) {
        await git(dir, ['fetch', '-q', 'origin', 'main']);
        await git(dir, ['checkout', '-q', '-b', 'main', 'FETCH_HEAD']);
      }
      const file = join(dir, input.path!);
      mkdirSync(dirname(file), { recursive: true });
      if (input.symlink === 'true') symlinkSync(input.content ?? '', file);
      else writeFileSync(file, input.content ?? '');
      await git(dir, ['add', '--', input.path!]);
      if (input.executable === 'true') await git(dir, ['update-index', '--chmod=+x', '--', input.path!]);
      await git(dir, ['commit', '-q', '-m', input.message ?? `Change ${input.path}`]);
      await git(dir, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      return (await git(dir, ['rev-parse', 'HEAD'])).trim();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://workbench.invalid');
    if (req.method === 'POST' && url.pathname === '/repos') {
      const name = `pp-${crypto.randomUUID().slice(0, 8)}`;
      const repo = server.createRepository(name, `tok-${crypto.randomUUID()}`);
      repos.set(name, repo);
      return send(res, 201, { name, url: repo.url, token: repo.token });
    }
    const match = /^\/repos\/([^/]+)\/(commit|log|file|tree)$/.exec(url.pathname);
    const repo = match ? repos.get(match[1]!) : undefined;
    if (!match || !repo) return send(res, 404, 'no such repository');
    if (match[2] === 'commit' && req.method === 'POST') {
      return send(res, 200, { commit: await commit(repo, await body(req)) });
    }
    if (match[2] === 'log') {
      const out = await git(repo.path, ['log', '--format=%H%x09%P%x09%an%x09%s', 'refs/heads/main']);
      const commits = out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [id, parents, author, subject] = line.split('\t');
          return { id, parents: parents ? parents.split(' ') : [], author, subject };
        });
      return send(res, 200, { commits });
    }
    if (match[2] === 'tree') {
      // `main`'s files with their modes, as `git ls-tree -r` lists them: { path: mode }.
      const out = await git(repo.path, ['ls-tree', '-r', 'refs/heads/main']);
      const modes: Record<string, string> = {};
      for (const line of out.trim().split('\n').filter(Boolean)) {
        const [info, path] = line.split('\t');
        modes[path!] = info!.split(' ')[0]!;
      }
      return send(res, 200, modes);
    }
    if (match[2] === 'file') {
      return send(
        res,
        200,
        await git(repo.path, ['show', `refs/heads/main:${url.searchParams.get('path')}`]),
      );
    }
    send(res, 405, 'method not allowed');
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, String(err)));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      rmSync(work, { recursive: true, force: true });
    },
  };
}
