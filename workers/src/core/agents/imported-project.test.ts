import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COUNT_TEST_JS,
  FAVICON,
  IMPORTED_CHANGE,
  IMPORTED_SUMMARY,
  IMPORTED_TODOS_FILES,
  importedTodosSession,
} from '../../../../infra/samples/imported-todos.ts';
import type { ServerEvent } from '../../protocol.ts';
import { agent } from './testing/common-replies.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { agentsHarness } from './testing/harness.ts';
import { localSandbox } from './testing/local-sandbox.ts';

const suite = fixtureSuite();

/** Each request the fixture got for `key`: the agent it was for and its user message. */
function prompts(key: string): { agent: string; user: string }[] {
  return suite.fixture.requestsOf(key).map((r) => {
    const body = JSON.parse(r.body) as { messages: { role: string; content: string }[] };
    const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
    return {
      agent: /You are Samokoder's ([A-Za-z ]+?)[.]/.exec(system)?.[1] ?? '?',
      user: body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
    };
  });
}

const said = (events: ServerEvent[]) =>
  events.flatMap((e) => (e.type === 'message' && e.agent === 'Architect' ? [e.text] : []));

describe('an imported project', () => {
  it('is read by the Architect in one call (no specification from scratch), then takes a change request that lands in its files', async () => {
    const key = suite.newKey('import');
    const sandbox = localSandbox();
    suite.track(sandbox);
    const h = agentsHarness({
      fixtureUrl: suite.fixture.url,
      key,
      sandbox,
      name: 'todos',
      description: 'Imported from app.zip: 12 files.',
    });
    suite.fixture.add(key, importedTodosSession());
    expect(await h.importFiles(IMPORTED_TODOS_FILES)).toEqual({ ok: true, value: { files: 12 } });
    h.controls.start();
    await h.drain();

    expect(h.journal.run().status).toBe('completed');
    const read = prompts(key);
    expect(read.map((p) => p.agent)).toEqual(['Architect']);
    // The stack came from package.json; the call saw the key files and the map, never the icon's bytes.
    expect(read[0]!.user).toContain('Stack: Full-stack Node app');
    expect(read[0]!.user).toContain('"start": "node src/server.js"');
    expect(read[0]!.user).toContain('public/favicon.ico');
    expect(read[0]!.user).not.toContain(IMPORTED_TODOS_FILES.find((f) => f.binary)!.content);
    // Its summary is what later agents are shown.
    expect(h.state()).toMatchObject({
      spec: { summary: IMPORTED_SUMMARY.summary, features: IMPORTED_SUMMARY.features },
      stack: { id: 'node-fullstack', conventions: IMPORTED_SUMMARY.conventions },
      tasks: [{ id: 'import' }],
      outcomes: { import: { status: 'completed' } },
    });
    expect(h.state()!.fileNotes['src/todos.js']).toBe('the in-memory todo store');
    expect(said(h.events()).at(-1)).toMatch(/Tell me what to change/);

    expect(h.controls.chat(IMPORTED_CHANGE, 'change')).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(suite.fixture.script.pending()[key]).toBe(0);
    expect(
      prompts(key)
        .slice(1)
        .map((p) => p.agent),
    ).toEqual(['Developer', 'TestWriter', 'CodeMonkey', 'code reviewer', 'TechnicalWriter']);
    // The Developer planned from the Architect's summary of the imported app.
    expect(prompts(key)[1]!.user).toContain(`Summary: ${IMPORTED_SUMMARY.summary}`);
    expect(h.read('public/index.html')).toContain('<h1>Todos</h1>\n      <p id="count"></p>');
    expect(h.read('test/count.test.js')).toBe(COUNT_TEST_JS);
    // The tests ran in the sandbox, where the binary icon arrived byte for byte.
    expect(sandbox.commands).toContain('npm test');
    expect(new Uint8Array(readFileSync(join(sandbox.dir, 'public/favicon.ico')))).toEqual(FAVICON);
  }, 90_000);

  it('asks which stack to use when the files name none it runs (autopilot: none, the files are only changed)', async () => {
    const key = suite.newKey('import-python');
    const sandbox = localSandbox();
    suite.track(sandbox);
    const h = agentsHarness({ fixtureUrl: suite.fixture.url, key, sandbox, name: 'flask app' });
    suite.fixture.add(key, [{ match: agent('Architect'), json: { ...IMPORTED_SUMMARY, mainFiles: [] } }]);
    await h.importFiles([
      { path: 'requirements.txt', content: 'flask==3.0\n', binary: false },
      { path: 'app.py', content: 'from flask import Flask\napp = Flask(__name__)\n', binary: false },
    ]);
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    const questions = h.events().flatMap((e) => (e.type === 'question' ? [e] : []));
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({
      text: expect.stringContaining('requirements.txt says it is Python'),
    });
    expect(h.state()!.stack).toBeNull();
    expect(prompts(key)[0]!.user).toContain('Stack: none the platform runs');
  }, 60_000);
});
