/**
 * The in-sandbox supervisor: the container's main process, started by the runner as `node -e <this file,
 * types stripped>`. It speaks a framed binary protocol on stdin/stdout (the runner holds one attach
 * stream per container) and does the work inside the sandbox: spawn commands in their own process group,
 * stream their output, enforce the per-command timeout and output cap, file operations confined to
 * /workspace, and TCP tunnels to ports inside the sandbox (the preview) even with no network at all.
 *
 * Why a supervisor instead of `docker exec`: one exec round trip is a frame each way (milliseconds instead of
 * a runc exec), a timeout can kill the whole process group, and previews work with `NetworkMode: none`.
 * The supervisor runs as the sandbox user, so it can do nothing the sandboxed code could not do itself.
 *
 * It must run from a single `-e` string: ../source.ts joins the files of this folder into one module
 * (relative imports dropped, node: imports kept), so they import only node: builtins and each other,
 * with single-line imports. This file comes last: it starts the supervisor.
 */
import { fileDelete, fileList, fileRead, fileWrite, removeLostAndFound } from './files.ts';
import { killAll, procSignal, procSpawn, procs } from './processes.ts';
import { SupervisorError, errno, HEADER, log, sendJson, T } from './protocol.ts';
import type { Obj } from './protocol.ts';
import { killStandby, prepareStandby } from './standby.ts';
import { tunnelClose, tunnelConnect, tunnelEnd, tunnelWrite } from './tunnels.ts';

async function handle(req: Obj): Promise<Obj> {
  switch (req.op) {
    case 'spawn':
      return procSpawn(req);
    case 'signal':
      return procSignal(req);
    case 'write':
      return fileWrite(req);
    case 'read':
      return fileRead(req);
    case 'list':
      return fileList(req);
    case 'delete':
      return fileDelete(req);
    case 'connect':
      return tunnelConnect(req);
    case 'ping':
      return {};
    default:
      throw new SupervisorError('invalid_request', `unknown op ${String(req.op)}`);
  }
}

function onFrame(type: number, channel: number, payload: Buffer): void {
  switch (type) {
    case T.REQ: {
      let req: Obj;
      try {
        req = JSON.parse(payload.toString('utf8')) as Obj;
      } catch {
        sendJson(T.RES, channel, { ok: false, code: 'invalid_request', message: 'bad JSON' });
        return;
      }
      handle(req).then(
        (result) => sendJson(T.RES, channel, { ok: true, ...result }),
        (err: unknown) => {
          const code = err instanceof SupervisorError ? err.code : (errno(err) ?? 'internal');
          const message = err instanceof Error ? err.message : String(err);
          sendJson(T.RES, channel, { ok: false, code, message });
        },
      );
      return;
    }
    case T.STDIN:
      procs.get(channel)?.child.stdin?.write(payload);
      return;
    case T.STDIN_END:
      procs.get(channel)?.child.stdin?.end();
      return;
    case T.TUN_DATA:
      tunnelWrite(channel, payload);
      return;
    case T.TUN_END:
      tunnelEnd(channel);
      return;
    case T.TUN_CLOSE:
      tunnelClose(channel);
      return;
    default:
      log(`unknown frame type ${type}`);
  }
}

/** Reassembles frames from stdin chunks without quadratic copying on large payloads. */
let chunks: Buffer[] = [];
let buffered = 0;
function take(n: number): Buffer {
  const first = chunks[0];
  if (first && first.length >= n) {
    const out = first.subarray(0, n);
    if (first.length === n) chunks.shift();
    else chunks[0] = first.subarray(n);
    buffered -= n;
    return out;
  }
  const all = Buffer.concat(chunks);
  chunks = all.length > n ? [all.subarray(n)] : [];
  buffered -= n;
  return all.subarray(0, n);
}
let pending: { type: number; channel: number; length: number } | null = null;
process.stdin.on('data', (chunk: Buffer) => {
  chunks.push(chunk);
  buffered += chunk.length;
  for (;;) {
    if (!pending) {
      if (buffered < HEADER) return;
      const h = take(HEADER);
      pending = { type: h.readUInt8(0), channel: h.readUInt32BE(1), length: h.readUInt32BE(5) };
    }
    if (buffered < pending.length) return;
    const { type, channel, length } = pending;
    pending = null;
    try {
      onFrame(type, channel, length ? take(length) : Buffer.alloc(0));
    } catch (err) {
      log(`frame ${type}/${channel}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
});
// The runner went away (its attach stream closed stdin): stop everything so the container ends.
process.stdin.on('end', () => {
  killAll();
  killStandby();
  process.exit(0);
});
process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? err.message}`));

removeLostAndFound();
prepareStandby(0);
sendJson(T.EVENT, 0, { t: 'ready', pid: process.pid, uid: process.getuid?.() ?? -1, node: process.version });
