/**
 * The platform checks what it shows: once a web app starts, its page is loaded in a headless browser
 * (the same page check as the runner's), and a broken page goes to the debug loop like a failing test,
 * with what the browser saw as the evidence. The app is done only when its page check passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmFixture, type LlmFixture } from '../../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey } from '../../../../infra/llm-fixture/keys.ts';
import type { ServerEvent } from '../../protocol.ts';
import { agentsHarness } from './testing/harness.ts';
import { localSandbox, type LocalSandbox } from './testing/local-sandbox.ts';

let fixture: LlmFixture;
let sandbox: LocalSandbox;

beforeAll(async () => {
  fixture = await startLlmFixture({ port: 0 });
  sandbox = localSandbox();
});
afterAll(async () => {
  sandbox?.close();
  await fixture?.close();
});

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

const SERVER_JS = `import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

createServer(async (req, res) => {
  if (req.url !== '/') {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(await readFile(new URL('../public/index.html', import.meta.url)));
}).listen(Number(process.env.PORT ?? 3000), '0.0.0.0');
`;
const BROKEN_SCRIPT = '<script>document.body.append(greeting());</script>';
const FIXED_SCRIPT = "<script>document.body.append('Welcome!');</script>";
const INDEX_HTML = `<!doctype html>\n<title>Hello</title>\n<h1>Hello</h1>\n${BROKEN_SCRIPT}\n`;

describe('the page check', () => {
  it("sends a web app whose page throws to the BugHunter with the browser's evidence, and finishes once it passes", async () => {
    const key = validFixtureKey('openai', `check${Date.now()}`);
    fixture.add(key, [
      {
        match: agent('SpecWriter'),
        json: {
          name: 'hello',
          summary: 'A greeting page.',
          features: ['greets'],
          complexity: 'simple',
          questions: [],
        },
      },
      {
        match: agent('Architect'),
        json: { stack: 'node-fullstack', packages: [], systemDependencies: [], notes: 'a page' },
      },
      {
        match: agent('TechLead'),
        json: {
          tasks: [{ title: 'Page', description: 'A greeting page.', acceptance: ['the page greets'] }],
        },
      },
      {
        match: agent('Developer'),
        json: {
          relevantFiles: [],
          steps: [
            { type: 'code', path: 'src/server.js', instructions: 'serve public/index.html at /' },
            { type: 'code', path: 'public/index.html', instructions: 'the greeting page' },
          ],
          testInstructions: 'open the page',
        },
      },
      { match: agent('CodeMonkey'), json: { summary: 'server', content: SERVER_JS } },
      { match: agent('CodeMonkey'), json: { summary: 'page', content: INDEX_HTML } },
      {
        match: agent('BugHunter'),
        json: {
          hypotheses: ['greeting() is called but never defined'],
          explanation: 'The page now appends its greeting text directly.',
          kind: 'fix',
          changes: [{ path: 'public/index.html', edits: [{ search: BROKEN_SCRIPT, replace: FIXED_SCRIPT }] }],
        },
      },
      { match: agent('TechnicalWriter'), text: '# hello\n' },
    ]);
    const h = agentsHarness({ fixtureUrl: fixture.url, key, sandbox, app: sandbox, review: false });
    h.controls.start();
    await h.drain();
    const run = h.journal.run();
    expect(run.status, run.reason?.message).toBe('completed');

    const checks = ofType(h.events(), 'app.check');
    expect(checks.map((c) => c.status)).toEqual(['failed', 'passed']);
    expect(checks[0]!.problems.map((p) => `${p.kind}: ${p.message}`).join('\n')).toMatch(
      /page_error: .*greeting is not defined/,
    );
    // The BugHunter was shown what the browser saw.
    const hunt = fixture.requestsOf(key).find((r) => r.body.includes("You are Samokoder's BugHunter"))!;
    expect(hunt.body).toContain('page check failed');
    expect(hunt.body).toContain('greeting is not defined');
    expect(h.read('public/index.html')).toContain(FIXED_SCRIPT);
  }, 90_000);
});
