import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { escapeHtml } from '../../reports/dashboard/html.ts';
import { buildDashboardApp } from '../../reports/dashboard/server.ts';
import { CONTENT_SECURITY_POLICY } from '../../reports/dashboard/security-headers.ts';
import { Report } from '../../simulator/metrics/report-types.ts';
import { handMadeRun, nightlyRun, readJson, sepsisScenario } from './dashboard-fixtures.ts';

const HOSTILE_SCENARIO = '<script>alert("scenario")</script>';
const HOSTILE_ARM = '<img src=x onerror=alert(1)>';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-RUNS-FOLDER';

/** A GET sent as written: fetch and inject normalize `..` and `%2e%2e` segments before sending. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The run ids of the list page's rows, in order. */
const listedRuns = (body: string): string[] => [...body.matchAll(/<tr class="run" data-run="([^"]+)"/g)].map((m) => m[1]!);

describe('clinsim serve: the dashboard over a runs folder', () => {
  let base: string;
  let runs: string;
  let app: FastifyInstance;
  const nightly: string[] = [];
  let twoScenarios: string;
  let interrupted: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'clinsim-dashboard-'));
    runs = join(base, 'runs');
    for (const [night, seed] of [[0, 1], [1, 2], [2, 3]] as const) nightly.push(await nightlyRun(runs, night, [sepsisScenario('sepsis-nightly', seed, 150)]));
    twoScenarios = await nightlyRun(runs, 3, [sepsisScenario('sepsis-nightly', 4, 100), sepsisScenario('sepsis-weekly', 5, 100)]);
    const aborted = new AbortController();
    aborted.abort();
    interrupted = await nightlyRun(runs, 4, [sepsisScenario('sepsis-nightly', 6, 100)], { signal: aborted.signal });

    const first = join(runs, nightly[0]!);
    const manifestText = await readFile(join(first, 'manifest.json'), 'utf8');
    await handMadeRun(runs, 'corrupt-manifest', { 'manifest.json': '{"runId": "corrupt-manifest", ' });
    await handMadeRun(runs, 'corrupt-report', { 'manifest.json': manifestText, 'report.json': '{"schemaVersion": 1, "scenarios": "oops"}' });
    const hostile = await readJson(join(first, 'report.json'));
    const scenario = (hostile.scenarios as { name: string; arms: { name: string }[] }[])[0]!;
    scenario.name = HOSTILE_SCENARIO;
    scenario.arms[1]!.name = HOSTILE_ARM;
    await handMadeRun(runs, 'hostile', {
      'manifest.json': manifestText,
      'report.json': JSON.stringify(hostile),
      'summary.md': `# <script>alert("summary")</script>\n`,
    });
    const withHtml = await handMadeRun(runs, 'with-html', {
      'report.html': '<!doctype html><h1>THE HTML REPORT</h1><script>alert(1)</script>',
      'junit.xml': '<?xml version="1.0" encoding="UTF-8"?><testsuites/>',
    });
    for (const f of ['manifest.json', 'report.json', 'summary.md']) await copyFile(join(runs, nightly[1]!, f), join(withHtml, f));
    // A run as written before report.html existed: the dashboard renders its page.
    const noHtml = await handMadeRun(runs, 'no-html', {});
    for (const f of ['manifest.json', 'report.json', 'summary.md']) await copyFile(join(runs, nightly[0]!, f), join(noHtml, f));

    const outside = join(base, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'manifest.json'), manifestText.replace(/sepsis-nightly/g, 'secret-scenario'));
    await writeFile(join(outside, 'report.json'), JSON.stringify({ secret: SECRET }));
    await writeFile(join(outside, 'summary.md'), SECRET);
    await writeFile(join(base, 'passwd'), SECRET);
    await symlink(outside, join(runs, 'escape'));
    await symlink(first, join(runs, 'alias'));
    const linked = await handMadeRun(runs, 'linked-report', { 'manifest.json': manifestText });
    await symlink(join(outside, 'report.json'), join(linked, 'report.json'));
    await symlink(join(outside, 'summary.md'), join(linked, 'summary.md'));

    app = buildDashboardApp({ runsDir: runs });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('lists every run folder newest first, with status, verdict, headline figure and failed gates', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const ids = listedRuns(res.body);
    expect(ids.slice(0, 3)).toEqual([interrupted, twoScenarios, nightly[2]]);
    expect(new Set(ids)).toEqual(new Set([...nightly, twoScenarios, interrupted, 'corrupt-manifest', 'corrupt-report', 'hostile', 'with-html', 'no-html', 'linked-report', 'alias']));
    expect(ids.at(-1)).toBe('corrupt-manifest'); // no start time: last
    expect(res.body).not.toContain('secret-scenario');

    // The headline is the baseline AUROC of report.json with its interval; gates as failed of all.
    for (const id of nightly) {
      const report = Report.parse(await readJson(join(runs, id, 'report.json')));
      const s = report.scenarios[0]!;
      const auroc = s.arms.find((a) => a.name === 'baseline')!.metrics.auroc;
      const row = res.body.slice(res.body.indexOf(`data-run="${id}"`)).split('</tr>')[0]!;
      expect(row).toContain(`AUROC[baseline] ${auroc.value!.toFixed(3)} [${auroc.ci![0].toFixed(3)}, ${auroc.ci![1].toFixed(3)}]`);
      expect(row).toContain(`${s.gates.filter((g) => !g.pass).length} of ${s.gates.length}`);
      expect(row).toContain(`verdict-${report.passed ? 'passed' : 'failed'}`);
      expect(row).toContain('status-complete');
    }
    const row = (id: string) => res.body.slice(res.body.indexOf(`data-run="${id}"`)).split('</tr>')[0]!;
    expect(row(interrupted)).toContain('status-interrupted');
    expect(row(interrupted)).toContain('no report');
    expect(row('corrupt-manifest')).toContain('status-unreadable');
    expect(row('corrupt-manifest')).toContain('manifest.json: not JSON');
    expect(row('corrupt-report')).toMatch(/status-complete.*report\.json: run: /s);
    expect(row('linked-report')).toContain('report.json: not a file inside the run folder');
    expect(res.body).not.toContain(SECRET);
  });

  it('escapes names and texts from run files', async () => {
    const list = (await app.inject('/')).body;
    expect(list).not.toContain('<script>');
    expect(list).toContain('&lt;script&gt;alert(&quot;scenario&quot;)&lt;/script&gt;');
    const page = await app.inject('/runs/hostile/');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).toContain('# &lt;script&gt;alert(&quot;summary&quot;)&lt;/script&gt;');
    const trends = await app.inject(`/trends?scenario=${encodeURIComponent(HOSTILE_SCENARIO)}`);
    expect(trends.statusCode).toBe(200);
    expect(trends.body).not.toMatch(/<script|<img/);
    expect(trends.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('filters by scenario, validating the query', async () => {
    const weekly = await app.inject('/?scenario=sepsis-weekly');
    expect(weekly.statusCode).toBe(200);
    expect(listedRuns(weekly.body)).toEqual([twoScenarios]);
    // Only the chosen scenario's row is shown for a run of two.
    expect(weekly.body).not.toContain('>sepsis-nightly</a>');
    const nightlyRuns = listedRuns((await app.inject('/?scenario=sepsis-nightly')).body);
    // Every run whose report (or, without one, manifest) has the scenario; the hostile copy renamed it.
    expect(nightlyRuns).toHaveLength(10);
    expect(nightlyRuns).not.toContain('hostile');
    expect(nightlyRuns).not.toContain('corrupt-manifest');
    expect(listedRuns((await app.inject('/?scenario=')).body)).toHaveLength(12);
    expect((await app.inject('/?scenario=a&scenario=b')).statusCode).toBe(400);
    expect((await app.inject(`/?scenario=${'x'.repeat(201)}`)).statusCode).toBe(400);
    expect(listedRuns((await app.inject('/?scenario=nothing-by-that-name')).body)).toEqual([]);
  });

  it('plots a figure across runs of a scenario, one line per arm, from the reports', async () => {
    const res = await app.inject('/trends?scenario=sepsis-nightly&metric=auroc');
    expect(res.statusCode).toBe(200);
    // The nightly runs, the two-scenario run and the copies have a report; the interrupted run and
    // the copies with a corrupt or linked-out report are counted, not plotted.
    const reported = [...nightly, twoScenarios, 'with-html', 'no-html', 'alias'];
    expect(res.body).toContain(`${reported.length} runs of sepsis-nightly with a report; 3 without one`);
    const rows = [...res.body.matchAll(/<tr><td><a href="\/runs\/([^/]+)\/">[^<]*<\/a><\/td><td>[^<]*<\/td><td>([^<]+)<\/td>\s*<td class="num">([^<]+)<\/td><\/tr>/g)].map((m) => [m[1]!, m[2]!, m[3]!] as const);
    expect(rows).toHaveLength(reported.length * 3);
    for (const id of nightly) {
      const report = Report.parse(await readJson(join(runs, id, 'report.json')));
      for (const arm of report.scenarios[0]!.arms) {
        const { value, ci } = arm.metrics.auroc;
        expect(rows).toContainEqual([id, arm.name, `${value!.toFixed(3)} [${ci![0].toFixed(3)}, ${ci![1].toFixed(3)}]`]);
      }
    }
    // Oldest first.
    expect(rows.filter((r) => nightly.includes(r[0])).map((r) => r[0])).toEqual(nightly.flatMap((id) => [id, id, id]));
    const svg = res.body.slice(res.body.indexOf('<svg'), res.body.indexOf('</svg>'));
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(rows.length);
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(3);
    expect(res.body).toContain(`data-points="${rows.length}"`);

    const baselineOnly = await app.inject('/trends?scenario=sepsis-nightly&metric=flipRate&arm=lactate-mg-dl');
    expect(baselineOnly.body.match(/aria-roledescription="point"/g)).toHaveLength(reported.length);
    expect(baselineOnly.body).toContain('<input type="checkbox" name="arm" value="lactate-mg-dl" checked>');
    expect(baselineOnly.body).toContain('<input type="checkbox" name="arm" value="baseline">');
    const twoArms = await app.inject('/trends?scenario=sepsis-nightly&metric=auroc&arm=baseline&arm=missing-lactate');
    expect(twoArms.body.match(/aria-roledescription="point"/g)).toHaveLength(reported.length * 2);
  });

  it('opens with the scenario headline, falls back from a figure the scenario lacks, and refuses bad choices', async () => {
    const first = await app.inject('/trends');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<option value="auroc" selected>');
    const lacking = await app.inject('/trends?scenario=sepsis-nightly&metric=macroF1');
    expect(lacking.statusCode).toBe(200);
    expect(lacking.body).toContain('sepsis-nightly has no macro-F1; showing AUROC.');
    expect((await app.inject('/trends?scenario=sepsis-nightly&metric=constructor')).statusCode).toBe(400);
    expect((await app.inject('/trends?scenario=unknown-scenario')).statusCode).toBe(404);
    expect((await app.inject(`/trends?scenario=sepsis-nightly&${Array.from({ length: 101 }, () => 'arm=a').join('&')}`)).statusCode).toBe(400);
  });

  it("serves a run's report.html as it is, under the same CSP, and a page from report.json otherwise", async () => {
    const redirect = await app.inject(`/runs/${nightly[0]}`);
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe(`/runs/${nightly[0]}/`);

    const html = await app.inject('/runs/with-html/');
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(html.body).toBe('<!doctype html><h1>THE HTML REPORT</h1><script>alert(1)</script>');

    const page = await app.inject('/runs/no-html/');
    expect(page.statusCode).toBe(200);
    const report = Report.parse(await readJson(join(runs, 'no-html', 'report.json')));
    for (const gate of report.scenarios[0]!.gates) {
      expect(page.body).toContain(`<td>${gate.name}</td><td>${escapeHtml(gate.expression)}</td><td class="num">${gate.actual!.toFixed(4)}</td>`);
    }
    for (const arm of report.scenarios[0]!.arms) expect(page.body).toContain(`<tr><td>${arm.name}</td><td class="num">${arm.cases}</td>`);
    expect(page.body).toContain('<h2>summary.md</h2><pre># clinsim run');

    const partial = await app.inject(`/runs/${interrupted}/`);
    expect(partial.statusCode).toBe(200);
    expect(partial.body).toContain('No report: this run is interrupted.');
    const corrupt = await app.inject('/runs/corrupt-manifest/');
    expect(corrupt.statusCode).toBe(200);
    expect(corrupt.body).toContain('manifest.json: not JSON');
  });

  it('serves the allow-listed files of a run folder byte for byte, and no other', async () => {
    const files = [['report.json', 'application/json'], ['manifest.json', 'application/json'], ['summary.md', 'text/markdown'], ['junit.xml', 'application/xml']] as const;
    for (const [file, type] of files) {
      const res = await app.inject(`/runs/with-html/${file}`);
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['content-type']).toBe(`${type}; charset=utf-8`);
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.body).toBe(await readFile(join(runs, 'with-html', file), 'utf8'));
    }
    expect((await app.inject(`/runs/${nightly[1]}/results.jsonl`)).statusCode).toBe(404);
    expect((await app.inject('/runs/no-html/junit.xml')).statusCode).toBe(404);
    expect((await app.inject('/runs/no-html/compare.json')).statusCode).toBe(404);
    expect((await app.inject('/runs/no-such-run/')).statusCode).toBe(404);
    expect((await app.inject('/runs/alias/report.json')).body).toBe(await readFile(join(runs, nightly[0]!, 'report.json'), 'utf8'));
  });

  it('never serves a file outside the runs folder, however the path is written', async () => {
    const attempts = [
      '/runs/../passwd',
      '/runs/../../passwd/',
      '/runs/%2e%2e/manifest.json',
      '/runs/%2e%2e/',
      '/runs/%2E%2E%2Fpasswd/',
      '/runs/..%2F..%2Fpasswd/report.json',
      '/runs/..%2Foutside/report.json',
      '/runs/..%5Coutside/report.json',
      '/runs/..\\outside/report.json',
      '/runs/%2Fetc%2Fpasswd/',
      '/runs//etc/passwd',
      `/runs/${encodeURIComponent(join(base, 'outside'))}/report.json`,
      '/runs/escape/',
      '/runs/escape/report.json',
      '/runs/escape/summary.md',
      '/runs/linked-report/report.json',
      '/runs/linked-report/summary.md',
      `/runs/${nightly[0]}/..%2F..%2Fpasswd`,
      `/runs/${nightly[0]}/%2e%2e%2f%2e%2e%2fpasswd`,
      `/runs/${nightly[0]}/..%5C..%5Cpasswd`,
      `/runs/${nightly[0]}/${encodeURIComponent(join(base, 'passwd'))}`,
      `/runs/${nightly[0]}/..`,
      '/runs/.hidden/',
      '/runs/nul%00/',
      '/../passwd',
      '/%2e%2e/passwd',
    ];
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    for (const url of attempts) {
      const res = await rawGet(port, url);
      expect([400, 404], `${url} → ${res.status}`).toContain(res.status);
      expect(res.body, url).not.toContain(SECRET);
      expect(res.body, url).not.toContain('secret-scenario');
    }
    // The linked run's page shows that its report links out, and nothing of the linked file.
    const linked = await app.inject('/runs/linked-report/');
    expect(linked.statusCode).toBe(200);
    expect(linked.body).not.toContain(SECRET);
    expect(linked.body).toContain('report.json: not a file inside the run folder');
  });

  it('answers an empty page when the runs folder does not exist yet', async () => {
    const empty = buildDashboardApp({ runsDir: join(base, 'not-yet') });
    try {
      const list = await empty.inject('/');
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain('No runs folder at');
      expect((await empty.inject('/trends')).body).toContain('No runs yet.');
      expect((await empty.inject('/runs/anything/')).statusCode).toBe(404);
    } finally {
      await empty.close();
    }
  });
});
