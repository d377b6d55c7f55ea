/**
 * Oversize bodies get their 413 envelope over a real connection (`wrangler dev`), chunked or not: the
 * client always reads the answer, never a connection reset in the middle of its upload.
 */
import { request } from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';

const baseUrl = inject('baseUrl');

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const TOTAL = 10 * 1024 * 1024;

/** Uploads 10 MB to `path`, chunked or with its length; resolves with the answer (or how it failed). */
function upload(path: string, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: baseUrl,
        ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(TOTAL) }),
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    let sent = 0;
    const write = (): void => {
      while (sent < TOTAL) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('the body limit over a real connection', () => {
  for (const chunked of [true, false]) {
    it(`answers a ${chunked ? 'chunked' : 'declared'} 10 MB upload with the 413 envelope, every time`, async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const { status, body } = await upload('/api/projects', chunked);
        expect(status, `attempt ${attempt + 1}`).toBe(413);
        expect(JSON.parse(body)).toMatchObject({
          error: { code: 'payload_too_large', message: expect.stringContaining('larger than') },
        });
      }
    }, 120_000);
  }
});
