/**
 * report.html from a journal whose untrusted parts (scenario and arm names, subgroup values, model
 * answers, failure details, error bodies) carry HTML/script payloads: the page is checked tag by
 * tag, as a browser would parse it, for anything that could run or load.
 */
import { describe, expect, it } from 'vitest';
import { RunAggregator } from '../../simulator/metrics/aggregate.ts';
import { ReportDetailCollector } from '../../simulator/metrics/report-details.ts';
import type { LoadPhaseReport } from '../../simulator/load/index.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { CONTENT_SECURITY_POLICY } from '../../reports/html/page.ts';
import { renderHtmlReport } from '../../reports/html/render.ts';
import { escapeHtml } from '../../reports/html/escape.ts';
import { record } from './journal-fixtures.ts';
import { lineage, manifest, rng } from './report-run-fixtures.ts';

const SCRIPT = '<script>window.__pwned=1</script>';
const IMG = '<img src=x onerror="window.__pwned=2">';
const ARM = `shifted${SCRIPT}`;
const RACE = `Other${IMG}`;
const N = 240;

function saturation(): LoadPhaseReport {
  const step = (rate: number, p99: number, sustainable: boolean) => ({
    rate,
    durationMs: 1000,
    requests: rate,
    throughput: rate,
    latency: { p50: p99 / 4, p90: p99 / 2, p95: p99 * 0.8, p99, p999: p99 * 1.2, max: p99 * 1.5 },
    errors: { total: 0, byType: {} },
    errorRate: 0,
    dropped: 0,
    schedulingErrorP99Ms: 0.2,
    sustainable,
    reason: sustainable ? null : `p99 ${p99} ms is above the SLO of 50 ms`,
  });
  const curve = [step(50, 8, true), step(100, 20, true), step(150, 90, false)];
  const { rate: _rate, sustainable: _s, reason: _r, ...figures } = curve[1]!;
  return { ...figures, name: 'capacity', executor: 'saturation', background: false, config: { sloP99Ms: 50 }, sustainableRate: 100, curve };
}

async function render(onWarning?: (m: string) => void): Promise<string> {
  const scenario = lineage({ name: `sepsis${SCRIPT}`, size: N, armNames: ['baseline', ARM], threshold: 0.5 });
  const m = manifest(scenario);
  const aggregator = new RunAggregator(m);
  const details = new ReportDetailCollector(m);
  const next = rng(17);
  const records: JournalRecord[] = [];
  for (let i = 0; i < N; i++) {
    const label = next() < 0.3 ? 1 : 0;
    const risk = label ? 0.5 + next() / 2 : next() / 2;
    const group = { sex: i % 2 ? 'female' : 'male', ageBand: i % 3 ? '40-64' : '65-79', race: i % 4 ? 'White' : RACE, ethnicity: 'Not Hispanic or Latino' };
    for (const arm of ['baseline', ARM]) {
      const score = Math.min(1, Math.max(0, risk + (next() - 0.5) * 0.6));
      const failed = arm === ARM && i % 23 === 0;
      records.push(
        record({
          scenario: scenario.name,
          arm,
          case: i,
          truth: { label: label as 0 | 1, risk },
          output: failed ? null : { score, text: `answer ${SCRIPT}${IMG}` },
          outcome: failed ? 'error' : 'ok',
          failure: failed ? 'http-status' : null,
          status: failed ? 500 : 200,
          error: failed ? `HTTP 500: <html><body onload="window.__pwned=3">${SCRIPT}</body></html>` : null,
          latencyMs: 2 + next() * 40,
          group,
          checks: ['critical-miss'],
          safety: !failed && label === 1 && score < 0.5 ? [{ check: 'critical-miss', severity: 'critical', detail: `missed ${IMG}` }] : [],
        }),
      );
    }
  }
  for (const r of records) {
    aggregator.add(r);
    details.add(r);
  }
  const report = aggregator.report({ manifestFile: 'manifest.json', resamples: 50, load: new Map([[scenario.name, [saturation()]]]) });
  return renderHtmlReport({ report, manifest: m, details: details.finish(), onWarning });
}

