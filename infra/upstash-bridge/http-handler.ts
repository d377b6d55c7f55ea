import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { commandFromPath, parseCommand, parseCommandList } from './commands.ts';
import { BridgeError, badRequest } from './errors.ts';
import type { Executor } from './execute.ts';

/** Options of the HTTP handler. */
export type HandlerOptions = { token: string; executor: Executor; maxBodyBytes: number };

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT']);

/**
 * The REST surface of Upstash Redis: `POST /` with a JSON command, `POST /pipeline`, `POST /multi-exec`,
 * and the path form `/set/key/value`. Auth is `Authorization: Bearer <token>` (or `?_token=`).
 * Every failure becomes `{"error": "..."}` here and only here.
 */
export function createRequestHandler(
  options: HandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const expectedToken = digest(options.token);
  return (req, res) => {
    handle(req, options, expectedToken).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        if (error instanceof BridgeError) send(res, error.status, { error: error.message });
        else send(res, 500, { error: `ERR internal bridge error: ${String(error)}` });
      },
    );
  };
}

async function handle(
  req: IncomingMessage,
  options: HandlerOptions,
  expectedToken: Buffer,
): Promise<unknown> {
  const url = new URL(req.url ?? '/', 'http://bridge.invalid');
  if (!authorized(req, url, expectedToken)) throw new BridgeError(401, 'Unauthorized');
  const method = req.method ?? 'GET';
  if (!ALLOWED_METHODS.has(method)) throw new BridgeError(405, 'ERR method not allowed');
  const body = await readBody(req, options.maxBodyBytes);
  const base64 = String(req.headers['upstash-encoding']).toLowerCase() === 'base64';
  const { executor } = options;
  const isPost = method === 'POST';
  if (isPost && url.pathname === '/pipeline') {
    return await executor.pipeline(parseCommandList(parseJson(body)), base64);
  }
  if (isPost && url.pathname === '/multi-exec') {
    return await executor.transaction(parseCommandList(parseJson(body)), base64);
  }
  if (url.pathname === '/' && isPost) return await executor.single(parseCommand(parseJson(body)), base64);
  return await executor.single(commandFromPath(url.pathname, url.searchParams, body), base64);
}

function authorized(req: IncomingMessage, url: URL, expectedToken: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = match?.[1] ?? url.searchParams.get('_token');
  // Hash both sides so the comparison is constant-time and independent of the token's length.
  return given != null && timingSafeEqual(digest(given), expectedToken);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(maxBytes: number): BridgeError {
  return new BridgeError(413, `ERR request body is larger than ${maxBytes} bytes`);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    // When the body was not read to the end (too large), the connection cannot be reused.
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
