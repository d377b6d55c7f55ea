/**
 * The in-sandbox agent: the container's main process, started by the runner as `node -e <this file,
 * types stripped>`. It speaks a framed binary protocol on stdin/stdout (the runner holds one attach
 * stream per container) and does the work inside the sandbox: spawn commands in their own process group,
 * stream their output, enforce the per-command timeout and output cap, file operations confined to
 * /workspace, and TCP tunnels to ports inside the sandbox (the preview) even with no network at all.
 *
 * Why an agent instead of `docker exec`: one exec round trip is a frame each way (milliseconds instead of
 * a runc exec), a timeout can kill the whole process group, and previews work with `NetworkMode: none`.
 * The agent runs as the sandbox user, so it can do nothing the sandboxed code could not do itself.
 *
 * Self-contained on purpose: it must run from a single `-e` string, so it imports only node: builtins.
 * Frame layout and types are mirrored in ./frames.ts.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { posix } from 'node:path';

const WORKSPACE = '/workspace';
const HEADER = 9; // u8 type, u32 channel, u32 length

const T = {
  REQ: 1,
  RES: 2,
  EVENT: 3,
  STDOUT: 4,
  STDERR: 5,
  STDIN: 6,
  STDIN_END: 7,
  TUN_DATA: 8,
  TUN_END: 9,
  TUN_CLOSE: 10,
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

class AgentError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function send(type: number, channel: number, payload: Buffer): void {
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(channel, 1);
  header.writeUInt32BE(payload.length, 5);
  // stdout is a pipe: writes are synchronous on Linux, so frames never interleave and memory stays flat.
  process.stdout.write(payload.length ? Buffer.concat([header, payload]) : header);
}
const sendJson = (type: number, channel: number, value: Obj) =>
  send(type, channel, Buffer.from(JSON.stringify(value)));
const log = (msg: string) => process.stderr.write(`agent: ${msg}\n`);

// ---- paths: everything the file API touches stays inside /workspace -------------------------------

function assertInside(real: string, rel: string): void {
  if (real !== WORKSPACE && !real.startsWith(`${WORKSPACE}/`)) {
    throw new AgentError('path_outside_workspace', `${rel} leads outside the workspace`);
  }
}

function lexical(rel: string): string {
  if (typeof rel !== 'string' || rel.length === 0 || rel.includes('\0') || rel.startsWith('/')) {
    throw new AgentError('invalid_path', 'paths are relative to the workspace');
  }
  if (rel.split('/').includes('..')) throw new AgentError('invalid_path', 'paths must not contain ".."');
  return posix.join(WORKSPACE, rel);
}

function errno(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Every existing ancestor of `full` that is a symlink must resolve inside the workspace. */
function checkAncestors(full: string, rel: string): void {
  const parts = posix.relative(WORKSPACE, full).split('/').slice(0, -1);
  let cur = WORKSPACE;
  for (const part of parts) {
    cur = `${cur}/${part}`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch (err) {
      if (errno(err) === 'ENOENT') return;
      throw err;
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = fs.realpathSync(cur);
      } catch {
        throw new AgentError('path_outside_workspace', `${rel} goes through a dangling symlink`);
      }
      assertInside(real, rel);
    } else if (!st.isDirectory()) {
      throw new AgentError('invalid_path', `${rel}: ${part} is not a directory`);
    }
  }
}

