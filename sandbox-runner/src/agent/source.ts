/** Loads the in-sandbox agent (agent.ts) as plain JavaScript for `node -e`. */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';

let cached: string | undefined;

/**
 * The agent's source with types removed. Stripped here rather than in the container so any image with
 * any Node version can run it. Node marks `stripTypeScriptTypes` experimental and warns on each call;
 * the warning is muted for this one call because it is expected and says nothing actionable.
 */
export function agentSource(): string {
  if (cached !== undefined) return cached;
  const ts = readFileSync(new URL('./agent.ts', import.meta.url), 'utf8');
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    cached = stripTypeScriptTypes(ts, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
  return cached;
}
