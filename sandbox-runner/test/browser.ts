/** A headless Chromium for tests that look at previews as a person's browser would. */
import { chromium, type Browser } from 'playwright-core';
import { BASE_ARGS } from '../src/check/launch-args.ts';

export function launchTestBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: BASE_ARGS,
  });
}
