import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import { type Browser, chromium as playwright } from 'playwright-core';

/**
 * A real headless Chromium for the console's browser tests. The binary comes with `npm ci`: the npm package
 * @sparticuz/chromium carries it (brotli-compressed; unpacked to /tmp on first use). Its own launch flags are
 * tuned for AWS Lambda (single process, web security off): these are a plain headless browser's, plus what a
 * machine with no internet needs (no background networking, no component updates).
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where the browser tests leave their screenshots (kept after the run as artefacts; git ignores them). */
export function screenshotDir(): string {
  const dir = join(process.cwd(), 'test-artifacts', 'console');
  mkdirSync(dir, { recursive: true });
  return dir;
}
