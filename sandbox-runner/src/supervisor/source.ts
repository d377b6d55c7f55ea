/**
 * Builds the in-sandbox supervisor (./inside/*.ts) into one JavaScript module for `node -e`: the files are
 * joined in dependency order, relative imports dropped (everything lands in one scope), `node:` imports
 * kept once each, `export` keywords removed, then types stripped.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';

/** Dependency order; main.ts last because it starts the supervisor. */
const FILES = [
  'protocol',
  'paths',
  'files',
  'output-cap',
  'process-tags',
  'standby',
  'processes',
  'tunnels',
  'main',
];

let cached: string | undefined;

/** Joins the supervisor's files into one TypeScript module. */
export function supervisorTypeScript(): string {
  const nodeImports = new Set<string>();
  const bodies: string[] = [];
  for (const name of FILES) {
    const text = readFileSync(new URL(`./inside/${name}.ts`, import.meta.url), 'utf8');
    const body: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith('import ')) {
        if (!line.endsWith(';'))
          throw new Error(`supervisor/inside/${name}.ts: imports must fit on one line`);
        if (/from 'node:[a-z_/]+';$/.test(line)) nodeImports.add(line);
        else if (!/from '\.\/[a-z-]+\.ts';$/.test(line))
          throw new Error(`supervisor/inside/${name}.ts: ${line}`);
        continue;
      }
      body.push(line.replace(/^export (?=(?:const|let|function|class|interface|type|async function) )/, ''));
    }
    bodies.push(`// ---- ${name}.ts\n${body.join('\n')}`);
  }
  return `${[...nodeImports].join('\n')}\n\n${bodies.join('\n')}`;
}

/**
 * The supervisor as JavaScript. Types are stripped here rather than in the container so any image with any
 * Node version can run it. Node marks `stripTypeScriptTypes` experimental and warns on each call; the
 * warning is muted for this one call because it is expected and says nothing actionable.
 */
export function supervisorSource(): string {
  if (cached !== undefined) return cached;
  const ts = supervisorTypeScript();
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    cached = stripTypeScriptTypes(ts, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
  return cached;
}
