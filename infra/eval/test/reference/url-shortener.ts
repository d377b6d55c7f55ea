/** A reference URL shortener that meets the suite's contract (suite/url-shortener.ts). */
import { createServer, type IncomingMessage, type Server } from 'node:http';

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const PAGE = `<!doctype html><title>Shorten</title>
<form id="f"><label for="url">URL</label><input id="url"><button>Shorten</button></form><p id="out"></p>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch('/api/links', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: document.getElementById('url').value }) });
  const link = await res.json();
  document.getElementById('out').textContent = location.origin + '/' + link.code;
});
</script>`;

export function urlShortenerServer(): Server {
  const links = new Map<string, { url: string; clicks: number }>();
  let next = 1000;
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
      return;
    }
    if (req.method === 'POST' && path === '/api/links') {
      void jsonBody(req).then((body) => {
        const url = typeof body.url === 'string' ? body.url : '';
        if (!/^https?:\/\/./.test(url)) return send(400, { error: 'url must be http(s)' });
        const code = `c${(next++).toString(36)}x`;
        links.set(code, { url, clicks: 0 });
        send(201, { code, url });
      });
      return;
    }
    const stats = /^\/api\/links\/(\w+)$/.exec(path);
    if (req.method === 'GET' && stats) {
      const link = links.get(stats[1]!);
      return link ? send(200, { code: stats[1], ...link }) : send(404, { error: 'no such link' });
    }
    const link = links.get(path.slice(1));
    if (req.method === 'GET' && link) {
      link.clicks++;
      res.writeHead(302, { location: link.url });
      res.end();
      return;
    }
    send(404, { error: 'not found' });
  });
}
