import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';
import { migrationsFolder, runMigrations } from './migrate.ts';
import { freePort } from './testing/free-port.ts';

interface Journal {
  entries: { tag: string }[];
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as Journal;

describe('migrations', () => {
  let postgres: EmbeddedPostgres;

  beforeAll(async () => {
    // A fresh in-memory PGlite: nothing from any other run.
    postgres = await startEmbeddedPostgres({ port: await freePort() });
  }, 60_000);

  afterAll(async () => {
    await postgres?.stop();
  });

  it('build the whole schema from an empty database', async () => {
    const before = await withClient(
      postgres.url,
      async (c) =>
        (await c.query(`select count(*)::int as n from pg_tables where schemaname = 'public'`)).rows,
    );
    expect(before[0]).toEqual({ n: 0 });

    await runMigrations(postgres.url);

    const tables = await withClient(postgres.url, async (c) =>
      (await c.query(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows.map(
        (r: { tablename: string }) => r.tablename,
      ),
    );
    expect(tables).toEqual([
      'api_keys',
      'git_remotes',
      'git_tokens',
      'model_prices',
      'project_snapshots',
      'projects',
      'sessions',
      'usage_ledger',
      'users',
    ]);
    const applied = await withClient(
      postgres.url,
      async (c) => (await c.query(`select count(*)::int as n from drizzle.__drizzle_migrations`)).rows,
    );
    expect(applied[0]).toEqual({ n: journal.entries.length });
  });

  it('are idempotent: a second run applies nothing and changes nothing', async () => {
    const schemaOf = (c: pg.Client) =>
      c
        .query(
          `select table_name, column_name, data_type from information_schema.columns
           where table_schema = 'public' order by 1, 2`,
        )
        .then((r) => r.rows);
    const before = await withClient(postgres.url, schemaOf);
    await runMigrations(postgres.url);
    await runMigrations(postgres.url);
    const after = await withClient(postgres.url, schemaOf);
    expect(after).toEqual(before);
    const applied = await withClient(
      postgres.url,
      async (c) => (await c.query(`select count(*)::int as n from drizzle.__drizzle_migrations`)).rows,
    );
    expect(applied[0]).toEqual({ n: journal.entries.length });
  });

  it('enforce the constraints the API relies on', async () => {
    await withClient(postgres.url, async (c) => {
      const user = await c.query(
        `insert into users (email, password_hash) values ('m@example.com', 'x') returning id`,
      );
      const userId = (user.rows[0] as { id: string }).id;
      await expect(
        c.query(`insert into users (email, password_hash) values ('m@example.com', 'y')`),
      ).rejects.toThrow(/users_email_unique/);
      await expect(
        c.query(
          `insert into projects (owner_id, name, description, mode, budget_micros)
           values ($1, 'p', 'd', 'autopilot', -1)`,
          [userId],
        ),
      ).rejects.toThrow(/projects_budget_nonnegative/);
      await expect(
        c.query(
          `insert into api_keys (user_id, provider, label, ciphertext, iv, master_key_id, last4)
           values ($1, 'openai-compatible', 'l', 'c', 'i', 'k1', 'abcd')`,
          [userId],
        ),
      ).rejects.toThrow(/api_keys_base_url_only_compatible/);
    });
  });
});
