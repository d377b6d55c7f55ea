/**
 * The platform checks what it shows: once a web app starts, its page is loaded in a headless browser
 * (the same page check as the runner's), and a broken page goes to the debug loop like a failing test,
 * with what the browser saw as the evidence. A web app's task is done only when its page check passes,
 * and the last task's check is the app's start (it is not started twice).
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
  it("sends a task whose page throws to the BugHunter within that task, with the browser's evidence, and ends it done only once its check passes", async () => {
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
          tasks: [
            { title: 'Page', description: 'A greeting page.', acceptance: ['the page greets'] },
            { title: 'Footer', description: 'A footer on the page.', acceptance: ['the page has a footer'] },
          ],
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
      {
        match: agent('Developer'),
        json: {
          relevantFiles: ['public/index.html'],
          steps: [{ type: 'code', path: 'public/index.html', instructions: 'add a footer' }],
          testInstructions: 'open the page and look at its foot',
        },
      },
      {
        match: agent('CodeMonkey'),
        json: {
          summary: 'footer',
          edits: [{ search: '<h1>Hello</h1>', replace: '<h1>Hello</h1>\n<footer>Bye</footer>' }],
        },
      },
      { match: agent('TechnicalWriter'), text: '# hello\n' },
    ]);
    const h = agentsHarness({ fixtureUrl: fixture.url, key, sandbox, app: sandbox, review: false });
    h.controls.start();
    await h.drain();
    const run = h.journal.run();
    expect(run.status, run.reason?.message).toBe('completed');

    // The first task's broken page is fixed within that task, before the next task is planned; each
    // task is done only after its check passed, and the last check is the app's start.
    const story = h.events().flatMap((e) => {
      if (e.type === 'step.started') return [`${e.title} (${e.task ?? 'run'})`];
      if (e.type === 'app.check') return [`check ${e.status}`];
      if (e.type === 'task' && e.status !== 'started') return [`${e.title} ${e.status}`];
      return [];
    });
    const tasks = story.slice(story.indexOf('Plan: Page (t1)'), -1);
    expect(tasks.filter((line) => !line.startsWith('Write '))).toEqual([
      'Plan: Page (t1)',
      'Run npm test (t1)',
      'Check the page (t1)',
      'check failed',
      'Debug npm start (t1)',
      'Check the page (t1)',
      'check passed',
      'Page completed',
      'Plan: Footer (t2)',
      'Run npm test (t2)',
      'Check the page (t2)',
      'check passed',
      'Footer completed',
    ]);
    expect(story.at(-1)).toBe('Write the README (run)');

    const checks = ofType(h.events(), 'app.check');
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