/** Resolves an existing path (following symlinks) and checks it stays inside. */
function resolveExisting(rel: string): string {
  const full = lexical(rel);
  checkAncestors(full, rel);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch (err) {
    const code = errno(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    // A dangling symlink: say where it points if that is outside, rather than a plain "not found".
    const link = fs.lstatSync(full, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) assertInside(posix.resolve(posix.dirname(full), fs.readlinkSync(full)), rel);
    throw new AgentError('file_not_found', `${rel} does not exist`);
  }
  assertInside(real, rel);
  return real;
}

/** Resolves a path to write: parents are created, a final symlink is followed only if it stays inside. */
function resolveForWrite(rel: string): string {
  const full = lexical(rel);
  if (full === WORKSPACE) throw new AgentError('invalid_path', 'cannot write the workspace itself');
  checkAncestors(full, rel);
  let target = full;
  try {
    if (fs.lstatSync(full).isSymbolicLink()) {
      try {
        target = fs.realpathSync(full);
      } catch {
        throw new AgentError('path_outside_workspace', `${rel} is a dangling symlink`);
      }
      assertInside(target, rel);
    }
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  fs.mkdirSync(posix.dirname(target), { recursive: true });
  return target;
}

function fileWrite(req: Obj): Obj {
  const files = req.files;
  if (!Array.isArray(files)) throw new AgentError('invalid_request', 'files must be an array');
  let bytes = 0;
  for (const file of files) {
    if (typeof file !== 'object' || file === null || Array.isArray(file)) continue;
    const path = String(file.path);
    const data = Buffer.from(String(file.data), 'base64');
    const target = resolveForWrite(path);
    try {
      fs.writeFileSync(target, data);
    } catch (err) {
      if (errno(err) === 'EISDIR') throw new AgentError('not_a_file', `${path} is a directory`);
      if (errno(err) === 'ENOSPC')
        throw new AgentError('no_space', `no space left in the workspace writing ${path}`);
      throw err;
    }
    if (typeof file.mode === 'number') fs.chmodSync(target, file.mode);
    bytes += data.length;
  }
  return { written: files.length, bytes };
}

function fileRead(req: Obj): Obj {
  const path = String(req.path);
  const real = resolveExisting(path);
  const st = fs.statSync(real);
  if (!st.isFile()) throw new AgentError('not_a_file', `${path} is not a file`);
  const max = typeof req.maxBytes === 'number' ? req.maxBytes : Infinity;
  if (st.size > max) throw new AgentError('file_too_large', `${path} is ${st.size} bytes (limit ${max})`);
  return { data: fs.readFileSync(real).toString('base64'), size: st.size };
}

function fileList(req: Obj): Obj {
  const rel = typeof req.path === 'string' && req.path !== '' ? req.path : '.';
  const root = rel === '.' ? WORKSPACE : resolveExisting(rel);
  if (!fs.statSync(root).isDirectory()) throw new AgentError('not_a_file', `${rel} is not a directory`);
  const depth = typeof req.depth === 'number' ? req.depth : 1;
  const limit = typeof req.limit === 'number' ? req.limit : 5000;
  const entries: Obj[] = [];
  let truncated = false;
  const walk = (dir: string, level: number) => {
    for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entries.length >= limit) {
        truncated = true;
        return;
      }
      const abs = posix.join(dir, dirent.name);
      const type = dirent.isSymbolicLink()
        ? 'symlink'
        : dirent.isDirectory()
          ? 'dir'
          : dirent.isFile()
            ? 'file'
            : 'other';
      let size = 0;
      try {
        size = type === 'file' ? fs.lstatSync(abs).size : 0;
      } catch {
        // removed while listing
      }
      entries.push({ path: posix.relative(WORKSPACE, abs), type, size });
      if (type === 'dir' && level < depth) walk(abs, level + 1); // symlinks are listed, never followed
    }
  };
  walk(root, 1);
  return { entries, truncated };
}

function fileDelete(req: Obj): Obj {
  const path = String(req.path);
  const full = lexical(path);
  if (full === WORKSPACE) throw new AgentError('invalid_path', 'cannot delete the workspace itself');
  checkAncestors(full, path);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch {
    throw new AgentError('file_not_found', `${path} does not exist`);
  }
  if (st.isDirectory() && req.recursive !== true) {
    throw new AgentError('invalid_request', `${path} is a directory: delete it with recursive=true`);
  }
  // rm removes a symlink itself, never what it points to.
  fs.rmSync(full, { recursive: req.recursive === true, force: false });
  return {};
}

// ---- processes ---------------------------------------------------------------------------------------

