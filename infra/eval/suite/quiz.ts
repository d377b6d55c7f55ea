/** A game with a server: a multiple-choice quiz scored on the server. */
import { arrayBody, ensure, expectStatus, objectBody } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const quiz: EvalApp = {
  id: 'quiz',
  name: 'quiz',
  kind: 'game',
  description: `A multiple-choice quiz about world capitals, in Node.js on the port in the PORT environment variable (default 3000).

- GET /api/questions answers at least 5 questions: [{ "id", "question", "options": ["...", ...] }], without the answers.
- POST /api/answers with { "answers": { "<question id>": <index of the chosen option> } } answers { "score", "total" }: score counts the right answers, total is the number of questions; a body without "answers" answers 400.
- The page at / shows each question with its options as radio buttons and a "Submit" button; after submitting it shows "Score: N / M".

The README says how to install and start it.`,
  checks: [
    {
      name: 'serves questions without their answers',
      kind: 'http',
      run: async (app) => {
        const answer = await app.http('/api/questions');
        expectStatus('GET /api/questions', answer, 200);
        const questions = arrayBody('GET /api/questions', answer);
        ensure(
          questions.length >= 5,
          `GET /api/questions answered ${questions.length} questions, at least 5 were asked for`,
        );
        ensure(!/"(answer|correct)/i.test(answer.text), 'GET /api/questions gives the answers away');
      },
    },
    {
      name: 'scores answers',
      kind: 'http',
      run: async (app) => {
        const questions = arrayBody('GET /api/questions', await app.http('/api/questions')) as {
          id: unknown;
        }[];
        const none = objectBody(
          'POST /api/answers',
          await app.http('/api/answers', { json: { answers: {} } }),
        );
        ensure(
          none.score === 0 && none.total === questions.length,
          `no answers scored ${String(none.score)} / ${String(none.total)}, expected 0 / ${questions.length}`,
        );
        // Every option of the first question: exactly one of them is right.
        const first = questions[0] as { id: unknown; options: unknown[] };
        const scores: number[] = [];
        for (let i = 0; i < first.options.length; i++) {
          const scored = objectBody(
            'POST /api/answers',
            await app.http('/api/answers', { json: { answers: { [String(first.id)]: i } } }),
          );
          scores.push(Number(scored.score));
        }
        ensure(
          scores.filter((s) => s === 1).length === 1,
          `the options of the first question scored ${JSON.stringify(scores)}: exactly one should score 1`,
        );
        expectStatus('POST /api/answers without answers', await app.http('/api/answers', { json: {} }), 400);
      },
    },
    {
      name: 'the page shows the score after submitting',
      kind: 'browser',
      run: async (app) => {
        const total = arrayBody('GET /api/questions', await app.http('/api/questions')).length;
        const page = await app.page();
        await page.goto(app.url);
        await page.getByRole('radio').first().check();
        await page.getByRole('button', { name: 'Submit' }).click();
        await page.getByText(new RegExp(`Score: \\d+ / ${total}`)).waitFor();
      },
    },
  ],
};
