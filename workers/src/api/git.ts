/**
 * `/git/<projectId>.git/...`: the project's history over git's smart HTTP protocol, for clone and fetch
 * with the stock git client. Git authenticates with HTTP Basic: any user name, a personal access token
 * (Settings → Git access) as the password. The Worker checks the token and that the project is its
 * owner's (a project not theirs answers like one that does not exist); the project's object answers.
 * Pushing is not offered: `git-receive-pack` is refused with a 403 that says so.
 */
import { Hono, type Context } from 'hono';
import { userOfGitToken } from '../auth/git-tokens.ts';
import { fromBase64, fromUtf8 } from '../crypto/bytes.ts';
import type { AppEnv } from '../env.ts';
import { UPLOAD_PACK_TYPES } from '../git/upload-pack.ts';
import { clientAddress } from '../limits/client-address.ts';
import { parseProjectId, type ProjectId } from '../ids.ts';
import { projectStub } from '../project-object/stub.ts';
import { ApiError } from './errors.ts';
import { accessLog } from './middleware/access-log.ts';
import { database } from './middleware/database.ts';
import { enforceLimit } from './middleware/rate-limit.ts';
import { requestId } from './middleware/request-id.ts';
import { notFound, onError } from './on-error.ts';
import { ownsProject, projectNotFound } from './project-access.ts';

/** Largest negotiation a client may send (wants and haves: a few KB even for a long history). */
const MAX_REQUEST_BYTES = 1024 * 1024;

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Samokoder", charset="UTF-8"' };

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, { headers: CHALLENGE });
}

/** The password of a Basic Authorization header (git's user name is ignored), or null. */
function basicPassword(header: string | undefined): string | null {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim()) : null;
  if (!match) return null;
  let decoded: string;
  try {
    decoded = fromUtf8(fromBase64(match[1]!));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * The project of the path, once the token is checked and the project is its owner's. A wrong token is
 * counted against the client address's `auth` limit, as a failed login is.
 */
async function authorizedProject(c: Context<AppEnv>, repo: string): Promise<ProjectId> {
  const token = basicPassword(c.req.header('authorization'));
  if (token === null)
    throw unauthorized('Git needs a personal access token: create one in Settings → Git access.');
  const userId = await userOfGitToken(await c.var.db(), token);
  if (!userId) {
    c.var.releaseDb();
    await enforceLimit(c.env, 'auth', `git:${clientAddress(c.req.raw, c.env)}`, c.get('requestId'));
    throw unauthorized('The token is not valid: it was revoked, it expired, or it was mistyped.');
  }
  c.set('userId', userId);
  const projectId = parseProjectId(repo.endsWith('.git') ? repo.slice(0, -4) : repo);
  if (!projectId || !(await ownsProject(await c.var.db(), userId, projectId))) throw projectNotFound();
  c.var.releaseDb();
  return projectId;
}

/** The repository segment of a git path (`/git/<projectId>.git/...`); parsed to a project id by its caller. */
function repoOf(path: string): string {
  return /^\/git\/([^/]+)\//.exec(path)?.[1] ?? '';
}

function refusePush(): never {
  throw new ApiError(403, 'forbidden', 'Pushing to Samokoder is not offered: clone and fetch only.');
}

/** The request's body, gunzipped when git compressed it, within the size limit. */
async function requestBody(c: Context<AppEnv>): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_REQUEST_BYTES) throw new ApiError(413, 'payload_too_large', 'The request is too large.');
  let stream = c.req.raw.body ?? new Blob([]).stream();
  if (c.req.header('content-encoding')?.toLowerCase() === 'gzip') {
    stream = stream.pipeThrough(new DecompressionStream('gzip'));
  }
  const body = new Uint8Array(await new Response(stream).arrayBuffer());
  if (body.length > MAX_REQUEST_BYTES)
    throw new ApiError(413, 'payload_too_large', 'The request is too large.');
  return body;
}

const gitHeaders = (type: string) => ({ 'Content-Type': type, 'Cache-Control': 'no-cache, no-store' });

/** The git routes, mounted at `/git`. */
export const git = new Hono<AppEnv>()
  .use(requestId)
  .use(accessLog)
  .use(database)
  .get('/:repo/info/refs', async (c) => {
    const service = c.req.query('service');
    if (service === 'git-receive-pack') refusePush();
    if (service !== 'git-upload-pack') {
      throw new ApiError(
        400,
        'bad_request',
        'Only the smart HTTP protocol is served: use a git client of 1.6.6 or later.',
      );
    }
    const projectId = await authorizedProject(c, repoOf(c.req.path));
    const body = await projectStub(c.env, projectId).gitAdvertisement();
    return c.body(new Uint8Array(body), 200, gitHeaders(UPLOAD_PACK_TYPES.advertisement));
  })
  .post('/:repo/git-upload-pack', async (c) => {
    const projectId = await authorizedProject(c, repoOf(c.req.path));
    const request = await requestBody(c);
    const answer = await projectStub(c.env, projectId).gitUploadPack(request);
    return c.body(new Uint8Array(answer), 200, gitHeaders(UPLOAD_PACK_TYPES.result));
  })
  .post('/:repo/git-receive-pack', () => refusePush());
git.onError(onError);
git.notFound(notFound);