/** Every start tag, as a browser tokenizes it (text `<` is always escaped, so each `<` opens a tag). */
function tags(page: string): { name: string; attributes: [string, string][] }[] {
  const out: { name: string; attributes: [string, string][] }[] = [];
  for (const m of page.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attributes = [...m[2]!.matchAll(/\s+([^\s=>/]+)(?:="([^"]*)")?/g)].map((a): [string, string] => [a[1]!.toLowerCase(), a[2] ?? '']);
    out.push({ name: m[1]!.toLowerCase(), attributes });
  }
  return out;
}

const ALLOWED_TAGS = new Set(
  'html head meta title style body main header nav section div p ul li a h1 h2 h3 h4 strong span code pre mark br table thead tbody tr th td figure figcaption details summary dl dt dd svg g path rect line text defs clippath lineargradient stop'.split(' '),
);

describe('report.html', () => {
  it('is one document with a strict CSP, no script, no event handler, no external reference', async () => {
    const warnings: string[] = [];
    const page = await render((w) => warnings.push(w));
    expect(warnings).toEqual([]);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`);
    // The markup a browser sees: only the expected elements, no on* attribute, no URL but fragments.
    const all = tags(page);
    expect(all.length).toBeGreaterThan(500);
    for (const tag of all) {
      expect(ALLOWED_TAGS.has(tag.name), `<${tag.name}>`).toBe(true);
      for (const [name, value] of tag.attributes) {
        expect(name.startsWith('on'), `${tag.name} ${name}`).toBe(false);
        if (name === 'href' || name === 'xlink:href') expect(value.startsWith('#'), value).toBe(true);
        expect(name === 'src' || name === 'srcset' || name === 'action').toBe(false);
        expect(value.includes('url(') && !/url\(#/.test(value)).toBe(false);
      }
    }
    expect((page.match(/<style>/g) ?? []).length).toBe(1);
    expect(page).not.toMatch(/@import|url\(\s*['"]?(https?:|\/\/)/);
  });

  it('shows every payload as text: in tables, cases, error bodies and chart labels', async () => {
    const page = await render();
    expect(page).not.toContain(SCRIPT);
    expect(page).not.toContain(IMG);
    const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // Our escaping (quotes too) in the page, and vega's (text content) inside the SVG charts.
    expect(page).toContain(escapeHtml(ARM));
    expect(page).toContain(`answer ${escapeHtml(SCRIPT)}${escapeHtml(IMG)}`);
    expect(page).toContain(escapeHtml('<html><body onload="window.__pwned=3">'));
    expect(page).toContain(`missed ${escapeHtml(IMG)}`);
    const svgs = page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.some((svg) => svg.includes(escaped(ARM)))).toBe(true);
    expect(svgs.some((svg) => svg.includes(escaped('Other<img src=x onerror=')))).toBe(true);
  });

  it('draws each chart as an inline SVG with data marks, ids unique within the page', async () => {
    const page = await render();
    const figures = [...page.matchAll(/<figure class="chart" data-chart="([a-z]+)">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((f) => f[1])).toEqual(['roc', 'calibration', 'delta', 'fairness', 'latency', 'saturation']);
    const marks: Record<string, RegExp> = {
      roc: /class="mark-line role-mark[^"]*"[^>]*>(<path [^>]*d="M[^"]+")/,
      calibration: /class="mark-symbol role-mark[^"]*"[^>]*><path /,
      delta: /class="mark-symbol role-mark[^"]*"[^>]*><path /,
      fairness: /class="mark-rect role-mark[^"]*"[^>]*><path /,
      latency: /class="mark-rect role-mark[^"]*"[^>]*><path /,
      saturation: /class="mark-symbol role-mark[^"]*"[^>]*><path /,
    };
    for (const [, name, body] of figures) {
      expect(body, name).toMatch(/<svg /);
      expect(body, name).toMatch(marks[name!]!);
    }
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('renders the same bytes every time (no clock, vega ids reset)', async () => {
    expect(await render()).toBe(await render());
  });
});
