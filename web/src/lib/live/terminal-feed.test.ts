import { describe, expect, it } from 'vitest';
import { TerminalFeed } from './terminal-feed.ts';

/** What a terminal shows, without colours (`ESC [ … m`). */
const COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const plain = (text: string) => text.replace(COLOURS, '');

describe('the terminal feed', () => {
  it('shows a command, its output and its exit, never repeating output it already showed', () => {
    const feed = new TerminalFeed();
    feed.commandStarted('c1', 'npm test');
    feed.output('c1', 0, 'one\n', 'stdout');
    // A chunk that starts inside what was shown (a replay, a coalesced resend): only the new part.
    feed.output('c1', 2, 'e\ntwo\n', 'stdout');
    feed.output('c1', 0, 'one\n', 'stdout');
    feed.exited(0, false, 1500);
    expect(plain(feed.text())).toBe('$ npm test\none\ntwo\nexit 0 (1.5 s)\n\n');
  });

  it('starts a command on its own line after output that did not end one', () => {
    const feed = new TerminalFeed();
    feed.commandStarted('c1', 'echo -n hi');
    feed.output('c1', 0, 'hi', 'stdout');
    feed.commandStarted('c2', 'false');
    feed.exited(1, false, 20);
    expect(plain(feed.text())).toBe('$ echo -n hi\nhi\n$ false\nexit 1 (20 ms)\n\n');
  });

  it('gives a hidden view what it missed in one read, and a new view everything', () => {
    const feed = new TerminalFeed();
    feed.commandStarted('c1', 'ls');
    const seen = feed.since(null);
    expect(seen.restart).toBe(true);
    feed.output('c1', 0, 'a\n', 'stdout');
    feed.output('c1', 2, 'b\n', 'stderr');
    const missed = feed.since(seen.cursor);
    expect(missed.restart).toBe(false);
    expect(plain(missed.text)).toBe('a\nb\n');
    expect(feed.since(missed.cursor).text).toBe('');
  });

  it('tells a following view to start over when the feed is cleared (a project reset)', () => {
    const feed = new TerminalFeed();
    const chunks: [string, boolean][] = [];
    const unsubscribe = feed.subscribe((text, restart) => chunks.push([plain(text), restart]));
    feed.note('— rolled back —');
    const cursor = feed.cursor();
    feed.clear();
    unsubscribe();
    feed.note('after');
    expect(chunks).toEqual([
      ['— rolled back —\n', false],
      ['', true],
    ]);
    expect(feed.since(cursor)).toMatchObject({ restart: true });
    expect(plain(feed.text())).toBe('after\n');
  });

  it('keeps the last part of a very long output, and a view that fell behind starts over', () => {
    const feed = new TerminalFeed();
    feed.commandStarted('c1', 'yes');
    const early = feed.cursor();
    const line = 'y'.repeat(1023) + '\n';
    const chunk = line.repeat(1024); // 1 MiB
    for (let i = 0; i < 10; i++) feed.output('c1', i * chunk.length, chunk, 'stdout');
    expect(feed.trimmed).toBe(true);
    expect(feed.text().length).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(feed.text().endsWith(line)).toBe(true);
    expect(feed.since(early).restart).toBe(true);
  });
});
