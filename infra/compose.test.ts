import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './stack/config.ts';
import { which } from './stack/which.ts';

const composeFile = join(repoRoot, 'docker-compose.local.yml');

function composeConfig(file: string): { status: number | null; output: string } {
  const bin = which('docker-compose');
  if (!bin) throw new Error('docker-compose is not installed: apt-get install -y docker-compose');
  const res = spawnSync(bin, ['-f', file, 'config', '-q'], { cwd: repoRoot, encoding: 'utf8' });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

// docker-compose is a Python program: on a busy machine it can take seconds just to start.
const COMPOSE_TIMEOUT_MS = 60_000;

describe('docker-compose.local.yml', () => {
  it('is a valid Compose file', { timeout: COMPOSE_TIMEOUT_MS }, () => {
    const res = composeConfig(composeFile);
    expect(res.output).toBe('');
    expect(res.status).toBe(0);
  });

  it('is rejected by the same check when a service is malformed', { timeout: COMPOSE_TIMEOUT_MS }, () => {
    const broken = readFileSync(composeFile, 'utf8').replace(
      '  redis:\n',
      '  redis:\n    restart_policy: sometimes\n',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'compose-')), 'docker-compose.yml');
    writeFileSync(file, broken);
    expect(composeConfig(file).status).not.toBe(0);
  });

  it('mounts and builds only files that exist in the repository', () => {
    const text = readFileSync(composeFile, 'utf8');
    const paths = [...text.matchAll(/\.\/(infra\/[^:\s']+)/g), ...text.matchAll(/dockerfile: (\S+)/g)].map(
      (m) => m[1]!,
    );
    expect(paths.length).toBeGreaterThan(3);
    for (const path of paths) expect(existsSync(join(repoRoot, path)), path).toBe(true);
  });
});
