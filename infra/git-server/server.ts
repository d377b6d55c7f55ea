/**
 * A git server for tests and benchmarks (never used by the product): git's own `git http-backend`
 * (CGI) behind a small Node HTTP server on loopback, with HTTP Basic token auth per repository. It is
 * what a GitHub, GitLab or Gitea remote looks like to a smart-HTTP client, minus their web pages.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bare repository the server serves. */
export interface ServedRepository {
  /** Its clone URL (no credentials in it). */
  url: string;
  /** Its directory on disk (a bare repository). */
  path: string;
  /** The token that opens it (as the password of HTTP Basic; any user name). */
  token: string;
  /** Runs the git CLI in the bare repository and returns its output. */
  git(...args: string[]): string;
}

/** What the server saw of one request (never the credentials). */
export interface ServedRequest {
  method: string;
  /** The path and query, e.g. `/app.git/info/refs?service=git-upload-pack`. */
  path: string;
  status: number;
  /** Bytes of the request's body. */
  bodyBytes: number;
}

export interface GitServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Every request answered, oldest first. */
  requests: ServedRequest[];
  /** Creates an empty bare repository `<name>.git` opened by `token`. */
  createRepository(name: string, token: string, opts?: { initialBranch?: string }): ServedRepository;
  stop(): Promise<void>;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

function backendPath(): string {
  return join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
}

/** The token presented as the Basic password (any user name), or null. */
function presentedToken(req: IncomingMessage): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/** Starts a server on 127.0.0.1 (a free port) over a fresh root of repositories. */
export async function startGitServer(): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'git-server-'));
  const tokens = new Map<string, string>();
  const requests: ServedRequest[] = [];
  const backend = backendPath();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://git.invalid');
    const record = (status: number, bodyBytes: number) =>
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, status, bodyBytes });
    const repo = /^\/([^/]+)\.git(\/.*)?$/.exec(url.pathname)?.[1];
    const token = repo ? tokens.get(repo) : undefined;
    if (!repo || token === undefined) {
      record(404, 0);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Repository not found\n');
      return;
    }
    if (presentedToken(req) !== token) {
      record(401, 0);
      res
        .writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' })
        .end('Authentication required\n');
      return;
    }
    runBackend(backend, root, req, res, url, record);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    requests,
    createRepository(name, token, opts = {}) {
      if (!NAME.test(name)) throw new Error(`not a repository name: ${name}`);
      const path = join(root, `${name}.git`);
      execFileSync('git', ['init', '-q', '--bare', `--initial-branch=${opts.initialBranch ?? 'main'}`, path]);
      execFileSync('git', ['-C', path, 'config', 'http.receivepack', 'true']);
      tokens.set(name, token);
      return {
        url: `${origin}/${name}.git`,
        path,
        token,
        git: (...args: string[]) => execFileSync('git', ['-C', path, ...args], { encoding: 'utf8' }),
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs one request through `git http-backend` (CGI) and relays its answer. */
function runBackend(
  backend: string,
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  record: (status: number, bodyBytes: number) => void,
) {
  const child = spawn(backend, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'tester',
      REMOTE_ADDR: '127.0.0.1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      // git http-backend inflates a gzip'd request body itself when told so.
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      // ProcessEnv is widened with the Worker's vars by worker-configuration.d.ts; the CGI needs none.
    } as unknown as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
  req.pipe(child.stdin);
  child.stdin.on('error', () => {}); // the backend may answer before it reads everything
  child.stderr.resume();

  // The answer is sent whole, with its length (test answers are small): no client depends on how a
  // chunked stream is cut.
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.on('close', () => {
    const output = Buffer.concat(chunks);
    const crlf = output.indexOf('\r\n\r\n');
    const lf = output.indexOf('\n\n');
    const split = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (split < 0) {
      record(502, bodyBytes);
      res.writeHead(502, { 'Content-Type': 'text/plain' }).end('git http-backend failed\n');
      return;
    }
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of output.subarray(0, split).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = parseInt(value, 10);
      else headers[name] = value;
    }
    const body = output.subarray(split + (split === crlf ? 4 : 2));
    record(status, bodyBytes);
    res.writeHead(status, { ...headers, 'Content-Length': String(body.length) }).end(body);
  });
  child.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
}
