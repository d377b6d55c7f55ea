/**
 * Reads how to install and start an app from its README, the way a person would: the shell commands of
 * its code blocks (and of inline code in its prose), in order; the install and build steps, then the
 * command that starts it. The eval runs the app exactly so: a README that names no start command fails.
 */

/** What a README says to run: `install` (install and build steps, in order), then `start`. */
export interface ReadmeCommands {
  install: string[];
  start: string | null;
}

type Kind = 'install' | 'build' | 'start' | 'dev';

const INSTALL = [
  /^(npm|pnpm|yarn|bun)\s+(install|i|ci|add)\b/,
  /^yarn$/,
  /^(pip3?|python3?\s+-m\s+pip)\s+install\b/,
  /^poetry\s+install\b/,
];
const BUILD = [/^(npm|pnpm|yarn|bun)\s+(run\s+)?build\b/];
const START = [
  /^(npm|pnpm|yarn|bun)\s+(run\s+)?start\b/,
  /^(node|bun|deno\s+run)\s+\S+/,
  /^(python3?|flask|uvicorn|gunicorn)\s+\S+/,
  /^npx\s+(serve|http-server)\b/,
];
const DEV = [/^(npm|pnpm|yarn|bun)\s+(run\s+)?(dev|serve)\b/];

/** Environment assignments in front of a command (`PORT=8080 npm start`); PORT is the eval's to set. */
const LEADING_ENV = /^((?:[A-Z_][A-Z0-9_]*=\S*\s+)+)/;

function kindOf(command: string): Kind | null {
  const bare = command.replace(LEADING_ENV, '');
  if (INSTALL.some((re) => re.test(bare))) return 'install';
  if (BUILD.some((re) => re.test(bare))) return 'build';
  if (DEV.some((re) => re.test(bare))) return 'dev';
  // `node --test`, `node -e ...` run something other than the app.
  if (/^(node|bun)\s+(--test|-e|-p|--version|-v)\b/.test(bare)) return null;
  if (START.some((re) => re.test(bare))) return 'start';
  return null;
}

/** Drops the eval's own variable (PORT) from leading assignments: the app must listen where it is told. */
function withoutPortAssignment(command: string): string {
  return command.replace(LEADING_ENV, (env: string) => env.replace(/(^|\s)PORT=\S*\s+/g, '$1'));
}

/** Shell lines of one code block: prompts (`$ `) and comments removed, `\` continuations joined. */
function shellLines(block: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of block.split('\n')) {
    const line = raw.trim().replace(/^[$>]\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const text = pending + line;
    if (text.endsWith('\\')) {
      pending = text.slice(0, -1).trimEnd() + ' ';
      continue;
    }
    pending = '';
    // A trailing comment (`npm start   # listens on 3000`); a `#` inside quotes is left alone.
    lines.push(text.replace(/\s+#(?=(?:[^'"]*['"][^'"]*['"])*[^'"]*$).*$/, '').trim());
  }
  return lines;
}

const SHELL_FENCE = /^(sh|bash|shell|console|zsh|terminal|cmd|)$/i;

/** Every candidate command of the README, in the order it appears. */
export function readmeCommandLines(readme: string): string[] {
  const commands: string[] = [];
  const fence = /^(```|~~~)\s*([\w-]*)[^\n]*\n([\s\S]*?)^\1\s*$/gm;
  let last = 0;
  const prose = (text: string) => {
    for (const m of text.matchAll(/`([^`\n]+)`/g)) if (kindOf(m[1]!.trim())) commands.push(m[1]!.trim());
  };
  for (const m of readme.matchAll(fence)) {
    prose(readme.slice(last, m.index));
    last = m.index + m[0].length;
    if (SHELL_FENCE.test(m[2] ?? '')) commands.push(...shellLines(m[3] ?? ''));
  }
  prose(readme.slice(last));
  // `npm install && npm start` is two steps.
  return commands.flatMap((c) => c.split(/\s*&&\s*/)).filter((c) => c.length > 0);
}

/**
 * The README's install steps and start command. The start command is the first production start
 * (`npm start`, `node server.js`, ...), else the first dev server (`npm run dev`); the install steps are
 * every install and build command, in the README's order, each once (a build step written after the
 * start command must still run before it).
 */
export function readmeCommands(readme: string): ReadmeCommands {
  const lines = readmeCommandLines(readme).map((line) => ({ line, kind: kindOf(line) }));
  const start =
    lines.find((l) => l.kind === 'start')?.line ?? lines.find((l) => l.kind === 'dev')?.line ?? null;
  const install: string[] = [];
  for (const { line, kind } of lines) {
    if ((kind === 'install' || kind === 'build') && !install.includes(line)) install.push(line);
  }
  return { install, start: start === null ? null : withoutPortAssignment(start) };
}
