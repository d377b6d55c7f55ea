/**
 * The supervisor's standby shell on the shells images bring as `/bin/sh` (busybox in the sandbox
 * image, dash in Debian's): it waits for a script on fd 3, then runs the command with its cwd and env.
 * Real shells of this host, no engine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { STANDBY, standbyScript } from '../../src/supervisor/inside/standby.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'samokoder-standby-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHELLS: [name: string, command: string, args: string[]][] = [
  ['dash', '/bin/dash', []],
  ['busybox sh', '/usr/bin/busybox', ['sh']],
];

/** Starts a standby shell, hands it `script` on fd 3, and waits for it to end. */
async function runStandby(command: string, args: string[], script: string) {
  const child = spawn(command, [...args, '-c', STANDBY], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin!.end();
  (child.stdio[3] as Writable).end(script);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe.each(SHELLS)('the standby shell on %s', (_name, command, args) => {
  it.runIf(existsSync(command))(
    'runs the command it is handed, in its folder, with its env, multi-line values kept',
    async () => {
      const script = standbyScript(
        dir,
        { GREETING: "it's\n  two lines", PLAIN: 'x' },
        'printf "%s|%s|%s" "$PWD" "$GREETING" "$PLAIN"; exit 7',
        [],
        42,
      );
      const result = await runStandby(command, args, script);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`${dir}|it's\n  two lines|x`);
      expect(result.code).toBe(7);
    },
  );

  it.runIf(existsSync(command))('tags the command: its file-lock limit is the tag', async () => {
    const script = standbyScript(dir, {}, 'grep "Max file locks" /proc/self/limits', [], 4242);
    const result = await runStandby(command, args, script);
    expect(result.stdout).toMatch(/^Max file locks\s+4242\s+4242\s+locks\s*$/);
  });

  it.runIf(existsSync(command))('runs an argv command, its arguments as given', async () => {
    const script = standbyScript(dir, {}, undefined, ['printf', '%s,', 'a b', '$HOME', "'q'"], 1);
    const result = await runStandby(command, args, script);
    expect(result.stdout).toBe("a b,$HOME,'q',");
    expect(result.code).toBe(0);
  });
});
