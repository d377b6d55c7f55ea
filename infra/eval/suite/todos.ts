/**
 * The demo's todo app (infra/demo): the app the LLM fixture's scripted session builds, so `--fixture`
 * (and CI) runs the whole eval on it. Its description is the demo's own.
 */
import { DEMO_PROJECT } from '../../demo/todo-session.ts';
import { arrayBody, ensure, expectStatus, findBy, objectBody, uniqueText } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const todos: EvalApp = {
  id: 'todos',
  name: DEMO_PROJECT.name,
  kind: 'CRUD web app (the demo)',
  description: DEMO_PROJECT.description,
  checks: [
    {
      name: 'creates a todo and lists it',
      kind: 'http',
      run: async (app) => {
        const title = uniqueText('buy milk');
        const created = await app.http('/api/todos', { json: { title } });
        expectStatus('POST /api/todos', created, 201);
        const todo = objectBody('POST /api/todos', created);
        ensure(
          todo.title === title,
          `POST /api/todos answered title ${JSON.stringify(todo.title)}, not "${title}"`,
        );
        ensure(todo.done === false, 'a new todo is not done');
        const listed = await app.http('/api/todos');
        expectStatus('GET /api/todos', listed, 200);
        ensure(
          findBy(arrayBody('GET /api/todos', listed), 'id', todo.id),
          'GET /api/todos does not list the new todo',
        );
      },
    },
    {
      name: 'checks off and deletes a todo',
      kind: 'http',
      run: async (app) => {
        const todo = objectBody(
          'POST /api/todos',
          await app.http('/api/todos', { json: { title: uniqueText('walk') } }),
        );
        const patched = await app.http(`/api/todos/${String(todo.id)}`, {
          method: 'PATCH',
          json: { done: true },
        });
        expectStatus('PATCH /api/todos/:id', patched, 200);
        ensure(
          objectBody('PATCH /api/todos/:id', patched).done === true,
          'PATCH {done: true} did not check the todo off',
        );
        expectStatus(
          'DELETE /api/todos/:id',
          await app.http(`/api/todos/${String(todo.id)}`, { method: 'DELETE' }),
          204,
        );
        expectStatus('GET of a deleted todo', await app.http(`/api/todos/${String(todo.id)}`), 404);
      },
    },
    {
      name: 'refuses an empty title',
      kind: 'http',
      run: async (app) => {
        expectStatus(
          'POST /api/todos with an empty title',
          await app.http('/api/todos', { json: { title: '' } }),
          400,
        );
      },
    },
    {
      name: 'the page adds a todo that shows in the list',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        const title = uniqueText('water the plants');
        await page.getByPlaceholder('What needs doing?').fill(title);
        await page.getByRole('button', { name: 'Add' }).click();
        await page.getByText(title).waitFor();
      },
    },
  ],
};
