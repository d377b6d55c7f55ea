/** Each isolation property, verified from inside a container of the sandbox image. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInfo } from '../src/contract.ts';
import { DEFAULT_PACKAGE_ACCESS, SANDBOX_CA_CERTS_PATH } from '../src/sandbox/package-access.ts';
import { docker, startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

let runner: TestRunner;
let client: Client;
let sandbox: SandboxInfo;
beforeAll(async () => {
  runner = await startRunner();
  client = runner.client();
  sandbox = await client.create({ limits: { memoryMb: 192, cpus: 0.5, pids: 96, workspaceMb: 48 } });
});
afterAll(() => runner.close());

const sh = (command: string) => client.sh(sandbox.id, command);
const status = async () => {
  const text = await sh('cat /proc/self/status');
  return Object.fromEntries(
    text.split('\n').map((l) => l.split(':\t').map((p) => p.trim()) as [string, string]),
  );
};

describe('isolation, seen from inside the sandbox', () => {
  it('runs commands as the non-root sandbox user', async () => {
    expect(await sh('id -u; id -g; whoami')).toBe('1000\n1000\nsandbox\n');
  });

  it('has every capability dropped and no-new-privileges set', async () => {
    const s = await status();
    for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
      expect(s[cap]).toBe('0000000000000000');
    expect(s.NoNewPrivs).toBe('1');
  });

  it('has a read-only root and a writable workspace and /tmp', async () => {
    const root = await client.exec(sandbox.id, { command: 'touch /etc/x /usr/x /x 2>&1; echo done' });
    expect(root.stdout.match(/Read-only file system/g)?.length).toBe(3);
    expect(await sh('touch /workspace/ok /tmp/ok && echo writable')).toBe('writable\n');
    expect(await sh("grep ' / ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1")).toBe('ro\n');
  });

  it('limits memory with no swap', async () => {
    const limit = await sh(
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max',
    );
    expect(Number(limit)).toBe(192 * 1024 * 1024);
    const swap = await sh(
      'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.swap.max',
    );
    // cgroup v1: memory+swap equals memory (no swap); v2: swap.max is 0
    expect([String(192 * 1024 * 1024), '0']).toContain(swap.trim());
  });

  it('limits CPU and the number of processes', async () => {
    const quota = await sh(
      'echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max)',
    );
    const [q, p] = quota.trim().split(' ').map(Number);
    expect(q! / p!).toBe(0.5);
    expect(await sh('cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max')).toBe(
      '96\n',
    );
  });

  it('has a workspace disk of its own: the quota in size, nosuid and nodev, owned by the sandbox user', async () => {
    const size = await sh("df -kP /workspace | tail -1 | awk '{print $2}'");
    // the quota includes the filesystem's own metadata (inode tables, bitmaps): a few percent
    expect(Number(size)).toBeLessThanOrEqual(48 * 1024);
    expect(Number(size)).toBeGreaterThan(48 * 1024 * 0.94);
    const [, , type, options] = (await sh("grep ' /workspace ' /proc/mounts")).split(' ');
    expect(type).toBe('ext4'); // a disk: its pages are never counted as the sandbox's memory
    expect(options?.split(',')).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev']));
    expect(await sh('stat -c %u:%g /workspace; ls -A /workspace | grep -c lost+found || true')).toBe(
      '1000:1000\n0\n',
    );
  });

  it('has no network but loopback by default', async () => {
    expect(await sh('ls /sys/class/net')).toBe('lo\n');
    // no resolver outside the sandbox: only loopback (where nothing answers) may be named
    const resolvers = await sh("grep '^nameserver' /etc/resolv.conf | grep -v ' 127\\.' | wc -l");
    expect(resolvers.trim()).toBe('0');
  });

  it('gets an interface of its own with the egress policy', async () => {
    const egress = await client.create({ network: 'egress' });
    const nets = await client.sh(egress.id, 'ls /sys/class/net');
    expect(nets.split('\n').filter(Boolean).sort()).toEqual(['eth0', 'lo']);
    // sandboxes on the egress bridge cannot reach each other (inter-container traffic disabled)
    const network = await docker.getNetwork(runner.config.egressNetwork).inspect();
    expect(network.Options?.['com.docker.network.bridge.enable_icc']).toBe('false');
    await client.request('DELETE', `/v1/sandboxes/${egress.id}`);
  });

  it("sees the operator's CA file read-only, and no other file of the host", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samokoder-ca-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, rootCertificates.slice(0, 2).join('\n'), { mode: 0o644 });
    const trusting = await startRunner({ packageAccess: { ...DEFAULT_PACKAGE_ACCESS, caCertsFile: caFile } });
    try {
      const trustingClient = trusting.client();
      const { id } = await trustingClient.create();
      expect(await trustingClient.sh(id, `grep -c 'BEGIN CERTIFICATE' ${SANDBOX_CA_CERTS_PATH}`)).toBe('2\n');
      const write = await trustingClient.exec(id, {
        command: `{ echo x >> ${SANDBOX_CA_CERTS_PATH}; } 2>&1; echo done`,
      });
      expect(write.stdout).toMatch(/can't create/);
      // and it is mounted read-only: compared with a sandbox of a runner without it, one mount more
      const mounts = async (c: Client, sid: string) =>
        (await c.sh(sid, "awk '{print $2, substr($4, 1, 2)}' /proc/mounts")).split('\n').filter(Boolean);
      const plain = await mounts(client, sandbox.id);
      const withCa = await mounts(trustingClient, id);
      expect(withCa.filter((m) => !plain.includes(m))).toEqual([`${SANDBOX_CA_CERTS_PATH} ro`]);
      expect(withCa.length).toBe(plain.length + 1);
    } finally {
      await trusting.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sees only its own processes', async () => {
    const ps = await sh('ps -o user,args');
    expect(ps).not.toMatch(/dockerd|containerd|vitest/);
    expect(ps.split('\n')[1]).toMatch(/sandbox|root/);
  });
});