/** Keeps the first half of the output live and a ring of the last half, so a flood keeps its tail. */
class OutputCap {
  private headLeft: number;
  private readonly tailMax: number;
  private tail: { type: number; buf: Buffer }[] = [];
  private tailLen = 0;
  omitted = 0;
  constructor(limit: number) {
    this.headLeft = Math.floor(limit / 2);
    this.tailMax = limit - this.headLeft;
  }
  push(type: number, channel: number, buf: Buffer): void {
    if (this.headLeft > 0) {
      const head = buf.subarray(0, this.headLeft);
      this.headLeft -= head.length;
      send(type, channel, head);
      buf = buf.subarray(head.length);
      if (buf.length === 0) return;
    }
    this.tail.push({ type, buf });
    this.tailLen += buf.length;
    while (this.tailLen > this.tailMax) {
      const first = this.tail[0];
      if (!first) break;
      const excess = this.tailLen - this.tailMax;
      if (first.buf.length <= excess) {
        this.tail.shift();
        this.tailLen -= first.buf.length;
        this.omitted += first.buf.length;
      } else {
        first.buf = first.buf.subarray(excess);
        this.tailLen -= excess;
        this.omitted += excess;
      }
    }
  }
  flush(channel: number): void {
    if (this.omitted > 0) sendJson(T.EVENT, channel, { t: 'truncated', omittedBytes: this.omitted });
    for (const { type, buf } of this.tail) send(type, channel, buf);
    this.tail = [];
    this.tailLen = 0;
  }
}

interface Proc {
  child: ChildProcess;
  startedAt: number;
  timedOut: boolean;
  cap: OutputCap | null;
  oomBefore: number;
  timers: NodeJS.Timeout[];
  exitCode: number | null;
  signal: string | null;
}
const procs = new Map<number, Proc>();

/** The cgroup's OOM kill counter (v1 memory.oom_control or v2 memory.events), or -1 if unreadable. */
function oomKills(): number {
  for (const file of ['/sys/fs/cgroup/memory/memory.oom_control', '/sys/fs/cgroup/memory.events']) {
    try {
      const match = /^oom_kill (\d+)$/m.exec(fs.readFileSync(file, 'utf8'));
      if (match?.[1]) return Number(match[1]);
    } catch {
      // try the next layout
    }
  }
  return -1;
}

function killGroup(proc: Proc, signal: NodeJS.Signals): void {
  const pid = proc.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal); // detached: the child leads its own session and process group
  } catch {
    // already gone
  }
}

function strings(value: Json | undefined): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

