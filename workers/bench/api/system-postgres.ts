/**
 * A real Postgres for one benchmark run: the machine's own server binaries (Debian's `postgresql`),
 * a cluster of their own in a temporary directory, listening on loopback only, gone when the run ends.
 * The machine's own clusters are never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startProcess, type ManagedProcess } from '../../../infra/stack/process.ts';
import { waitUntil } from '../../../infra/stack/wait.ts';

export interface BenchDatabase {
  url: string;
  /** What it is, for the table's title. */
  label: string;
  /** Stops the server and deletes its directory. */
  stop: () => Promise<void>;
}

const USER = 'samokoder';
const PASSWORD = 'samokoder';

/** The newest installed server's bin directory (`/usr/lib/postgresql/<major>/bin`), if any. */
function serverBinaries(): { bin: string; major: string } | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? { bin: join(root, majors[0], 'bin'), major: majors[0] } : undefined;
}

/**
 * Creates and starts the cluster on 127.0.0.1:`port` (password auth, as a hosted Postgres asks).
 * Undefined when no server is installed. As root, the server runs as the `postgres` user (Postgres
 * refuses to run as root).
 */
export async function systemPostgres(port: number): Promise<BenchDatabase | undefined> {
  const found = serverBinaries();
  if (!found) return undefined;
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? 'postgres' : userInfo().username;
  const run = (command: string, args: string[]) =>
    asRoot ? { command: 'runuser', args: ['-u', owner, '--', command, ...args] } : { command, args };

  const dir = mkdtempSync(join(tmpdir(), 'samokoder-load-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, PASSWORD, { mode: 0o600 });
  if (asRoot) {
    const ids = spawnSync('id', ['-u', owner], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', owner], { encoding: 'utf8' }).stdout.trim();
    chownSync(dir, Number(ids), Number(gid));
    chownSync(pwfile, Number(ids), Number(gid));
  }
  const initdb = run(join(found.bin, 'initdb'), [
    '-D',
    data,
    '-U',
    USER,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  execFileSync(initdb.command, initdb.args, { stdio: 'ignore' });

  const server = run(join(found.bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
  ]);
  let proc: ManagedProcess | undefined = startProcess({
    name: 'bench-postgres',
    command: server.command,
    args: server.args,
    logFile: join(dir, 'postgres.log'),
  });
  const started = proc;
  // A benchmark stopped by an exception or Ctrl-C must not leave the server behind.
  const onExit = () => {
    try {
      process.kill(-started.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = async () => {
    await proc?.stop();
    proc = undefined;
    process.off('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const isReady = join(found.bin, 'pg_isready');
    await waitUntil(
      'the benchmark Postgres',
      async () => spawnSync(isReady, ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0,
      { timeoutMs: 60_000, exited: started.exited },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const maxConnections = spawnSync(
    join(found.bin, 'psql'),
    ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', 'postgres', '-tAc', 'show max_connections'],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: PASSWORD } },
  ).stdout.trim();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    label: `Postgres ${found.major} (the machine's server, own cluster, max_connections ${maxConnections || '?'})`,
    stop,
  };
}
