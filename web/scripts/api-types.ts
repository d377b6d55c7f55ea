/**
 * Emits the declarations of the Worker's `AppType` into web/.cache/api-types, which the web's
 * tsconfig maps `@samokoder/workers/app-type` to (see svelte.config.js).
 *
 * Why not import the Worker's source directly: TypeScript would then type-check the Worker's code
 * inside the web program, which has the DOM types but not the Workers runtime types (the two clash),
 * so any Worker file that uses a runtime type (`Env`, Durable Object stubs) fails the web's check.
 * Declarations stop at the boundary. Their bare imports (hono, @hono/zod-openapi) must resolve as
 * they do for the Worker, so .cache/node_modules points at the Worker's dependencies.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const cache = `${web}.cache`;

mkdirSync(cache, { recursive: true });
rmSync(`${cache}/node_modules`, { force: true, recursive: true });
rmSync(`${cache}/api-types`, { force: true, recursive: true });
symlinkSync('../../workers/node_modules', `${cache}/node_modules`, 'junction');

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', `${web}tsconfig.api-types.json`], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
