import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../reports/dashboard/server.ts';
import { nightlyRun, sepsisScenario } from '../integration/dashboard-fixtures.ts';
import { launchBrowser, screenshot, watchedPage, type WatchedPage } from './browser.ts';

const SCENARIO = 'sepsis-nightly';
const ARMS = ['baseline', 'lactate-mg-dl', 'missing-lactate'];

/** The dashboard in Debian's chromium, over three nightly runs of one scenario and one interrupted run. */
describe('clinsim serve in a browser', () => {
  let base: string;
  let dashboard: Dashboard;
  let browser: Browser;
  const runIds: string[] = [];

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'clinsim-dashboard-browser-'));
    const runs = join(base, 'runs');
    // Different seeds, so each night's figures differ.
    for (const night of [0, 1, 2]) runIds.push(await nightlyRun(runs, night, [sepsisScenario(SCENARIO, 100 + night, 150)]));
    const aborted = new AbortController();
    aborted.abort();
    await nightlyRun(runs, 3, [sepsisScenario(SCENARIO, 103, 150)], { signal: aborted.signal });
    [dashboard, browser] = await Promise.all([startDashboard({ runsDir: runs }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await rm(base, { recursive: true, force: true });
  });

  const origin = () => dashboard.url.replace(/\/$/, '');
  const clean = (watched: WatchedPage) => {
    expect(watched.errors).toEqual([]);
    expect(watched.outsideRequests).toEqual([]);
  };

  it('lists the runs of the scenario, newest first, with their status', async () => {
    const watched = await watchedPage(browser, [origin()]);
    const { page } = watched;
    const response = await page.goto(dashboard.url);
    expect(response?.status()).toBe(200);
    const rows = page.locator('table.runs tr.run');
    expect(await rows.count()).toBe(4);
    const listed = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    expect(listed.slice(1)).toEqual([...runIds].reverse());
    const complete = page.locator('table.runs tr.run', { hasText: SCENARIO }).filter({ has: page.locator('.status-complete') });
    expect(await complete.count()).toBe(3);
    expect(await page.locator('.status-interrupted').count()).toBe(1);
    expect(await page.locator('table.runs').innerText()).toMatch(/AUROC\[baseline\] 0\.\d{3} \[0\.\d{3}, [01]\.\d{3}\]/);
    await screenshot(page, 'dashboard-runs');
    clean(watched);
    await page.close();
  });

  it('plots the trend of the scenario as SVG, a line per arm with a point per run', async () => {
    const watched = await watchedPage(browser, [origin()]);
    const { page } = watched;
    await page.goto(`${origin()}/trends?scenario=${SCENARIO}&metric=auroc`);
    const svg = page.locator('figure.trend svg');
    expect(await svg.count()).toBe(1);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    expect(box!.height).toBeGreaterThan(200);
    const labels = await page.locator('figure.trend svg [aria-roledescription="point"]').evaluateAll((points) => points.map((p) => p.getAttribute('aria-label') ?? ''));
    for (const arm of ARMS) expect(labels.filter((l) => l.includes(`arm: ${arm};`)), arm).toHaveLength(3);
    expect(await page.locator('figure.trend svg [aria-roledescription="line mark"]').count()).toBe(3);
    // Whiskers: every AUROC of these runs has a bootstrap interval.
    expect(await page.locator('figure.trend svg [aria-roledescription="rule mark"]').count()).toBe(9);
    expect(await page.locator('figure.trend').innerText()).toContain('AUROC of sepsis-nightly by run');
    await screenshot(page, 'dashboard-trends');
    clean(watched);
    await page.close();
  });

  it('changes figure and arms with the plain form (no script)', async () => {
    const watched = await watchedPage(browser, [origin()]);
    const { page } = watched;
    await page.goto(`${origin()}/trends?scenario=${SCENARIO}`);
    await page.selectOption('select[name=metric]', 'flipRate');
    await page.uncheck('input[name=arm][value=missing-lactate]');
    await Promise.all([page.waitForURL(/metric=flipRate/), page.click('form.controls button[type=submit]')]);
    expect(new URL(page.url()).searchParams.getAll('arm')).toEqual(['baseline', 'lactate-mg-dl']);
    // The baseline has no flip rate: one line, the unit arm's, over the three runs.
    const labels = await page.locator('figure.trend svg [aria-roledescription="point"]').evaluateAll((points) => points.map((p) => p.getAttribute('aria-label') ?? ''));
    expect(labels).toHaveLength(3);
    expect(labels.every((l) => l.includes('arm: lactate-mg-dl;'))).toBe(true);
    await screenshot(page, 'dashboard-trends-flip-rate');
    clean(watched);
    await page.close();
  });

  it("opens a run's report", async () => {
    const watched = await watchedPage(browser, [origin()]);
    const { page } = watched;
    await page.goto(dashboard.url);
    await Promise.all([page.waitForURL(/\/runs\/[^/]+\/$/), page.click(`a[href="/runs/${runIds[2]}/"]`)]);
    expect(await page.locator('body').innerText()).toContain(SCENARIO);
    await screenshot(page, 'dashboard-run');
    clean(watched);
    await page.close();
  });
});
