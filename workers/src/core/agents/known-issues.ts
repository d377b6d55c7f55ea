/**
 * The README's "Not working yet" section: written by the platform, not the model, so a downloaded app
 * always says which parts are not done. It is replaced on every write (never written twice) and
 * removed once everything works; the rest of the README is kept byte for byte.
 */

const HEADING = '## Not working yet';
const INTRO = 'Samokoder could not finish these parts:';

/** The platform's section as it is written: from its heading to the next heading or the end. */
const SECTION = new RegExp(`(^|\\n)${HEADING}\\n\\n${INTRO}\\n[\\s\\S]*?(?=\\n#|$)`);

/** The README without the platform's section (every copy of it, should an old README hold two). */
export function withoutKnownIssues(readme: string): string {
  let text = readme;
  for (let m = SECTION.exec(text); m; m = SECTION.exec(text)) {
    const end = m.index + m[0].length;
    // At the end: the section goes with the line break before it (what `withKnownIssues` added).
    // Before another heading: the heading keeps the blank line before it.
    text =
      end >= text.length
        ? text.slice(0, m.index)
        : text.slice(0, m.index + m[1]!.length) + text.slice(end + 1);
  }
  return text;
}

/** The README with the platform's section listing `unfinished` (none when everything works). */
export function withKnownIssues(readme: string, unfinished: readonly string[]): string {
  const own = withoutKnownIssues(readme);
  if (unfinished.length === 0) return own;
  return `${own}\n${HEADING}\n\n${INTRO}\n\n${unfinished.join('\n')}\n`;
}
