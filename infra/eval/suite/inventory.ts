/** An API with persistence and rules: stock levels that never go below zero, kept across restarts. */
import { arrayBody, ensure, expectStatus, findBy, objectBody, uniqueText } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const inventory: EvalApp = {
  id: 'inventory',
  name: 'inventory',
  kind: 'API with persistence',
  description: `An inventory API in Node.js on the port in the PORT environment variable (default 3000). It keeps its data in the folder data/ (created when missing) so it survives a restart.

- GET /health answers { "ok": true }.
- POST /api/items with { "name", "quantity" } (quantity a whole number, 0 or more) answers 201 with { "id", "name", "quantity" }; a bad quantity answers 400 with { "error": "..." }; a name already used answers 409.
- GET /api/items lists the items sorted by name; GET /api/items/:id answers one or 404.
- POST /api/items/:id/adjust with { "delta" } (a whole number, may be negative) answers the item with its new quantity; a delta that would take it below 0 answers 409 and changes nothing.

The README says how to install and start it.`,
  checks: [
    {
      name: 'answers its health check',
      kind: 'http',
      run: async (app) => {
        const health = await app.http('/health');
        expectStatus('GET /health', health, 200);
        ensure(objectBody('GET /health', health).ok === true, 'GET /health does not answer { "ok": true }');
      },
    },
    {
      name: 'adjusts stock and never below zero',
      kind: 'http',
      run: async (app) => {
        const created = await app.http('/api/items', { json: { name: uniqueText('bolts'), quantity: 5 } });
        expectStatus('POST /api/items', created, 201);
        const id = String(objectBody('POST /api/items', created).id);
        const adjusted = objectBody(
          'adjust by -3',
          await app.http(`/api/items/${id}/adjust`, { json: { delta: -3 } }),
        );
        ensure(adjusted.quantity === 2, `5 adjusted by -3 is ${String(adjusted.quantity)}`);
        expectStatus(
          'adjust by -3 again (below 0)',
          await app.http(`/api/items/${id}/adjust`, { json: { delta: -3 } }),
          409,
        );
        const item = objectBody('GET /api/items/:id', await app.http(`/api/items/${id}`));
        ensure(item.quantity === 2, `a refused adjustment changed the quantity to ${String(item.quantity)}`);
      },
    },
    {
      name: 'refuses bad quantities and duplicate names, lists by name',
      kind: 'http',
      run: async (app) => {
        const name = uniqueText('zz nuts');
        expectStatus(
          'POST /api/items with quantity -1',
          await app.http('/api/items', { json: { name, quantity: -1 } }),
          400,
        );
        expectStatus(
          'POST /api/items with quantity 1.5',
          await app.http('/api/items', { json: { name, quantity: 1.5 } }),
          400,
        );
        expectStatus('POST /api/items', await app.http('/api/items', { json: { name, quantity: 1 } }), 201);
        expectStatus(
          'POST /api/items with the same name',
          await app.http('/api/items', { json: { name, quantity: 1 } }),
          409,
        );
        const names = arrayBody('GET /api/items', await app.http('/api/items')).map((i) =>
          String((i as { name?: unknown }).name),
        );
        ensure(
          names.join('\n') === [...names].sort((a, b) => a.localeCompare(b)).join('\n'),
          'GET /api/items is not sorted by name',
        );
      },
    },
    {
      name: 'keeps items across a restart',
      kind: 'http',
      run: async (app) => {
        const name = uniqueText('washers');
        expectStatus('POST /api/items', await app.http('/api/items', { json: { name, quantity: 7 } }), 201);
        await app.restart();
        const item = findBy(
          arrayBody('GET /api/items after a restart', await app.http('/api/items')),
          'name',
          name,
        );
        ensure(item?.quantity === 7, 'an item created before a restart is gone (or changed) after it');
      },
    },
  ],
};
