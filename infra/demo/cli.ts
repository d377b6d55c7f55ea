/**
 * `pnpm demo`: the offline end-to-end demo (see run.ts). DEMO_PROFILE picks the local stack's profile
 * (`test` by default, so it runs beside `pnpm start`); DEMO_KEEP=1 leaves the project in place.
 */
import type { Profile } from '../stack/config.ts';
import { runDemo } from './run.ts';

const result = await runDemo({
  write: (text) => process.stdout.write(text),
  profile: (process.env.DEMO_PROFILE as Profile | undefined) ?? 'test',
  keep: process.env.DEMO_KEEP === '1',
});
const ok =
  result.status === 'completed' &&
  result.testExits.length >= 2 &&
  result.testExits[0] !== 0 &&
  result.testExits.at(-1) === 0 &&
  result.preview !== null &&
  result.readme !== null;
if (!ok)
  console.error(
    `\nThe demo did not go as scripted: ${result.status}${result.reason ? ` (${result.reason})` : ''}`,
  );
process.exit(ok ? 0 : 1);
