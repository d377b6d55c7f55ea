/**
 * The Chromium the tests and the eval drive through playwright-core: Debian's (`apt-get install
 * chromium`, or `CHROMIUM_PATH`), since playwright's own browser downloads are unreachable here, with
 * the headless flags the runner's page checks use too.
 */
import { BASE_ARGS } from '../../sandbox-runner/src/check/launch-args.ts';

/** The browser's executable. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, no sandbox (root in a container), and nothing that calls home or updates itself. */
export const CHROMIUM_ARGS: readonly string[] = BASE_ARGS;
