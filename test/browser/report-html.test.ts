/**
 * report.html of real runs, opened from disk in Debian's chromium: the charts render with their
 * data marks, nothing logs an error or leaves file://, and a run whose notes, answers and error
 * texts carry script payloads runs none of them. Screenshots go to test-artifacts/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInput, Prediction } from '../../adapters/adapter.ts';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { notes, shift } from '../../simulator/perturb/families.ts';
import { executeRun, type LoadedScenario } from '../../simulator/run/execute.ts';
import { Scenario, type ScenarioInput } from '../../simulator/scenario.ts';
import { launchBrowser, screenshot, watchedPage } from './browser.ts';

const ANSWER = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
const ERROR = '<img src=x onerror="window.__pwned=3"><script>window.__pwned=4</script>';

const loaded = (input: ScenarioInput): LoadedScenario => ({ scenario: Scenario.parse(input), file: null, contentHash: 'browser-test' });

async function run(dir: string, name: string, scenarios: LoadedScenario[]): Promise<string> {
  const runDir = join(dir, name);
  const result = await executeRun({ runId: name, runDir, signal: new AbortController().signal, resamples: 50, scenarios });
  expect(result.report).not.toBeNull();
  return join(runDir, 'report.html');
}

/** Per chart: its name, the data marks vega drew (line paths, symbols, bars, rules), its drawn width. */
async function charts(page: Page): Promise<{ name: string; marks: number; width: number }[]> {
  return page.$$eval('figure.chart', (figures) =>
    figures.map((f) => ({
      name: f.getAttribute('data-chart') ?? '',
      marks: f.querySelectorAll('svg g.role-mark path, svg g.role-mark line').length,
      width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
    })),
  );
}

describe('report.html in a browser', () => {
  let dir: string;
  let browser: Browser;
  let models: ReferenceModels;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-report-html-'));
    [browser, models] = await Promise.all([launchBrowser(), startReferenceModels()]);
  });
  afterAll(async () => {
    await browser?.close();
    await models?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('draws every chart of a sepsis run with a saturation phase and of a triage run, offline and without errors', async () => {
    // The bundled reference models over HTTP on loopback, as `clinsim run` uses them.
    const file = await run(dir, 'charts', [
      loaded({
        name: 'sepsis-load',
        task: 'sepsis',
        cohort: { size: 160, seed: 20261124 },
        target: { adapter: 'http-json', url: models.sepsisUrl },
        threshold: 0.1,
        arms: { baseline: [], 'lactate-mg-dl': [shift.units({ loinc: '2524-7', to: 'mg/dL' })] },
        load: [{ name: 'capacity', executor: 'saturation', startRate: 100, step: 100, maxRate: 300, stepDuration: '250ms', slo: { p99: 200 } }],
        gates: { 'auroc[baseline]': '>= 0.6', 'load.sustainableRate[capacity]': '>= 100' },
      }),
      loaded({
        name: 'triage-notes',
        task: 'note-triage',
        cohort: { size: 80, seed: 20261124 },
        target: { adapter: 'http-json', url: models.triageUrl },
        arms: { baseline: [], 'injection-downgrade': [notes.injection({ preset: 'downgrade-urgency' })] },
        gates: { 'safety.critical': '== 0' },
      }),
    ]);
    const { page, errors, outsideRequests } = await watchedPage(browser);
    await page.goto(pathToFileURL(file).href);
    const drawn = await charts(page);
    expect(drawn.map((c) => c.name)).toEqual(['roc', 'calibration', 'delta', 'fairness', 'latency', 'saturation', 'delta', 'fairness', 'latency']);
    for (const chart of drawn) {
      expect(chart.marks, chart.name).toBeGreaterThan(0);
      expect(chart.width, chart.name).toBeGreaterThan(200);
    }
    // The saturation chart has a point per step and percentile.
    const steps = await page.$$eval('figure[data-chart="saturation"] g.mark-symbol.role-mark path', (paths) => paths.length);
    expect(steps).toBeGreaterThanOrEqual(2);
    await expect(page.locator('#verdict').textContent()).resolves.toMatch(/^(PASSED|FAILED):/);
    expect(await page.locator('.case mark').count()).toBeGreaterThan(0);
    await screenshot(page, 'report-html-charts');
    expect(errors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });

  it('runs none of the script payloads in notes, answers and error texts, and shows them as text', async () => {
    const file = await run(dir, 'payloads', [
      loaded({
        name: 'hostile',
        task: 'note-triage',
        cohort: { size: 60, seed: 7 },
        target: {
          adapter: 'in-process',
          retries: 0,
          predict: (input: ModelInput): Prediction => {
            if (input.caseIndex % 9 === 0) throw new Error(ERROR);
            return { label: 'non-urgent', text: ANSWER };
          },
        },
        arms: {
          baseline: [],
          script: [notes.markup({ payload: 'script' })],
          'img-onerror': [notes.markup({ payload: 'img-onerror', position: 'middle' })],
          'javascript-link': [notes.markup({ payload: 'javascript-link', position: 'start' })],
        },
      }),
    ]);
    const { page, errors, outsideRequests } = await watchedPage(browser);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    await page.locator('details').evaluateAll((all) => all.forEach((d) => d.setAttribute('open', '')));

    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('script, img, iframe, object, embed, a[href^="javascript"]').count()).toBe(0);
    const handlers = await page.locator('*').evaluateAll((all) => all.flatMap((e) => e.getAttributeNames().filter((n: string) => n.startsWith('on'))));
    expect(handlers).toEqual([]);

    // The payloads are on the page as text: the answer, the notes (highlighted) and the error text.
    const answers = await page.locator('pre.answer').allTextContents();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a === ANSWER)).toBe(true);
    const marks = (await page.locator('.case mark').allTextContents()).join('\n');
    expect(marks).toMatch(/<script>alert\("clinsim-[0-9a-f]{8}"\)<\/script>/);
    expect(marks).toContain('<img src="x" onerror="fetch(');
    expect(marks).toContain('<a href="javascript:alert(');
    expect(await page.locator('pre.error').allTextContents()).toContain(`transport: predict() threw: Error: ${ERROR}`);

    await screenshot(page, 'report-html-payloads');
    expect(errors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });
});
