import { describe, expect, it } from 'vitest';
import { README_MD } from '../demo/todo-app.ts';
import { readmeCommands } from './readme-commands.ts';

const fence = '```';

describe('reading how to run an app from its README', () => {
  it("takes the demo app's start command and ignores its tests and their comments", () => {
    expect(readmeCommands(README_MD)).toEqual({ install: [], start: 'npm start' });
  });

  it('takes install, build and start steps in order from a typical Node README', () => {
    const readme = `# Notes

A notes app.

## Getting started

${fence}bash
$ git clone https://example.test/notes.git
$ cd notes
$ npm install
${fence}

Then build the client and start the server:

${fence}sh
npm run build
npm start   # serves http://localhost:3000
${fence}

## Development

${fence}
npm run dev
${fence}

## Tests

${fence}bash
npm test
${fence}
`;
    expect(readmeCommands(readme)).toEqual({ install: ['npm install', 'npm run build'], start: 'npm start' });
  });

  it('reads commands from inline code in prose and splits chained ones', () => {
    const readme = `# Kanban

Install with \`npm ci\`, then run \`npm ci && node src/server.js\` and open the page.
Run the tests with \`node --test\`.`;
    expect(readmeCommands(readme)).toEqual({ install: ['npm ci'], start: 'node src/server.js' });
  });

  it('falls back to a dev server, drops a PORT the README pins, keeps other variables', () => {
    const readme = `## Run

${fence}console
> pnpm install
> PORT=8080 NODE_ENV=production pnpm run dev
${fence}`;
    expect(readmeCommands(readme)).toEqual({
      install: ['pnpm install'],
      start: 'NODE_ENV=production pnpm run dev',
    });
  });

  it('joins continued lines and ignores code blocks that are not shell', () => {
    const readme = `${fence}json
{ "start": "npm start" }
${fence}

${fence}shell
pip install \\
  -r requirements.txt
python app.py
${fence}`;
    expect(readmeCommands(readme)).toEqual({
      install: ['pip install -r requirements.txt'],
      start: 'python app.py',
    });
  });

  it('finds no start command in a README that does not say how to run the app', () => {
    const readme = `# Quiz

A quiz game with ten questions. See the code in \`src/\`.

${fence}bash
npm test
curl http://localhost:3000/api/questions
${fence}`;
    expect(readmeCommands(readme)).toEqual({ install: [], start: null });
  });
});
