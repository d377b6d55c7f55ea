/**
 * Sample apps of the stack catalog, two per stack, as the agents would leave them: what the preview
 * benchmark starts in sandboxes and checks (does the page render on first start?). Each is the stack's
 * scaffold plus its own files; the Vite ones install their dependencies from a registry.
 */
import { stackById, type ScaffoldFile, type StackEntry } from '../../workers/src/core/catalog/catalog.ts';
import {
  APP_JS as TODO_APP_JS,
  INDEX_HTML as TODO_INDEX_HTML,
  PUBLIC_APP_JS as TODO_PUBLIC_APP_JS,
  SERVER_JS as TODO_SERVER_JS,
  STATIC_IMPORTS,
  STATIC_ROUTE,
  APP_IMPORTS,
  ROOT_ROUTE,
  STYLE_CSS as TODO_STYLE_CSS,
  TODOS_JS,
  BUGGY_REMOVE,
  FIXED_REMOVE,
} from '../demo/todo-app.ts';
import {
  ABOUT_HTML,
  APP_JS as SHORTENER_APP_JS,
  INDEX_HTML as SHORTENER_INDEX_HTML,
  LINKS_JS,
  PUBLIC_APP_JS as SHORTENER_PUBLIC_APP_JS,
  SERVER_JS as SHORTENER_SERVER_JS,
  STYLE_CSS as SHORTENER_STYLE_CSS,
} from './shortener.ts';

export interface SampleApp {
  name: string;
  stack: StackEntry;
  files: ScaffoldFile[];
}

function sample(name: string, stackId: string, files: ScaffoldFile[]): SampleApp {
  const stack = stackById(stackId);
  if (!stack) throw new Error(`no stack ${stackId}`);
  const own = new Set(files.map((f) => f.path));
  return { name, stack, files: [...stack.scaffold.filter((f) => !own.has(f.path)), ...files] };
}

/** A JSON API with no page: its root answers a short description. */
const HELLO_API = `import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ service: 'greetings', try: '/api/hello?name=you', path: req.url }));
}).listen(port, '0.0.0.0', () => console.log('listening on ' + port));
`;

/** A page whose content arrives by fetch after load (a dashboard of counters). */
const DASHBOARD_SERVER = `import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const stats = { visitors: 1204, signups: 87, revenue: 4310 };
createServer(async (req, res) => {
  if (req.url === '/api/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(stats));
  }
  const name = req.url === '/' ? 'index.html' : req.url.slice(1);
  if (!['index.html', 'dashboard.js', 'style.css'].includes(name)) {
    res.writeHead(404);
    return res.end('not found');
  }
  const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html';
  res.writeHead(200, { 'content-type': type });
  res.end(await readFile(new URL('../public/' + name, import.meta.url)));
}).listen(port, '0.0.0.0', () => console.log('listening on ' + port));
`;

const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Dashboard</title><link rel="stylesheet" href="/style.css" /></head>
  <body><h1>Dashboard</h1><dl id="stats"></dl><script src="/dashboard.js"></script></body>
</html>
`;

const DASHBOARD_JS = `fetch('/api/stats')
  .then((res) => res.json())
  .then((stats) => {
    const list = document.getElementById('stats');
    for (const [name, value] of Object.entries(stats)) {
      list.append(Object.assign(document.createElement('dt'), { textContent: name }));
      list.append(Object.assign(document.createElement('dd'), { textContent: String(value) }));
    }
  });
`;

const VITE_COUNTER = `let count = 0;
const button = document.createElement('button');
const render = () => (button.textContent = \`Clicked \${count} times\`);
button.addEventListener('click', () => {
  count += 1;
  render();
});
render();
document.querySelector<HTMLDivElement>('#app')!.append(button);
`;

const VITE_TEMPERATURE = `import { toFahrenheit } from './lib/convert';

const app = document.querySelector<HTMLDivElement>('#app')!;
app.innerHTML = '<h1>Temperature</h1><p id="out"></p>';
document.querySelector('#out')!.textContent = \`20 °C is \${toFahrenheit(20)} °F\`;
`;

/** The samples, in a fixed order. */
export function catalogSamples(): SampleApp[] {
  return [
    sample('greetings API', 'node-api', [{ path: 'src/server.js', content: HELLO_API }]),
    sample('todo list (the demo)', 'node-api', [
      { path: 'src/todos.js', content: TODOS_JS.replace(BUGGY_REMOVE, FIXED_REMOVE) },
      {
        path: 'src/app.js',
        content: TODO_APP_JS.replace(APP_IMPORTS, STATIC_IMPORTS).replace(ROOT_ROUTE, STATIC_ROUTE),
      },
      { path: 'src/server.js', content: TODO_SERVER_JS },
      { path: 'public/index.html', content: TODO_INDEX_HTML },
      { path: 'public/style.css', content: TODO_STYLE_CSS },
      { path: 'public/app.js', content: TODO_PUBLIC_APP_JS },
    ]),
    sample('URL shortener', 'node-fullstack', [
      { path: 'src/links.js', content: LINKS_JS },
      { path: 'src/app.js', content: SHORTENER_APP_JS },
      { path: 'src/server.js', content: SHORTENER_SERVER_JS },
      { path: 'public/index.html', content: SHORTENER_INDEX_HTML },
      { path: 'public/style.css', content: SHORTENER_STYLE_CSS },
      { path: 'public/app.js', content: SHORTENER_PUBLIC_APP_JS },
      { path: 'public/about.html', content: ABOUT_HTML },
    ]),
    sample('dashboard (data after load)', 'node-fullstack', [
      { path: 'src/server.js', content: DASHBOARD_SERVER },
      { path: 'public/index.html', content: DASHBOARD_HTML },
      { path: 'public/dashboard.js', content: DASHBOARD_JS },
      { path: 'public/style.css', content: 'body { font-family: sans-serif; }\n' },
    ]),
    sample('counter', 'vite-ts', [{ path: 'src/main.ts', content: VITE_COUNTER }]),
    sample('temperature', 'vite-ts', [
      { path: 'src/main.ts', content: VITE_TEMPERATURE },
      {
        path: 'src/lib/convert.ts',
        content:
          'export function toFahrenheit(celsius: number): number {\n  return (celsius * 9) / 5 + 32;\n}\n',
      },
    ]),
  ];
}
