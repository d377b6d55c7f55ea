import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryGit as git, withToken } from './git-cli.ts';
import { startGitServer, type GitServer } from './server.ts';

let server: GitServer;
const work = mkdtempSync(join(tmpdir(), 'git-server-test-'));
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

// The git CLI is spawned many times: on a busy machine that takes far longer than the default 5 s.
describe('the test git server', { timeout: 60_000 }, () => {
  it('lets the stock git client push and clone with the repository token', async () => {
    const repo = server.createRepository('served', 'tok-served-1');
    const source = join(work, 'source');
    execFileSync('git', ['init', '-q', '--initial-branch=main', source]);
    writeFileSync(join(source, 'README.md'), '# Served\n');
    expect((await git(source, ['add', '.'])).status).toBe(0);
    expect((await git(source, ['commit', '-q', '-m', 'First'])).status).toBe(0);
    const pushed = await git(source, ['push', withToken(repo.url, repo.token), 'main']);
    expect(pushed.status, pushed.stderr).toBe(0);
    expect(repo.git('log', '--format=%s', 'main')).toBe('First\n');

    const cloned = await git(work, ['clone', '-q', withToken(repo.url, repo.token), 'copy']);
    expect(cloned.status, cloned.stderr).toBe(0);
    expect((await git(join(work, 'copy'), ['log', '--format=%s'])).stdout).toBe('First\n');
  });

  it('refuses a client without the token, or with another repository’s', async () => {
    server.createRepository('guarded', 'tok-guarded-1');
    server.createRepository('other', 'tok-other-1');
    const guarded = `${server.origin}/guarded.git`;
    const anonymous = await git(work, ['ls-remote', guarded]);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.stderr).toMatch(/Authentication failed|could not read Username/);
    const wrong = await git(work, ['ls-remote', withToken(guarded, 'tok-other-1')]);
    expect(wrong.status).not.toBe(0);
    const refused = server.requests.filter((r) => r.path.startsWith('/guarded.git'));
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((r) => r.status === 401)).toBe(true);
    expect((await git(work, ['ls-remote', withToken(guarded, 'tok-guarded-1')])).status).toBe(0);
  });
});
