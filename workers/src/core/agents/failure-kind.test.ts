import { describe, expect, it } from 'vitest';
import { classifyFailure, environmentMessage, type CommandFailure } from './failure-kind.ts';
import * as out from './testing/failure-outputs.ts';

const install = (output: string, more: Partial<CommandFailure> = {}): CommandFailure => ({
  command: 'npm install --no-audit --no-fund',
  output,
  timedOut: false,
  network: true,
  ...more,
});
const command = (cmd: string, output: string): CommandFailure => ({
  command: cmd,
  output,
  timedOut: false,
  network: false,
});
const causeOf = (failure: CommandFailure) => {
  const kind = classifyFailure(failure);
  return kind.kind === 'code' ? 'code' : kind.cause;
};

describe('classifyFailure', () => {
  it('takes an install that cannot reach the registry for the network', () => {
    expect(causeOf(install(out.NPM11_ECONNREFUSED))).toBe('network');
    expect(causeOf(install(out.NPM10_ENOTFOUND))).toBe('network');
    expect(causeOf(install(out.NPM_EAI_AGAIN))).toBe('network');
    expect(causeOf(install(out.PNPM9_META_FETCH_FAIL))).toBe('network');
    expect(causeOf(install(out.PNPM12_UNSENT))).toBe('network');
  });

  it('takes a certificate the sandbox does not trust for TLS', () => {
    expect(causeOf(install(out.NPM11_SELF_SIGNED))).toBe('tls');
    expect(causeOf(install(out.NPM11_LEAF))).toBe('tls');
    expect(causeOf(install(out.NPM9_SELF_SIGNED))).toBe('tls');
    expect(causeOf(install(out.NPM9_ISSUER_LOCALLY))).toBe('tls');
  });

  it('takes refused credentials for the registry', () => {
    expect(causeOf(install(out.NPM_E401))).toBe('registry');
  });

  it('leaves a misspelt package, a missing version and the project’s own install script to the code', () => {
    expect(causeOf(install(out.NPM11_E404))).toBe('code');
    expect(causeOf(install(out.PNPM9_FETCH_404))).toBe('code');
    expect(causeOf(install(out.NPM_ETARGET))).toBe('code');
    // The script printed a network error, but npm says the script failed.
    expect(causeOf(install(out.NPM_POSTINSTALL_ECONNREFUSED))).toBe('code');
    expect(causeOf(install('npm error code EJSONPARSE\nnpm error JSON.parse Unexpected token'))).toBe('code');
  });

  it('takes a package’s install script that cannot download for the network, the project’s own script for the code', () => {
    expect(causeOf(install(out.NPM_POSTINSTALL_DOWNLOAD))).toBe('network');
    expect(causeOf(install(out.NPM_POSTINSTALL_DB_HOST))).toBe('code');
  });

  it('leaves a test that cannot reach the app under test to the code', () => {
    expect(causeOf(command('npm test', out.VITEST_ECONNREFUSED))).toBe('code');
    // A command without the network that tried to download: the fix is to declare the dependency.
    expect(causeOf(command('npx some-tool', out.NPM10_ENOTFOUND))).toBe('code');
  });

  it('takes a full disk for the disk, whatever the command', () => {
    expect(causeOf(command('npm test', out.NODE_ENOSPC))).toBe('disk');
    expect(causeOf(install(out.NPM_ENOSPC))).toBe('disk');
  });

  it('takes a missing system tool for the environment, a missing project binary or script for the code', () => {
    expect(causeOf(command('git init', out.DASH_NOT_FOUND('git')))).toBe('tool');
    expect(causeOf(command('npm run lint', out.BASH_NOT_FOUND('python3')))).toBe('tool');
    expect(causeOf(command('npm test', out.NODE_SPAWN_ENOENT('git')))).toBe('tool');
    expect(causeOf(command('npm test', out.DASH_NOT_FOUND('vitest')))).toBe('code');
    expect(causeOf(command('npm run build', out.DASH_NOT_FOUND('./scripts/build.sh')))).toBe('code');
    expect(causeOf(command('npm test', out.NODE_SPAWN_ENOENT('my-cli')))).toBe('code');
  });

  it('takes the container runtime’s own failure for the sandbox', () => {
    const oci = 'OCI runtime exec failed: exec failed: unable to start container process: open /dev/pts/0';
    expect(causeOf(command('npm test', oci))).toBe('sandbox');
  });

  it('takes an install the memory limit killed for the environment, a test it killed for the code', () => {
    expect(causeOf(install('Killed\n', { oomKilled: true }))).toBe('memory');
    expect(causeOf({ ...command('npm test', 'Killed\n'), oomKilled: true })).toBe('code');
  });

  it('takes an install that timed out saying nothing of its own for the network, a test that timed out for the code', () => {
    expect(causeOf(install('', { timedOut: true }))).toBe('network');
    expect(causeOf({ ...command('npm test', 'still running'), timedOut: true })).toBe('code');
    expect(causeOf(install('something else went wrong'))).toBe('code');
  });

  it('tells the user what failed and what to do', () => {
    const kind = classifyFailure(install(out.NPM11_SELF_SIGNED));
    if (kind.kind !== 'environment') throw new Error('expected an environment failure');
    expect(kind.detail).toContain('SELF_SIGNED_CERT_IN_CHAIN');
    const message = environmentMessage('npm install --no-audit --no-fund', kind);
    expect(message).toMatch(
      /^`npm install --no-audit --no-fund` failed because of the environment, not the code/,
    );
    expect(message).toContain('SANDBOX_CA_CERTS');
    expect(message).toContain('do not turn certificate checks off');
  });
});
