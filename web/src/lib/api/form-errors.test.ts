import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { errorFromResponse } from './errors.ts';
import { formErrors } from './form-errors.ts';

/** A failed answer of the API in its one envelope. */
const failed = (status: number, error: object, headers: Record<string, string> = {}) =>
  errorFromResponse(
    new Response(JSON.stringify({ error }), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  );

const FIELDS = ['name', 'description', 'budgetMicros'];

describe("a form's errors", () => {
  it('puts each field issue of a 422 beside its field, and only the first of a field', async () => {
    const error = await failed(422, {
      code: 'validation_failed',
      message: 'Some fields are not valid.',
      fields: [
        { path: 'name', message: 'Too long.' },
        { path: 'name', message: 'Holds a character that cannot be stored.' },
        { path: 'budgetMicros', message: 'Must be at most 1000000000.' },
      ],
    });
    expect(formErrors(error, FIELDS)).toEqual({
      fields: { name: 'Too long.', budgetMicros: 'Must be at most 1000000000.' },
      form: '',
    });
  });

  it('says at the top of the form what concerns no field of it', async () => {
    const error = await failed(422, {
      code: 'validation_failed',
      message: 'Some fields are not valid.',
      fields: [
        { path: 'pipeline', message: 'The scripted pipeline is for tests and local runs only.' },
        { path: 'description', message: 'Describe the app.' },
      ],
    });
    expect(formErrors(error, FIELDS)).toEqual({
      fields: { description: 'Describe the app.' },
      form: 'Some fields are not valid. The scripted pipeline is for tests and local runs only.',
    });
    const conflict = await failed(409, { code: 'conflict', message: 'You can keep at most 20 keys.' });
    expect(formErrors(conflict, FIELDS)).toEqual({ fields: {}, form: 'You can keep at most 20 keys.' });
  });

  it('says when to try again after a 503, from Retry-After', async () => {
    const error = await failed(
      503,
      { code: 'dependency_unavailable', message: 'The project index is busy. Try again shortly.' },
      { 'Retry-After': '7' },
    );
    expect(formErrors(error, FIELDS).form).toBe('The project index is busy. Try again in 7 s.');
    const said = await failed(
      503,
      {
        code: 'dependency_unavailable',
        message: 'The database is not available right now. Try again in 5 s.',
      },
      { 'Retry-After': '5' },
    );
    expect(formErrors(said, FIELDS).form).toBe('The database is not available right now. Try again in 5 s.');
    const limited = await failed(
      429,
      { code: 'rate_limited', message: 'Too many requests.' },
      { 'Retry-After': '30' },
    );
    expect(formErrors(limited, FIELDS).form).toBe('Too many requests. Try again in 30 s.');
  });

  it('says the server could not be reached when the request never got an answer', async () => {
    // A port that was just freed: nothing listens there.
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const failure = await fetch(`http://127.0.0.1:${port}/api/projects`).catch((error: unknown) => error);
    expect(formErrors(failure, FIELDS)).toEqual({
      fields: {},
      form: 'The server could not be reached. Check your connection.',
    });
  });
});
