import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandboxImage } from '../sandbox/build.ts';
import { ensureDockerEngine } from '../stack/docker.ts';
import {
  AppStartError,
  createAppNetwork,
  removeLeftoversNow,
  startApp,
  type AppHost,
} from './app-container.ts';
import { docker } from './docker-cli.ts';
import { LazyBrowser } from './checks/browser.ts';
import { runChecks } from './checks/run-checks.ts';
import { readmeCommands } from './readme-commands.ts';
import { inventory } from './suite/inventory.ts';

const REFERENCE = fileURLToPath(new URL('./test/reference/inventory', import.meta.url));
const tag = Math.random().toString(36).slice(2, 8);
const root = mkdtempSync(join(tmpdir(), 'samokoder-eval-app-'));
const browser = new LazyBrowser();
let host: AppHost;
let removeNetwork: () => Promise<void> = async () => {};

beforeAll(async () => {
  const engine = await ensureDockerEngine();
  if (!engine.ok) throw new Error(`these tests need Docker: ${engine.reason}`);
  const { image } = await buildSandboxImage();
  // An internal network: the apps have no route out, the test reaches them at their address on it.
  const network = await createAppNetwork(engine.socketPath, `samokoder-eval-test-${tag}`, true);
  removeNetwork = network.remove;
  host = { socketPath: engine.socketPath, image, network: network.name, env: {}, mounts: {}, label: tag };
}, 180_000);

afterAll(async () => {
  await browser.close();
  await removeNetwork();
  rmSync(root, { recursive: true, force: true });
});

function copyOfReference(name: string): string {
  const dir = join(root, name);
  cpSync(REFERENCE, dir, { recursive: true });
  return dir;
}

describe('an app started from its README in a fresh container', () => {
  it('runs the install steps, then the start command, and passes its suite checks, a restart included', async () => {
    const dir = copyOfReference('ok');
    const commands = readmeCommands(readFileSync(join(dir, 'README.md'), 'utf8'));
    expect(commands).toEqual({ install: ['npm run build'], start: 'npm start' });
    const app = await startApp(
      host,
      dir,
      { ...commands, start: commands.start! },
      `samokoder-eval-test-${tag}-ok`,
    );
    try {
      expect(app.origin).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:3000$/);
      const results = await runChecks({
        origin: app.origin,
        checks: inventory.checks,
        browser,
        restart: app.restart,
      });
      expect(results.filter((r) => !r.ok)).toEqual([]);
      // The data survived the restart on the app's own folder.
      expect(readFileSync(join(dir, 'data/inventory.json'), 'utf8')).toContain('washers');
    } finally {
      await app.stop();
    }
  }, 180_000);

  it('says why when the start command exits before the app answers', async () => {
    const dir = copyOfReference('exits');
    writeFileSync(join(dir, 'README.md'), '# inventory\n\n```sh\nnode missing.js\n```\n');
    const commands = readmeCommands(readFileSync(join(dir, 'README.md'), 'utf8'));
    const started = startApp(
      host,
      dir,
      { ...commands, start: commands.start! },
      `samokoder-eval-test-${tag}-exits`,
    );
    await expect(started).rejects.toThrow(AppStartError);
    await expect(started).rejects.toThrow(
      /`node missing\.js` exited \(1\) before the app answered on port 3000: [\s\S]*Cannot find module/,
    );
  }, 120_000);

  it('says why when an install step fails', async () => {
    const dir = copyOfReference('install-fails');
    const started = startApp(
      host,
      dir,
      { install: ['npm run missing-script'], start: 'npm start' },
      `samokoder-eval-test-${tag}-install`,
    );
    await expect(started).rejects.toThrow(
      /the README's `npm run missing-script` failed \(exit 1\): [\s\S]*Missing script/,
    );
  }, 120_000);

  it("removes an interrupted eval's containers and network at once (for Ctrl-C)", async () => {
    const other = `${tag}x`;
    await createAppNetwork(host.socketPath, `samokoder-eval-${other}`, true);
    const dir = copyOfReference('interrupted');
    const started = startApp(
      { ...host, network: `samokoder-eval-${other}`, label: other },
      dir,
      { install: ['npm run build'], start: 'npm start' },
      `samokoder-eval-test-${other}`,
    );
    // Removed whether or not it started.
    await started.finally(() => removeLeftoversNow(host.socketPath, other));
    const left = await docker(host.socketPath, ['ps', '-aq', '--filter', `label=samokoder.eval=${other}`]);
    expect(left.stdout.trim()).toBe('');
    expect((await docker(host.socketPath, ['network', 'inspect', `samokoder-eval-${other}`])).code).not.toBe(
      0,
    );
  }, 120_000);
});
