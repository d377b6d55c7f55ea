/**
 * The URL shortener of the preview's tests: a page with root-relative assets (`/style.css`,
 * `/app.js`), a JSON API, a plain form POST answered with a 302, short links that redirect (302), a
 * cookie the app sets, and short links built from the host the browser used. Its files, and the
 * scripted session in which the agents write it (what the LLM fixture answers, in order).
 */
import type { ScriptedReply } from '../llm-fixture/script.ts';

export const SHORTENER_PROJECT = {
  name: 'shortener',
  description:
    'A URL shortener: a page with a form to shorten a link and the list of short links, a JSON API, and short links that redirect. Node, no dependencies.',
};

export const LINKS_JS = `/** Short links kept in memory: a 4-character code for each URL. */
export function createLinks() {
  const links = new Map();
  let next = 1;
  return {
    add(url) {
      if (!/^https?:\\/\\//.test(url ?? '')) throw new Error('a link must start with http:// or https://');
      const code = (next++).toString(36).padStart(4, '0');
      links.set(code, url);
      return { code, url };
    },
    get(code) {
      return links.get(code) ?? null;
    },
    list() {
      return [...links].map(([code, url]) => ({ code, url }));
    },
  };
}
`;

export const APP_JS = `import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { extname } from 'node:path';
import { createLinks } from './links.js';

const PUBLIC = new URL('../public/', import.meta.url);
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript' };

/** Where the browser reached the app (behind a proxy too): short links start with it. */
function origin(req) {
  return \`\${req.headers['x-forwarded-proto'] ?? 'http'}://\${req.headers.host}\`;
}

function text(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
  });
}

function cookie(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

export function createServer(links = createLinks()) {
  const view = (req, link) => ({ ...link, short: \`\${origin(req)}/s/\${link.code}\` });
  return createHttpServer(async (req, res) => {
    const url = new URL(req.url, 'http://app');
    console.log(\`\${req.method} \${url.pathname}\`);
    const json = (status, data, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(data));
    };
    if (req.method === 'GET' && url.pathname === '/api/links') {
      return json(200, { links: links.list().map((link) => view(req, link)), last: cookie(req, 'last') });
    }
    if (req.method === 'POST' && url.pathname === '/api/links') {
      try {
        const link = links.add(JSON.parse(await text(req)).url);
        return json(201, view(req, link), { 'set-cookie': \`last=\${link.code}; Path=/\` });
      } catch (err) {
        return json(400, { error: err.message });
      }
    }
    if (req.method === 'POST' && url.pathname === '/shorten') {
      const form = new URLSearchParams(await text(req));
      try {
        const link = links.add(form.get('url'));
        res.writeHead(302, { location: '/', 'set-cookie': \`last=\${link.code}; Path=/\` });
      } catch (err) {
        res.writeHead(302, { location: \`/?error=\${encodeURIComponent(err.message)}\` });
      }
      return res.end();
    }
    const short = /^\\/s\\/([0-9a-z]+)$/.exec(url.pathname);
    if (short) {
      const target = links.get(short[1]);
      if (!target) return json(404, { error: 'no such link' });
      res.writeHead(302, { location: target });
      return res.end();
    }
    if (req.method === 'GET') {
      const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      if (!/^[a-z]+\\.(html|css|js)$/.test(name)) return json(404, { error: 'not found' });
      try {
        const data = await readFile(new URL(name, PUBLIC));
        res.writeHead(200, { 'content-type': TYPES[extname(name)] });
        return res.end(data);
      } catch {
        return json(404, { error: 'not found' });
      }
    }
    json(405, { error: 'method not allowed' });
  });
}
`;

export const SERVER_JS = `import { createServer } from './app.js';

const port = Number(process.env.PORT ?? 3000);
createServer().listen(port, '0.0.0.0', () => console.log(\`Shortener listening on port \${port}\`));
`;

export const HEADING = 'Shorten a link';

export const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Shortener</title>
    <link rel="stylesheet" href="/style.css" />
  </head>
  <body>
    <main>
      <h1>${HEADING}</h1>
      <form method="post" action="/shorten">
        <label>Long URL <input name="url" type="url" required /></label>
        <button>Shorten</button>
      </form>
      <p id="last"></p>
      <ul id="links"><li>No links yet</li></ul>
      <p><a href="/about.html">About</a></p>
    </main>
    <script src="/app.js"></script>
  </body>
</html>
`;

export const ABOUT_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>About</title>
    <link rel="stylesheet" href="/style.css" />
  </head>
  <body>
    <main><h1>About this shortener</h1><p><a href="/">Back</a></p></main>
  </body>
</html>
`;

