import { describe, expect, it } from 'vitest';
import { readOptions } from './options.ts';
import { FIXTURE_APP, SUITE } from './suite/index.ts';

describe("pnpm eval's command line", () => {
  it("--fixture runs the demo's app, one at a time, with a short timeout", () => {
    const opts = readOptions(['--fixture']);
    expect(opts.model).toEqual({ kind: 'fixture', latencyMs: 0 });
    expect(opts.apps).toEqual([FIXTURE_APP]);
    expect(opts.parallel).toBe(1);
    expect(opts.timeoutMs).toBe(5 * 60_000);
  });

  it('a provider runs the whole suite with the key named by --key-env, or the apps picked', () => {
    const opts = readOptions(['--provider', 'anthropic', '--model', 'claude-x', '--key-env', 'MY_KEY']);
    expect(opts.model).toEqual({
      kind: 'provider',
      provider: 'anthropic',
      model: 'claude-x',
      keyEnv: 'MY_KEY',
      baseUrl: null,
    });
    expect(opts.apps).toEqual(SUITE);
    const picked = readOptions([
      '--provider',
      'openai',
      '--model',
      'm',
      '--key-env',
      'K',
      '--apps',
      'quiz, notes',
      '--parallel',
      '2',
      '--budget',
      '0.5',
    ]);
    expect(picked.apps.map((a) => a.id)).toEqual(['quiz', 'notes']);
    expect(picked).toMatchObject({ parallel: 2, budgetMicros: 500_000 });
  });

  it('a base URL means an OpenAI-compatible server, whose key is optional', () => {
    const opts = readOptions(['--base-url', 'http://127.0.0.1:11434/v1', '--model', 'qwen2.5-coder']);
    expect(opts.model).toEqual({
      kind: 'provider',
      provider: 'openai-compatible',
      model: 'qwen2.5-coder',
      keyEnv: null,
      baseUrl: 'http://127.0.0.1:11434/v1',
    });
  });

  it('--tasks alone runs only the task file', () => {
    const opts = readOptions([
      '--base-url',
      'http://127.0.0.1:1/v1',
      '--model',
      'm',
      '--tasks',
      'tasks.jsonl',
    ]);
    expect(opts).toMatchObject({ apps: [], tasksFile: 'tasks.jsonl' });
  });

  it("--model-latency gives the fixture's replies a model's pace, with --fixture only", () => {
    expect(readOptions(['--fixture', '--model-latency', '3000']).model).toEqual({
      kind: 'fixture',
      latencyMs: 3000,
    });
    expect(() =>
      readOptions(['--provider', 'openai', '--model', 'm', '--key-env', 'K', '--model-latency', '5']),
    ).toThrow('--model-latency goes with --fixture');
  });

  it('--fixture with --tasks runs the tasks through the demo session, to try the harness', () => {
    expect(readOptions(['--fixture', '--tasks', 'x.jsonl'])).toMatchObject({
      apps: [],
      tasksFile: 'x.jsonl',
    });
    expect(readOptions(['--fixture', '--tasks', 'x.jsonl', '--apps', 'todos']).apps).toEqual([FIXTURE_APP]);
  });

  it('says what is wrong', () => {
    expect(() => readOptions([])).toThrow('choose a model');
    expect(() => readOptions(['--provider', 'openai', '--model', 'm'])).toThrow('needs --key-env');
    expect(() => readOptions(['--provider', 'openai'])).toThrow('--model is needed');
    expect(() => readOptions(['--provider', 'mistral', '--model', 'm'])).toThrow('--provider is one of');
    expect(() => readOptions(['--fixture', '--model', 'm'])).toThrow('--fixture runs without a provider');
    expect(() => readOptions(['--fixture', '--apps', 'notes'])).toThrow("only knows the demo's app");
    expect(() => readOptions(['--fixture', '--apps', 'nope'])).toThrow('there is no app "nope"');
    expect(() => readOptions(['--fixture', '--parallel', '0'])).toThrow('--parallel takes a number above 0');
    expect(() => readOptions(['--fixture', '--colour'])).toThrow();
  });
});
