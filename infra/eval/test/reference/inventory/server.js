// A reference inventory API that meets the eval suite's contract (infra/eval/suite/inventory.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const FILE = 'data/inventory.json';
const built = JSON.parse(readFileSync('build-info.json', 'utf8')).built;
const items = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : [];
const save = () => {
  mkdirSync('data', { recursive: true });
  writeFileSync(FILE, JSON.stringify(items));
};

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

createServer(async (req, res) => {
  const send = (status, value) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/health') return send(200, { ok: built });
  if (req.method === 'GET' && url === '/api/items')
    return send(
      200,
      [...items].sort((a, b) => a.name.localeCompare(b.name)),
    );
  if (req.method === 'POST' && url === '/api/items') {
    const { name, quantity } = await body(req);
    if (typeof name !== 'string' || !name.trim()) return send(400, { error: 'name is required' });
    if (!Number.isInteger(quantity) || quantity < 0)
      return send(400, { error: 'quantity is a whole number, 0 or more' });
    if (items.some((i) => i.name === name)) return send(409, { error: 'that name is taken' });
    const item = { id: items.length + 1, name, quantity };
    items.push(item);
    save();
    return send(201, item);
  }
  const one = /^\/api\/items\/(\d+)(\/adjust)?$/.exec(url);
  const item = one && items.find((i) => i.id === Number(one[1]));
  if (one && !item) return send(404, { error: 'no such item' });
  if (item && req.method === 'GET' && !one[2]) return send(200, item);
  if (item && req.method === 'POST' && one[2]) {
    const { delta } = await body(req);
    if (!Number.isInteger(delta)) return send(400, { error: 'delta is a whole number' });
    if (item.quantity + delta < 0) return send(409, { error: 'not enough in stock' });
    item.quantity += delta;
    save();
    return send(200, item);
  }
  send(404, { error: 'not found' });
}).listen(Number(process.env.PORT ?? 3000));
