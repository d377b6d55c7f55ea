/**
 * The last `max` lines of `text` (a line ends in `\n`; an unfinished last one counts too) and how many
 * lines came before them. A terminal that keeps `max` lines gets only what it would keep: parsing
 * output that would scroll out at once is the slow part of showing a long log.
 */
export function lastLines(text: string, max: number): { tail: string; skipped: number } {
  // `end` is where the line being counted ends (the trailing newline belongs to the last line).
  let end = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let lines = 0; ;) {
    const newline = end > 0 ? text.lastIndexOf('\n', end - 1) : -1;
    if (newline < 0) return { tail: text, skipped: 0 };
    if (++lines === max) {
      const cut = newline + 1;
      let skipped = 0;
      for (let i = text.indexOf('\n'); i >= 0 && i < cut; i = text.indexOf('\n', i + 1)) skipped++;
      return { tail: text.slice(cut), skipped };
    }
    end = newline;
  }
}
