/**
 * Render rate: the share of the stack catalog's sample apps (infra/samples/catalog-samples.ts) whose
 * page check passes on first start, beside the share that merely answer HTTP at `/` (what the platform
 * knew before it looked at the page). Each sample goes into a fresh sandbox: install (the Vite ones,
 * from a registry this run starts: Verdaccio over HTTPS with a private CA on the gateway of a Docker
 * network it creates), start, wait for the port, check. Also the time a check takes.
 *
 * Usage: node sandbox-runner/bench/render.ts   (exits non-zero when a sample does not render)
 * Traffic goes only to the runner on 127.0.0.1, the containers and network this run creates, and the
 * registry on that network's gateway.
 */
import { startTestRegistry, type TestRegistry } from '../../infra/npm-registry/test-registry.ts';
import { catalogSamples, type SampleApp } from '../../infra/samples/catalog-samples.ts';
import type { ExecEvent, PreviewCheck, SandboxInfo } from '../src/contract.ts';
import { signRunnerToken } from '../src/tokens.ts';
import { openEgressRunners } from './egress-runners.ts';

const SECRET = 'bench-secret-0123456789abcdef';
const log = (line: string) => console.error(`[bench] ${line}`);

const runners = await openEgressRunners(SECRET, log);

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const token = await signRunnerToken(SECRET, 'bench-render');
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Runs a command to its end; its exit code and output. */
async function exec(base: string, id: string, command: string, timeoutMs: number) {
  const token = await signRunnerToken(SECRET, 'bench-render');
  const res = await fetch(`${base}/v1/sandboxes/${id}/exec`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command, timeoutMs }),
  });
  const events = (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExecEvent);
  const output = events.map((e) => ('data' in e ? e.data : '')).join('');
  const exit = events.find((e) => e.type === 'exit');
  return { code: exit?.type === 'exit' ? exit.exitCode : null, output };
}

/** The status `/` answers with inside the sandbox, polled until it answers (bounded). */
function statusWhenUp(port: number): string {
  return `node -e "(async()=>{for(let i=0;i<120;i++){try{const r=await fetch('http://127.0.0.1:${port}/');console.log(r.status);return}catch{}await new Promise(r=>setTimeout(r,250))}console.log('none');process.exit(1)})()"`;
}

interface Row {
  sample: string;
  stack: string;
  answers: boolean;
  check: PreviewCheck['result']['status'] | 'not started';
  problem: string;
  checkMs: number | null;
}

async function measure(base: string, app: SampleApp): Promise<Row> {
  const { stack } = app;
  const row: Row = {
    sample: app.name,
    stack: stack.id,
    answers: false,
    check: 'not started',
    problem: '',
    checkMs: null,
  };
  const sandbox = await api<SandboxInfo>(base, 'POST', '/v1/sandboxes', {
    network: stack.install ? 'egress' : 'none',
    limits: { memoryMb: 1536, cpus: 1, pids: 512, workspaceMb: 512 },
  });
  try {
    await api(base, 'PUT', `/v1/sandboxes/${sandbox.id}/files`, { files: app.files });
    if (stack.install) {
      const install = await exec(base, sandbox.id, stack.install, 300_000);
      if (install.code !== 0) {
        row.problem = `install failed: ${install.output.slice(-200)}`;
        return row;
      }
    }
    await api(base, 'POST', `/v1/sandboxes/${sandbox.id}/processes`, { name: 'app', command: stack.start });
    const up = await exec(base, sandbox.id, statusWhenUp(stack.previewPort), 60_000);
    const status = Number(up.output.trim());
    row.answers = Number.isInteger(status) && status < 500;
    const started = performance.now();
    const checked = await api<PreviewCheck>(base, 'POST', `/v1/sandboxes/${sandbox.id}/previews/check`, {
      port: stack.previewPort,
    });
    row.checkMs = performance.now() - started;
    row.check = checked.result.status;
    row.problem = checked.result.status === 'passed' ? '' : checked.line;
    return row;
  } finally {
    await api(base, 'DELETE', `/v1/sandboxes/${sandbox.id}`).catch(() => {});
  }
}

let registry: TestRegistry | null = null;
let failed: boolean;
try {
  const samples = catalogSamples();
  const gateway = await runners.gateway();
  const packages = new Set<string>();
  for (const s of samples) {
    const manifest = s.files.find((f) => f.path === 'package.json');
    const declared = JSON.parse(manifest?.content ?? '{}') as { devDependencies?: Record<string, string> };
    for (const [name, version] of Object.entries(declared.devDependencies ?? {}))
      packages.add(`${name}@${version}`);
  }
  log(`starting a registry with ${[...packages].join(', ')}`);
  registry = await startTestRegistry({ host: gateway, packages: [...packages] });
  const base = await runners.start({ caCertsFile: registry.caCertFile, npmRegistry: registry.url });

  const rows: Row[] = [];
  for (const s of samples) {
    log(`${s.name} (${s.stack.id})`);
    rows.push(await measure(base, s));
  }
  const table = [
    ['sample', 'stack', 'answers HTTP', 'page check', 'check time', 'problem'],
    ...rows.map((r) => [
      r.sample,
      r.stack,
      r.answers ? 'yes' : 'no',
      r.check,
      r.checkMs === null ? '-' : `${Math.round(r.checkMs)} ms`,
      r.problem.slice(0, 80),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) console.log(`| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
  const passed = rows.filter((r) => r.check === 'passed').length;
  const answering = rows.filter((r) => r.answers).length;
  const times = rows.flatMap((r) => (r.checkMs === null ? [] : [r.checkMs])).sort((a, b) => a - b);
  console.log(
    `\nrender rate (page check passes on first start): ${passed}/${rows.length} = ${((100 * passed) / rows.length).toFixed(0)}%` +
      `   baseline, answers HTTP at /: ${answering}/${rows.length} = ${((100 * answering) / rows.length).toFixed(0)}%`,
  );
  console.log(`page check time: median ${Math.round(times[Math.floor((times.length - 1) / 2)] ?? 0)} ms`);
  failed = passed < rows.length;
} finally {
  await runners.close();
  await registry?.stop();
}
process.exit(failed ? 1 : 0);
