/**
 * The in-sandbox supervisor: the container's main process, started by the runner as `node -e <this
 * file, bundled>`. It speaks a framed binary protocol on stdin/stdout (the runner holds one attach
 * stream per container) and does the work inside the sandbox: spawn commands in their own process group,
 * stream their output, enforce the per-command timeout and output cap, file operations confined to
 * /workspace, and TCP tunnels to ports inside the sandbox (the preview) even with no network at all.
 *
 * Why a supervisor instead of `docker exec`: one exec round trip is a frame each way (milliseconds instead of
 * a runc exec), a timeout can kill the whole process group, and previews work with `NetworkMode: none`.
 * The supervisor runs as the sandbox user, so it can do nothing the sandboxed code could not do itself.
 *
 * It runs from a single `node --input-type=module -e` string (see ../../sandbox/container-spec.ts):
 * ../source.ts bundles this file and what it imports with esbuild. It may import node: builtins, its
 * siblings and the modules it shares with the runner (../frames.ts), nothing that needs a package.
 */
import { FRAME, FrameReader } from '../frames.ts';
import { fileDelete, fileList, fileRead, fileWrite, removeLostAndFound } from './files.ts';
import { killAll, procSignal, procSpawn, procs } from './processes.ts';
import { errno, log, sendJson, SupervisorError } from './protocol.ts';
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
    case 'hello':
      sayHello();
      // After the hello, so the runner's answer to its client overlaps this disk access; before any
      // other frame is handled, so no command ever sees lost+found.
      removeLostAndFound();
      return {};
    default:
      throw new SupervisorError('invalid_request', `unknown op ${String(req.op)}`);
  }
}

function onFrame(type: number, channel: number, payload: Buffer): void {
  switch (type) {
    case FRAME.REQ: {
      let req: Obj;
      try {
        req = JSON.parse(payload.toString('utf8')) as Obj;
      } catch {
        sendJson(FRAME.RES, channel, { ok: false, code: 'invalid_request', message: 'bad JSON' });
        return;
      }
      handle(req).then(
        (result) => sendJson(FRAME.RES, channel, { ok: true, ...result }),
        (err: unknown) => {
          const code = err instanceof SupervisorError ? err.code : (errno(err) ?? 'internal');
          const message = err instanceof Error ? err.message : String(err);
          sendJson(FRAME.RES, channel, { ok: false, code, message });
        },
      );
      return;
    }
    case FRAME.STDIN:
      procs.get(channel)?.child.stdin?.write(payload);
      return;
    case FRAME.STDIN_END:
      procs.get(channel)?.child.stdin?.end();
      return;
    case FRAME.TUN_DATA:
      tunnelWrite(channel, payload);
      return;
    case FRAME.TUN_END:
      tunnelEnd(channel);
      return;
    case FRAME.TUN_CLOSE:
      tunnelClose(channel);
      return;
    default:
      log(`unknown frame type ${type}`);
  }
}

const frames = new FrameReader((type, channel, payload) => {
  try {
    onFrame(type, channel, payload);
  } catch (err) {
    log(`frame ${type}/${channel}: ${err instanceof Error ? err.message : String(err)}`);
  }
});
process.stdin.on('data', (chunk: Buffer) => frames.push(chunk));
// The runner went away (its attach stream closed stdin): stop everything so the container ends.
process.stdin.on('end', () => {
  killAll();
  killStandby();
  process.exit(0);
});
process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? err.message}`));

/**
 * The hello, sent when the runner asks (its first request), never unasked: the runner attaches while
 * the container starts, and a byte written before it is attached would be lost, or worse, cut a frame.
 */
let bootMs = 0;
function sayHello(): void {
  sendJson(FRAME.EVENT, 0, {
    t: 'ready',
    pid: process.pid,
    uid: process.getuid?.() ?? -1,
    node: process.version,
    bootMs,
  });
}

prepareStandby(0);
// performance.now() counts from the process's start: Node's boot and this module's load, in ms
bootMs = Math.round(performance.now() * 10) / 10;
