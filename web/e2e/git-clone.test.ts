import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { HelloFrame } from '../../workers/src/protocol.ts';
import { aborted, newContext, useBrowser, watchProblems } from './browser.ts';
import { PASSWORD, createProjectViaApi, signUpViaApi, uniqueEmail } from './helpers.ts';

const baseUrl = inject('baseUrl');
const browser = useBrowser();
const dir = mkdtempSync(join(tmpdir(), 'git-clone-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stock git client, with no credential helper or prompt of this machine's. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['-C', cwd, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      HOME: dir,
    },
  });
  return stdout;
}

/** A run that writes files, stops at a question (the clone is made there), then writes more. */
const SCRIPT = {
  steps: [
    {
      title: 'Scaffold the project',
      task: 'Scaffold',
      endsTask: true,
      actions: [
        { write: 'README.md', content: '# Notes\n' },
        { write: 'src/app.js', content: 'export const app = 1;\n' },
      ],
    },
    {
      title: 'Plan the work',
      actions: [{ ask: 'Approve the plan?', options: ['Approve'], default: 'Approve' }],
    },
    {
      title: 'Implement the list',
      task: 'List',
      endsTask: true,
      actions: [{ write: 'src/lib/list.js', content: 'export const list = [];\n' }],
    },
  ],
};

async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      origin: baseUrl,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Waits until the project's run has the status (as Postgres has it: the object syncs it). */
async function until(token: string, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const project = await call<{ status: string }>(token, 'GET', `/api/projects/${id}`);
    if (project.status === status) return;
    if (Date.now() > deadline) throw new Error(`the run is ${project.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the project as a git repository', () => {
  it('is cloned with a personal access token by the stock git client: its log is the steps, its files the project’s, and a later step comes with git fetch', async () => {
    const { accessToken } = await call<{ accessToken: string }>('', 'POST', '/api/auth/register', {
      email: uniqueEmail('git'),
      password: PASSWORD,
      delivery: 'token',
    });
    const { id } = await call<{ id: string }>(accessToken, 'POST', '/api/projects', {
      name: 'Git',
      description: JSON.stringify(SCRIPT),
      mode: 'interactive',
      pipeline: 'scripted',
    });
    await call(accessToken, 'POST', `/api/projects/${id}/control`, { action: 'start' });
    await until(accessToken, id, 'waiting');

    const { token } = await call<{ token: string }>(accessToken, 'POST', '/api/settings/git-tokens', {
      name: 'e2e',
    });
    const url = new URL(`${baseUrl}/git/${id}.git`);
    url.username = 'git';
    url.password = token;
    const clone = join(dir, 'clone');
    await git(dir, 'clone', '-q', url.href, clone);
    expect((await git(clone, 'log', '--format=%s|%(trailers:key=Task,valueonly,separator=)')).trim()).toBe(
      'Scaffold the project|Scaffold',
    );
    expect((await git(clone, 'ls-files')).split('\n').filter(Boolean)).toEqual(['README.md', 'src/app.js']);
    expect(readFileSync(join(clone, 'src/app.js'), 'utf8')).toBe('export const app = 1;\n');

    // The answer lets the run finish: the plan's step and the list's step come with a fetch.
    const { url: ticket } = await call<{ url: string }>(
      accessToken,
      'POST',
      `/api/projects/${id}/live-ticket`,
    );
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${ticket}`);
    const hello = await new Promise<HelloFrame>((resolve, reject) => {
      ws.addEventListener('message', (e) => resolve(JSON.parse(String(e.data)) as HelloFrame), {
        once: true,
      });
      ws.addEventListener('error', () => reject(new Error('the live channel did not open')), { once: true });
    });
    const question = hello.run.openQuestion!;
    ws.send(JSON.stringify({ type: 'answer', questionId: question.questionId, answer: 'Approve' }));
    await until(accessToken, id, 'completed');
    ws.close();

    await git(clone, 'fetch', '-q', 'origin');
    expect((await git(clone, 'log', '--format=%s', 'origin/main')).split('\n').filter(Boolean)).toEqual([
      'Implement the list',
      'Plan the work',
      'Scaffold the project',
    ]);
    await git(clone, 'merge', '-q', '--ff-only', 'origin/main');
    const tree = await call<{ files: { path: string }[] }>(accessToken, 'GET', `/api/projects/${id}/files`);
    expect((await git(clone, 'ls-files')).split('\n').filter(Boolean)).toEqual(tree.files.map((f) => f.path));
    expect(readFileSync(join(clone, 'src/lib/list.js'), 'utf8')).toBe('export const list = [];\n');
    expect(await git(clone, 'fsck', '--strict', '--no-dangling')).toBe('');
  }, 120_000);

  it('has its git access in Settings: a token shown once, listed, working with git, revoked; the project page shows its clone command', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Clone me',
      description: JSON.stringify({ steps: [{ title: 'Say hello', actions: [{ say: 'hello' }] }] }),
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await page.goto(`${baseUrl}/settings`);
    await page.getByText('No git tokens yet.').waitFor();
    await page.getByLabel('Token name').fill('laptop');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.locator('[data-new-git-token] code').first();
    await shown.waitFor();
    const token = await shown.innerText();
    expect(token).toMatch(/^skgit_[A-Za-z0-9_-]{43}$/);
    expect(await page.locator('[data-git-token]').innerText()).toMatch(/laptop[\s\S]*never used/);

    // The token works with git (an empty history: nothing ran), and is never shown again.
    const url = new URL(`${baseUrl}/git/${id}.git`);
    url.username = 'me';
    url.password = token;
    expect(await git(dir, 'ls-remote', url.href)).toBe('');
    await page.reload();
    await page.locator('[data-git-token]').waitFor();
    expect(await page.locator('[data-new-git-token]').count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    await page.getByRole('button', { name: 'Revoke laptop' }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('No git tokens yet.').waitFor();
    await expect(git(dir, 'ls-remote', url.href)).rejects.toThrow(/401|Authentication failed/);

    await page.goto(`${baseUrl}/projects/${id}`);
    await page.getByRole('button', { name: 'Clone', exact: true }).click();
    expect(await page.locator('[data-clone-url]').innerText()).toBe(`git clone ${baseUrl}/git/${id}.git`);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