/** The page's background: a test reads it to know the stylesheet at `/style.css` was applied. */
export const BACKGROUND = 'rgb(244, 247, 255)';

export const STYLE_CSS = `body { font-family: system-ui, sans-serif; background: ${BACKGROUND}; margin: 2rem; }
h1 { color: rgb(30, 64, 175); }
#links a { font-family: monospace; }
`;

export const PUBLIC_APP_JS = `async function load() {
  const { links, last } = await (await fetch('/api/links')).json();
  const list = document.getElementById('links');
  const items = links.map((link) => {
    const item = document.createElement('li');
    const anchor = Object.assign(document.createElement('a'), { href: link.short, textContent: link.short });
    anchor.className = 'short';
    item.append(anchor, \` → \${link.url}\`);
    return item;
  });
  list.replaceChildren(...(items.length ? items : [Object.assign(document.createElement('li'), { textContent: 'No links yet' })]));
  document.getElementById('last').textContent = last ? \`Your last link: \${last}\` : '';
}
load();
`;

export const APP_TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from '../src/app.js';

test('shortens a link and redirects to it', async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = \`http://127.0.0.1:\${server.address().port}\`;
  const created = await fetch(\`\${base}/api/links\`, { method: 'POST', body: JSON.stringify({ url: 'https://example.com/a' }) });
  assert.equal(created.status, 201);
  const { code, short } = await created.json();
  assert.equal(short, \`\${base}/s/\${code}\`);
  const hop = await fetch(\`\${base}/s/\${code}\`, { redirect: 'manual' });
  assert.equal(hop.status, 302);
  assert.equal(hop.headers.get('location'), 'https://example.com/a');
  server.close();
});
`;

export const README_MD = `# Shortener

Shortens links: \`npm start\`, then open http://localhost:3000. \`npm test\` runs the tests.
`;

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const approve: ScriptedReply = { match: agent('code reviewer'), json: { approved: true, issues: [] } };

/** The files the Developer plans, in order, with what the CodeMonkey writes for each (the test is the TestWriter's). */
const FILES: [path: string, instructions: string, content: string][] = [
  ['src/links.js', 'Export createLinks(): add(url), get(code), list(), codes of 4 characters.', LINKS_JS],
  [
    'src/app.js',
    'The HTTP server: the page and its assets, the JSON API, the form and the redirects.',
    APP_JS,
  ],
  ['src/server.js', 'Listen on PORT or 3000 at 0.0.0.0.', SERVER_JS],
  ['public/index.html', 'The page: the form, the last link, the list; root-relative assets.', INDEX_HTML],
  ['public/style.css', 'Simple styles.', STYLE_CSS],
  ['public/app.js', 'Render the links from GET /api/links.', PUBLIC_APP_JS],
  ['public/about.html', 'A short about page.', ABOUT_HTML],
];

/** The replies, in the order the pipeline asks for them. */
export function shortenerSession(): ScriptedReply[] {
  return [
    {
      match: agent('SpecWriter'),
      json: {
        name: 'shortener',
        summary: 'A URL shortener with a page, a JSON API and redirecting short links.',
        features: [
          'The page at / has a form that shortens a link (POST /shorten, then back to the page)',
          'GET /api/links lists the links with their short URLs; POST /api/links adds one',
          'GET /s/:code redirects (302) to the long URL',
        ],
        complexity: 'simple',
        questions: [],
      },
    },
    {
      match: agent('Architect'),
      json: { stack: 'node-fullstack', packages: [], systemDependencies: [], notes: 'No dependencies.' },
    },
    {
      match: agent('TechLead'),
      json: {
        tasks: [
          {
            title: 'The shortener',
            epic: 'Shortener',
            description: 'The link store, the server with its page, API and redirects, and a test.',
            acceptance: ['npm test passes', 'the page shortens a link', 'short links redirect'],
          },
        ],
      },
    },
    {
      match: agent('Developer'),
      json: {
        relevantFiles: ['package.json'],
        steps: FILES.map(([path, instructions]) => ({ type: 'code', path, instructions })),
        testInstructions: 'Open the preview, shorten a link, follow it.',
      },
    },
    // The task's acceptance test, written before its code.
    {
      match: agent('TestWriter'),
      json: {
        files: [
          { path: 'test/app.test.js', summary: 'shortens a link and follows it', content: APP_TEST_JS },
        ],
      },
    },
    ...FILES.flatMap(([path, , content]): ScriptedReply[] => [
      { match: { contains: `The file ${path} does not exist yet` }, json: { summary: path, content } },
      approve,
    ]),
    { match: agent('TechnicalWriter'), text: README_MD },
  ];
}
