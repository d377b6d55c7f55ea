/** `pnpm eval`'s command line, read and checked before anything starts. */
import { parseArgs } from 'node:util';
import { FIXTURE_APP, findApp, SUITE } from './suite/index.ts';
import type { EvalApp } from './suite/types.ts';

export const USAGE = `pnpm eval [options]

Runs app descriptions through the whole pipeline on a local stack of its own, checks each finished app
(started from its own README) and writes a report (JSON and Markdown) into the output directory.

The model:
  --fixture                 the LLM fixture's scripted session on the demo's app (no key, no provider);
                            with --tasks each task gets the demo's app (a run of the harness itself)
  --model-latency <ms>      with --fixture: each reply takes this long, a real model's pace, so the
                            platform's share of the wall time is measured beside a model's time
  --provider <name>         openai, anthropic, groq or openai-compatible
  --model <name>            the model every agent uses (e.g. gpt-4.1, claude-sonnet-4-20250514)
  --key-env <VAR>           the environment variable that holds your key (the key is never printed)
  --base-url <url>          an OpenAI-compatible server (implies --provider openai-compatible)

What to run:
  --apps <a,b,...>          suite apps by id (default: the whole suite; see --list)
  --tasks <file>            WebGen-Bench tasks (JSON array or JSONL of {id, instruction, ui_instruct}):
                            generated, left ungraded for a person or a separate grader
  --list                    list the suite's apps and exit

How:
  --parallel <n>            apps at once (default 1)
  --out <dir>               output directory (default .local/eval/runs/<time>)
  --budget <usd>            spending cap per app (default 5)
  --timeout-min <n>         minutes one run may take (default 30)
`;

export type ModelOption =
  | { kind: 'fixture'; latencyMs: number }
  | {
      kind: 'provider';
      provider: 'openai' | 'anthropic' | 'groq' | 'openai-compatible';
      model: string;
      keyEnv: string | null;
      baseUrl: string | null;
    };

export interface CliOptions {
  model: ModelOption;
  apps: EvalApp[];
  tasksFile: string | null;
  parallel: number;
  outDir: string | null;
  budgetMicros: number;
  timeoutMs: number;
  list: boolean;
}

const PROVIDERS = ['openai', 'anthropic', 'groq', 'openai-compatible'] as const;

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a number above 0, not "${value}"`);
  return n;
}

/** The options of `argv`; an error says what is wrong (the CLI prints it with the usage). */
export function readOptions(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      fixture: { type: 'boolean', default: false },
      provider: { type: 'string' },
      model: { type: 'string' },
      'key-env': { type: 'string' },
      'base-url': { type: 'string' },
      apps: { type: 'string' },
      tasks: { type: 'string' },
      list: { type: 'boolean', default: false },
      parallel: { type: 'string' },
      out: { type: 'string' },
      budget: { type: 'string' },
      'timeout-min': { type: 'string' },
      'model-latency': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const ids =
    values.apps
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? null;
  const apps = ids
    ? ids.map((id) => {
        const app = findApp(id);
        if (!app) throw new Error(`there is no app "${id}" in the suite (see --list)`);
        return app;
      })
    : null;
  const common = {
    tasksFile: values.tasks ?? null,
    parallel: Math.floor(positive(values.parallel, 'parallel', 1)),
    outDir: values.out ?? null,
    budgetMicros: Math.round(positive(values.budget, 'budget', 5) * 1e6),
    list: values.list,
  };
  if (values.list) {
    return {
      ...common,
      model: { kind: 'fixture', latencyMs: 0 },
      apps: [...SUITE, FIXTURE_APP],
      timeoutMs: 0,
    };
  }
  if (values.fixture) {
    if (values.provider || values.model || values['base-url'] || values['key-env'])
      throw new Error('--fixture runs without a provider, model, key or base URL');
    if (apps && apps.some((a) => a !== FIXTURE_APP))
      throw new Error(`--fixture only knows the demo's app (${FIXTURE_APP.id})`);
    return {
      ...common,
      model: {
        kind: 'fixture',
        latencyMs: Math.round(positive(values['model-latency'], 'model-latency', 0)),
      },
      // With --tasks, each task gets the demo's scripted todo app: a run of the harness, not of a model.
      apps: values.tasks && !apps ? [] : [FIXTURE_APP],
      timeoutMs: positive(values['timeout-min'], 'timeout-min', 5) * 60_000,
    };
  }
  if (values['model-latency'] !== undefined) throw new Error('--model-latency goes with --fixture');
  const provider = values.provider ?? (values['base-url'] ? 'openai-compatible' : undefined);
  if (!provider)
    throw new Error('choose a model: --fixture, or --provider and --model (and --key-env or --base-url)');
  if (!(PROVIDERS as readonly string[]).includes(provider))
    throw new Error(`--provider is one of ${PROVIDERS.join(', ')}, not "${provider}"`);
  if (!values.model) throw new Error('--model is needed with --provider');
  if (provider === 'openai-compatible' && !values['base-url'])
    throw new Error('--provider openai-compatible needs --base-url');
  if (provider !== 'openai-compatible' && !values['key-env'])
    throw new Error(`--provider ${provider} needs --key-env: the environment variable that holds your key`);
  return {
    ...common,
    model: {
      kind: 'provider',
      provider: provider as (typeof PROVIDERS)[number],
      model: values.model,
      keyEnv: values['key-env'] ?? null,
      baseUrl: values['base-url'] ?? null,
    },
    apps: apps ?? (values.tasks ? [] : [...SUITE]),
    timeoutMs: positive(values['timeout-min'], 'timeout-min', 30) * 60_000,
  };
}
