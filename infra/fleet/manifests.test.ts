/**
 * The fleet's orchestrator files, read as the orchestrators read them. No Kubernetes runs here (the
 * Swarm stack is also deployed for real in sandbox-runner/test/swarm.test.ts): these check the fields
 * the runner's lifecycle depends on, and that the environment each gives a runner is one the runner's
 * own config loader accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../sandbox-runner/src/config.ts';

const RUNNER_DIR = join(import.meta.dirname, '..', '..', 'sandbox-runner');
/** After the drain timeout, killed commands get up to 5 s to report their end (sandbox/manager.ts). */
const KILL_REPORT_MS = 5000;

type Doc = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);

/** `SANDBOX_DRAIN_TIMEOUT_MS` as the runner reads it from `env`. */
const drainTimeoutMs = (env: Record<string, string>) => loadConfig(env).drainTimeoutMs;

describe('Kubernetes manifests (infra/fleet/k8s/runners.yaml)', () => {
  const docs = parseAllDocuments(readFileSync(join(import.meta.dirname, 'k8s', 'runners.yaml'), 'utf8')).map(
    (doc) => {
      expect(doc.errors).toEqual([]);
      return doc.toJS() as Doc;
    },
  );
  const byKind = (kind: string) => docs.find((doc) => doc.kind === kind);
  const service = byKind('Service');
  const set = byKind('StatefulSet');
  const pod = at(set, 'spec', 'template', 'spec');
  const container = at(pod, 'containers', 0) as Doc;
  const env = container.env as { name: string; value?: string; valueFrom?: Doc }[];
  const envVar = (name: string) => env.find((e) => e.name === name);

  it('runs the runners as a StatefulSet behind a headless Service that keeps draining runners reachable', () => {
    expect(at(service, 'spec', 'clusterIP')).toBe('None');
    expect(at(service, 'spec', 'publishNotReadyAddresses')).toBe(true);
    expect(at(set, 'spec', 'serviceName')).toBe(at(service, 'metadata', 'name'));
    const podLabels = at(set, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
    for (const [key, value] of Object.entries(at(service, 'spec', 'selector') as Record<string, string>))
      expect(podLabels[key]).toBe(value);
    const ports = container.ports as { name: string; containerPort: number }[];
    expect(ports.map((p) => p.name)).toContain(at(service, 'spec', 'ports', 0, 'targetPort'));
    expect(byKind('PodDisruptionBudget')).toBeDefined();
  });

  it('names each runner after its pod and takes its secrets from a Secret', () => {
    expect(envVar('SANDBOX_RUNNER_ID')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    for (const name of ['SANDBOX_RUNNER_SECRET', 'SANDBOX_REGISTRY_TOKEN']) {
      expect(at(envVar(name), 'valueFrom', 'secretKeyRef', 'name')).toBe('samokoder-runner');
      expect(envVar(name)?.value).toBeUndefined();
    }
  });

  it('gives a runner an environment its config accepts, and enough time to drain', () => {
    // What the kubelet would give pod samokoder-runner-2 (secrets stood in, $(VAR) references expanded).
    const resolved: Record<string, string> = { NODE_ENV: 'production' };
    for (const { name, value, valueFrom } of env) {
      const fromField = at(valueFrom, 'fieldRef', 'fieldPath');
      resolved[name] =
        fromField === 'metadata.name'
          ? 'samokoder-runner-2'
          : fromField === 'metadata.namespace'
            ? 'samokoder'
            : valueFrom
              ? 'a-secret-from-the-secret-0123456789'
              : (value ?? '').replace(/\$\((\w+)\)/g, (_, ref: string) => resolved[ref] ?? '');
    }
    const config = loadConfig(resolved);
    expect(config.runnerId).toBe('samokoder-runner-2');
    expect(config.host).toBe('0.0.0.0');
    expect(resolved.SANDBOX_RUNNER_PUBLIC_URL).toBe(
      'http://samokoder-runner-2.samokoder-runners.samokoder.svc:8788',
    );
    const graceMs = (at(pod, 'terminationGracePeriodSeconds') as number) * 1000;
    expect(graceMs).toBeGreaterThan(drainTimeoutMs(resolved) + KILL_REPORT_MS);
  });

  it('probes /healthz: readiness by its status, liveness by bin/healthcheck.ts (a draining runner is alive)', () => {
    expect(at(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'http' });
    const liveness = at(container, 'livenessProbe', 'exec', 'command') as string[];
    expect(liveness.at(-1)).toBe('bin/healthcheck.ts');
    expect(existsSync(join(RUNNER_DIR, liveness.at(-1) ?? ''))).toBe(true);
  });

  it("mounts the node's Docker socket, /dev, and the workspaces at the node's own path", () => {
    const volumes = at(pod, 'volumes') as { name: string; hostPath?: { path: string } }[];
    const mounts = container.volumeMounts as { name: string; mountPath: string }[];
    const hostPathOf = (mountPath: string) =>
      volumes.find((v) => v.name === mounts.find((m) => m.mountPath === mountPath)?.name)?.hostPath?.path;
    expect(hostPathOf('/var/run/docker.sock')).toBe('/var/run/docker.sock');
    expect(hostPathOf('/dev')).toBe('/dev');
    const workspaces = envVar('SANDBOX_WORKSPACE_DIR')?.value ?? '';
    expect(hostPathOf(workspaces)).toBe(workspaces);
  });
});

describe('Docker Swarm stack (infra/fleet/swarm/stack.yml)', () => {
  const stack = parse(readFileSync(join(import.meta.dirname, 'swarm', 'stack.yml'), 'utf8')) as Doc;
  const runner = at(stack, 'services', 'runner') as Doc;
  /** The stack's defaults (`${VAR:-default}`) and a task's templates, as Swarm fills them for slot 2. */
  const expand = (text: string) =>
    text
      .replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback)
      .replaceAll('{{.Service.Name}}', 'samokoder_runner')
      .replaceAll('{{.Task.Slot}}', '2')
      .replaceAll('{{.Task.Name}}', 'samokoder_runner.2.abc');

  it('gives a runner an environment its config accepts, with one runner id per slot', () => {
    const env = Object.fromEntries(
      Object.entries(runner.environment as Record<string, string>).map(([k, v]) => [k, expand(String(v))]),
    );
    const config = loadConfig({
      ...env,
      NODE_ENV: 'production',
      SANDBOX_RUNNER_SECRET: 'from-the-secret-file-0123',
    });
    expect(config.runnerId).toBe('samokoder_runner-2');
    expect(config.diskHelperImage).toBe(expand(String(runner.image)));
    const grace = /^(\d+)s$/.exec(String(runner.stop_grace_period))?.[1];
    expect(Number(grace) * 1000).toBeGreaterThan(config.drainTimeoutMs + KILL_REPORT_MS);
  });

  it('restarts any exited runner, never runs two tasks of one slot at once, and checks health like Kubernetes does', () => {
    expect(at(runner, 'deploy', 'restart_policy', 'condition')).toBe('any');
    expect(at(runner, 'deploy', 'update_config', 'order')).toBe('stop-first');
    expect(at(runner, 'deploy', 'endpoint_mode')).toBe('dnsrr');
    expect((at(runner, 'healthcheck', 'test') as string[]).at(-1)).toBe('bin/healthcheck.ts');
  });
});
