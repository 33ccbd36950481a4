import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, installed by `.ci/run` (apt-get install chromium). */
export const CHROMIUM = process.env.CLINSIM_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of browser tests go here (kept out of git). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** Headless Chromium with no network beyond what a test opens, and nothing of the user's profile. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run', '--disable-extensions'],
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught page errors seen so far. */
  readonly errors: string[];
  /** Requests the page made to anything but file:// and the given origins. */
  readonly outsideRequests: string[];
}

/** A new page that records console errors, page errors and requests leaving the allowed origins. */
export async function watchedPage(browser: Browser, allowedOrigins: readonly string[] = []): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const outsideRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:')) return;
    if (allowedOrigins.some((origin) => url.startsWith(origin))) return;
    outsideRequests.push(url);
  });
  return { page, errors, outsideRequests };
}

/** Saves a full-page screenshot as a test artifact, `test-artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
