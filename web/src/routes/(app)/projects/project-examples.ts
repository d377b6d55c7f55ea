/** Example apps the create dialog offers to start from: each fills the name and the description. */
export interface ProjectExample {
  name: string;
  description: string;
}

export const PROJECT_EXAMPLES: readonly ProjectExample[] = [
  {
    name: 'Todo API',
    description:
      'A REST API for todos in Node.js: create, list, complete and delete todos, kept in a JSON file. ' +
      'Validate the input and answer errors as JSON. Include tests for every route.',
  },
  {
    name: 'Habit tracker',
    description:
      'A one-page habit tracker: add habits, tick each one off per day, and see the current streak and ' +
      'the last 7 days of every habit. Keep everything in the browser (localStorage); plain HTML, CSS ' +
      'and JavaScript served by a small Node.js server.',
  },
  {
    name: 'Link shortener',
    description:
      'A link shortener: a page with a form that turns a long URL into a short link, and a list of the ' +
      'links made with their visit counts. Visiting a short link redirects to the long one. Store the ' +
      'links in SQLite and test the API.',
  },
  {
    name: 'Markdown notes',
    description:
      'A notes app: write notes in Markdown with a live preview, search them by text, edit and delete ' +
      'them. The server keeps notes in a JSON file behind a small REST API, with tests.',
  },
];
