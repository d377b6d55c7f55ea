/** A reference guestbook that meets the suite's contract (suite/guestbook.ts): proof its checks can pass. */
import { createServer, type Server } from 'node:http';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

export function guestbookServer(): Server {
  const entries: { name: string; message: string }[] = [];
  return createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      const items = entries.map((e) => `<li><b>${escape(e.name)}</b>: ${escape(e.message)}</li>`).join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Guestbook</title><form method="post" action="/entries">
<label for="name">Name</label><input id="name" name="name">
<label for="message">Message</label><textarea id="message" name="message"></textarea>
<button>Sign</button></form><ul>${items}</ul>`);
      return;
    }
    if (req.method === 'POST' && req.url === '/entries') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const name = form.get('name')?.trim() ?? '';
        const message = form.get('message')?.trim() ?? '';
        if (!name || !message) {
          res.writeHead(400, { 'content-type': 'text/html' });
          res.end(`<p>${!name ? 'Name' : 'Message'} is missing.</p>`);
          return;
        }
        entries.unshift({ name, message });
        res.writeHead(303, { location: '/' });
        res.end();
      });
      return;
    }
    res.writeHead(404).end('Not found');
  });
}
