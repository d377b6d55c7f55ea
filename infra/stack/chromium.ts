/**
 * The Chromium the tests and the eval drive through playwright-core: Debian's (`apt-get install
 * chromium`, or `CHROMIUM_PATH`), since playwright's own browser downloads are unreachable here, with
 * the flags every one of them launches it with.
 */

/** The browser's executable. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, no sandbox (root in a container), and nothing that calls home or updates itself. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
