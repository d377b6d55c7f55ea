/**
 * Drains a runner, for operators: no new sandboxes on it, its running commands finish, the Worker moves
 * its projects at their next sandbox operation. `--undo` takes new sandboxes again; `--wait` waits until
 * no command runs on it (then it can be taken away without interrupting one).
 *
 *   SANDBOX_RUNNER_SECRET=... node sandbox-runner/bin/drain.ts http://runner-3:8788 [--wait] [--undo]
 *
 * The secret signs a short-lived operator token (subject `operator`); it is never printed.
 */
import { DrainResponse, HealthResponse } from '../src/contract.ts';
import { signOperatorToken } from '../src/tokens.ts';
import { readSecretFiles } from '../src/secret-files.ts';

const WAIT_POLL_MS = 1000;

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith('--'));
const undo = args.includes('--undo');
const wait = args.includes('--wait');
readSecretFiles(process.env);
const secret = process.env.SANDBOX_RUNNER_SECRET;
if (!url || !secret || args.includes('--help')) {
  console.error(
    'usage: SANDBOX_RUNNER_SECRET=... node sandbox-runner/bin/drain.ts <runner url> [--wait] [--undo]',
  );
  process.exit(2);
}

const token = await signOperatorToken(secret, { ttlSeconds: 60 });
const res = await fetch(new URL('/v1/drain', url), {
  method: undo ? 'DELETE' : 'POST',
  headers: { authorization: `Bearer ${token}` },
});
if (!res.ok) {
  console.error(`drain failed: ${res.status} ${await res.text()}`);
  process.exit(1);
}
let state = DrainResponse.parse(await res.json());
console.log(JSON.stringify(state));
while (wait && !undo && state.commands > 0) {
  await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  const health = HealthResponse.parse(await (await fetch(new URL('/healthz', url))).json());
  state = {
    runnerId: health.runnerId,
    draining: health.draining,
    sandboxes: health.sandboxes,
    commands: health.commands,
  };
  console.log(JSON.stringify(state));
}