function procSpawn(req: Obj): Obj {
  const id = Number(req.proc);
  if (procs.has(id)) throw new AgentError('invalid_request', `process ${id} exists`);
  const argv = typeof req.command === 'string' ? ['/bin/sh', '-c', req.command] : strings(req.argv);
  if (!argv?.[0]) throw new AgentError('invalid_request', 'command or argv required');
  const cwd = typeof req.cwd === 'string' ? resolveExisting(req.cwd) : WORKSPACE;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (req.env && typeof req.env === 'object' && !Array.isArray(req.env)) {
    for (const [k, v] of Object.entries(req.env)) env[k] = String(v);
  }
  const child = spawn(argv[0], argv.slice(1), {
    cwd,
    env,
    detached: true,
    stdio: [req.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const limit = typeof req.outputLimit === 'number' && req.outputLimit > 0 ? req.outputLimit : 0;
  const proc: Proc = {
    child,
    startedAt: performance.now(),
    timedOut: false,
    cap: limit ? new OutputCap(limit) : null,
    oomBefore: oomKills(),
    timers: [],
    exitCode: null,
    signal: null,
  };
  procs.set(id, proc);
  if (child.pid !== undefined) {
    // Make the command, not the agent, the OOM killer's first choice (raising needs no privilege).
    try {
      fs.writeFileSync(`/proc/${child.pid}/oom_score_adj`, '1000');
    } catch {
      // it may have exited already
    }
  }
  const onData = (type: number) => (buf: Buffer) => {
    if (proc.cap) proc.cap.push(type, id, buf);
    else send(type, id, buf);
  };
  child.stdout?.on('data', onData(T.STDOUT));
  child.stderr?.on('data', onData(T.STDERR));
  child.stdin?.on('error', () => {}); // EPIPE when the command does not read its stdin

  const grace = typeof req.killGraceMs === 'number' ? req.killGraceMs : 2000;
  if (typeof req.timeoutMs === 'number' && req.timeoutMs > 0) {
    proc.timers.push(
      setTimeout(() => {
        proc.timedOut = true;
        killGroup(proc, 'SIGTERM');
        proc.timers.push(setTimeout(() => killGroup(proc, 'SIGKILL'), grace));
      }, req.timeoutMs),
    );
  }
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    for (const t of proc.timers) clearTimeout(t);
    killGroup(proc, 'SIGKILL'); // leftovers of the command (backgrounded children) die with it
    proc.cap?.flush(id);
    const oomAfter = oomKills();
    sendJson(T.EVENT, id, {
      t: 'exit',
      exitCode: proc.exitCode,
      signal: proc.signal,
      durationMs: Math.round(performance.now() - proc.startedAt),
      timedOut: proc.timedOut,
      truncated: (proc.cap?.omitted ?? 0) > 0,
      oomKilled: proc.oomBefore >= 0 && oomAfter > proc.oomBefore,
    });
    procs.delete(id);
  };
  child.on('error', (err) => {
    // spawn failure (ENOENT, EACCES): report like a shell would, then end the command
    send(T.STDERR, id, Buffer.from(`${argv[0]}: ${err.message}\n`));
    proc.exitCode = errno(err) === 'ENOENT' ? 127 : 126;
    finish();
  });
  child.on('exit', (code, signal) => {
    proc.exitCode = code;
    proc.signal = signal;
    // Give the pipes a moment to drain, then stop waiting for children that still hold them.
    proc.timers.push(
      setTimeout(() => {
        killGroup(proc, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, 100),
    );
  });
  child.on('close', finish);
  return { pid: child.pid ?? -1 };
}

function procSignal(req: Obj): Obj {
  const proc = procs.get(Number(req.proc));
  if (!proc) throw new AgentError('process_not_found', 'no such process');
  killGroup(proc, String(req.signal) as NodeJS.Signals);
  return {};
}

// ---- tunnels (preview) -------------------------------------------------------------------------------

const tunnels = new Map<number, net.Socket>();

function tunnelConnect(req: Obj): Promise<Obj> {
  const id = Number(req.tunnel);
  const port = Number(req.port);
  const attempt = (host: string) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  // Dev servers bind 127.0.0.1, ::1 or both, depending on how `localhost` resolved for them.
  return attempt('127.0.0.1')
    .catch(() => attempt('::1'))
    .then(
      (socket) => {
        socket.removeAllListeners('error');
        tunnels.set(id, socket);
        socket.setNoDelay(true);
        socket.on('data', (buf: Buffer) => send(T.TUN_DATA, id, buf));
        socket.on('end', () => send(T.TUN_END, id, Buffer.alloc(0)));
        socket.on('error', () => {});
        socket.on('close', () => {
          if (tunnels.delete(id)) send(T.TUN_CLOSE, id, Buffer.alloc(0));
        });
        return {};
      },
      () => {
        throw new AgentError('connect_failed', `nothing listens on port ${port} in the sandbox`);
      },
    );
}

// ---- dispatch ----------------------------------------------------------------------------------------

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
      throw new AgentError('invalid_request', `unknown op ${String(req.op)}`);
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
          const code = err instanceof AgentError ? err.code : (errno(err) ?? 'internal');
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
      tunnels.get(channel)?.write(payload);
      return;
    case T.TUN_END:
      tunnels.get(channel)?.end();
      return;
    case T.TUN_CLOSE: {
      const socket = tunnels.get(channel);
      tunnels.delete(channel);
      socket?.destroy();
      return;
    }
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
  for (const proc of procs.values()) killGroup(proc, 'SIGKILL');
  process.exit(0);
});
process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? err.message}`));

sendJson(T.EVENT, 0, { t: 'ready', pid: process.pid, uid: process.getuid?.() ?? -1, node: process.version });
