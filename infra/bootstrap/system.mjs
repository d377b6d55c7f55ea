// Debian packages the stack and the tests use, installed where the OS allows (root with apt-get).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Which binary (or, for a library, which file) proves each package is installed. */
const PACKAGES = {
  'redis-server': 'redis-server',
  'docker.io': 'dockerd',
  'busybox-static': 'busybox',
  postgresql: 'pg_ctlcluster',
  chromium: 'chromium',
  prometheus: 'promtool',
  'docker-compose': 'docker-compose',
  openssl: 'openssl',
  gcc: 'cc',
  'libc6-dev': '/usr/include/stdio.h',
};

// chromium: the runner's page check of previews loads each app's page in it. gcc and libc6-dev: the
// runner builds the sandboxes' native supervisor with them (without them, sandboxes run the Node one).
export const FOR_START = ['redis-server', 'docker.io', 'busybox-static', 'chromium', 'gcc', 'libc6-dev'];
// openssl: the registry tests make a private CA with it.
export const FOR_TEST = [...FOR_START, 'postgresql', 'prometheus', 'docker-compose', 'openssl'];

function has(bin) {
  if (bin.startsWith('/')) return existsSync(bin);
  return (
    spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin} || test -x /usr/bin/${bin}`])
      .status === 0
  );
}

function canApt() {
  return process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && process.env.SAMOKODER_SKIP_APT !== '1';
}

/** Install the missing packages of `wanted`; returns those still missing (to report, not to fail on). */
export function ensureSystemPackages(wanted, log) {
  const missing = wanted.filter((pkg) => !has(PACKAGES[pkg]));
  if (missing.length === 0) return [];
  if (!canApt()) {
    log(
      `not installed: ${missing.join(', ')} (install them with: sudo apt-get install -y ${missing.join(' ')})`,
    );
    return missing;
  }
  log(`installing Debian packages: ${missing.join(' ')} (once; takes a few minutes)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { stdio: ['ignore', 'ignore', 'inherit'], env };
  try {
    execFileSync('apt-get', ['update', '-qq'], opts);
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], opts);
  } catch {
    log('apt-get failed; continuing with what is installed');
  }
  return missing.filter((pkg) => !has(PACKAGES[pkg]));
}

/**
 * A real Postgres for the test suites: Debian's cluster, started, with a fresh `samokoder_test`
 * database each run (so migrations are proven from empty). Returns its URL, or undefined.
 */
export function prepareTestPostgres(log) {
  if (!has('pg_ctlcluster') || process.getuid?.() !== 0) return undefined;
  const sh = (script) =>
    execFileSync('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  try {
    const cluster = sh('pg_lsclusters -h | awk \'NR==1 {print $1" "$2" "$3}\'').trim();
    const [version, name, port] = cluster.split(' ');
    if (!version) return undefined;
    sh(`pg_ctlcluster ${version} ${name} start 2>/dev/null || true`);
    const psql = (sql) => sh(`su postgres -c "psql -p ${port} -v ON_ERROR_STOP=1 -qAt -c \\"${sql}\\""`);
    for (let i = 0; i < 50 && spawnSync('sh', ['-c', `pg_isready -q -p ${port}`]).status !== 0; i++) {
      spawnSync('sleep', ['0.2']);
    }
    if (!psql("select 1 from pg_roles where rolname='samokoder'").trim()) {
      psql("create role samokoder login password 'samokoder' createdb");
    }
    psql('drop database if exists samokoder_test with (force)');
    psql('create database samokoder_test owner samokoder');
    log(`tests use Debian's Postgres ${version} on port ${port} (database samokoder_test, fresh)`);
    return `postgres://samokoder:samokoder@127.0.0.1:${port}/samokoder_test`;
  } catch (err) {
    log(`could not prepare the system Postgres (${String(err.message).split('\n')[0]}); tests use PGlite`);
    return undefined;
  }
}
