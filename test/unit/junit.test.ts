/**
 * junit.xml: validated against the Apache Ant JUnit XSD (test/fixtures/junit/README.md) with
 * libxml2 (xmllint-wasm), on reports aggregated by the real RunAggregator.
 */
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { appendJunitSuites, gateFailureMessage, junitSuites, renderJunit, xmlAttribute, xmlText } from '../../reports/junit.ts';
import { SafetyDetails } from '../../reports/junit-details.ts';
import { compareReports } from '../../reports/compare.ts';
import { comparisonSuites } from '../../reports/compare-junit.ts';
import type { Report } from '../../simulator/metrics/report-types.ts';
import type { Manifest } from '../../simulator/run/manifest.ts';
import { buildRun } from '../fixtures/reports/build-run.ts';

const XSD = readFileSync(new URL('../fixtures/junit/JUnit.xsd', import.meta.url), 'utf8');

async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [XSD] });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

function withDetails(records: ReturnType<typeof buildRun>['records']): SafetyDetails {
  const details = new SafetyDetails();
  for (const r of records) details.add(r);
  return details;
}

/** Two fixture runs joined into one report of two scenarios, as a run of two scenario files gives. */
function twoScenarios(): { report: Report; manifest: Manifest } {
  const a = buildRun({ scenario: 'sepsis-a' });
  const b = buildRun({ scenario: 'sepsis-b', seed: 8 });
  return {
    report: { ...a.report, scenarios: [...a.report.scenarios, ...b.report.scenarios], passed: false },
    manifest: { ...a.manifest, scenarios: [...a.manifest.scenarios, ...b.manifest.scenarios] },
  };
}

const run = buildRun();
const scenario = run.report.scenarios[0]!;

describe('junit.xml', () => {
  it('validates against the JUnit XSD, and the validator does reject a broken document', async () => {
    const xml = renderJunit(run.report, { manifest: run.manifest, details: withDetails(run.records) });
    expect(await schemaErrors(xml)).toEqual([]);
    // The same document with a required attribute dropped, and with a raw "<" in a message, must fail:
    // otherwise the check above proves nothing.
    expect(await schemaErrors(xml.replace(' hostname="localhost"', ''))).not.toEqual([]);
    expect(await schemaErrors(xml.replace('message="actual', 'message="<actual'))).not.toEqual([]);
  });

  it('has one suite per scenario with run id, seed, scenario hash, target and tool version as properties', async () => {
    const { report, manifest } = twoScenarios();
    const suites = junitSuites(report, { manifest });
    expect(suites.map((s) => s.name)).toEqual(['sepsis-a', 'sepsis-b']);
    const props = Object.fromEntries(suites[1]!.properties);
    expect(props).toMatchObject({
      runId: 'run-sepsis-a-7',
      seed: '8',
      scenarioHash: manifest.scenarios[1]!.contentHash,
      scenarioFile: 'scenarios/sepsis-b.scenario.ts',
      targetAdapter: 'http-json',
      targetUrl: 'http://127.0.0.1:9/predict',
      toolVersion: '0.1.0',
      nodeVersion: 'v20.19.0',
    });
    // A run does not time its scenarios apart: with two, the suites carry no time of their own.
    expect(suites.map((s) => s.time)).toEqual([0, 0]);
    const xml = renderJunit(report, { manifest });
    expect(await schemaErrors(xml)).toEqual([]);
    expect(xml).toContain('<testsuite name="sepsis-a" package="clinsim" id="0" timestamp="2026-11-24T07:50:04" hostname="localhost"');
    expect(xml).toContain('<testsuite name="sepsis-b" package="clinsim" id="1"');
  });

  it('has a testcase per evaluated gate, failing with the measured figure and the bound', () => {
    const [suite] = junitSuites(run.report);
    // One scenario: its suite has the run's wall time (07:50:04.509 to 07:51:14.009).
    expect(suite!.time).toBeCloseTo(69.5, 6);
    const gates = suite!.cases.filter((c) => c.classname === 'clinsim.sepsis-demo.gates');
    expect(gates.map((c) => c.name)).toEqual(scenario.gates.map((g) => `${g.name} ${g.expression}`));
    const flip = gates.find((c) => c.name === 'flipRate[lactate-mg-dl] <= 0.02')!;
    const actual = scenario.gates.find((g) => g.name === 'flipRate[lactate-mg-dl]')!.actual!;
    expect(actual).toBeGreaterThan(0.02);
    expect(flip.failure).toMatchObject({ type: 'gate', message: `actual ${actual.toFixed(4)} > bound 0.02` });
    expect(gates.find((c) => c.name === 'auroc[baseline] >= 0.75')!.failure).toBeUndefined();
    expect(gates.find((c) => c.name === 'safety.critical[baseline] == 0')!.failure!.message).toMatch(/^actual \d+ != bound 0$/);
  });

  it('words a failed gate for every comparison, and an unavailable figure', () => {
    const g = (expression: string, actual: number | null) => gateFailureMessage({ name: 'x', expression, actual, pass: false });
    expect(g('>= 0.8', 0.71234)).toBe('actual 0.7123 < bound 0.8');
    expect(g('> 0.8', 0.8)).toBe('actual 0.8000 <= bound 0.8');
    expect(g('< 200', 250.5)).toBe('actual 250.5000 >= bound 200');
    expect(g('<= 0.02', 0.2785)).toBe('actual 0.2785 > bound 0.02');
    expect(g('== 0', 7)).toBe('actual 7 != bound 0');
    expect(g('!= 0', 0)).toBe('actual 0 == bound 0');
    expect(g('>= 0.8', null)).toBe('actual n/a (the figure is not available), expected >= 0.8');
  });

  it('has a testcase per safety check and arm, failing with the count, the rate and the top detail', () => {
    const [suite] = junitSuites(run.report, { details: withDetails(run.records) });
    const safety = suite!.cases.filter((c) => c.classname === 'clinsim.sepsis-demo.safety');
    const expected = scenario.arms.flatMap((a) => Object.keys(a.safety.byCheck).map((check) => `${check}[${a.name}]`));
    expect(safety.map((c) => c.name)).toEqual(expected);
    const invariance = scenario.arms[1]!.safety.byCheck.invariance!;
    expect(invariance.count).toBeGreaterThan(1);
    const failed = safety.find((c) => c.name === 'invariance[lactate-mg-dl]')!.failure!;
    expect(failed.type).toBe('safety.major');
    // Every invariance failure of the fixture reads "no-alert (baseline) to alert" or the reverse.
    expect(failed.message).toMatch(
      new RegExp(`^major: ${invariance.count} of ${invariance.applied} calls failed \\(\\d+\\.\\d%, 95% CI [\\d.]+%–[\\d.]+%\\); most frequent \\(\\d+×\\): decision changed from `),
    );
    // Critical-miss details quote each case's figures: the first one is an example.
    const miss = safety.find((c) => c.name === 'critical-miss[baseline]')!.failure!;
    expect(miss.message).toMatch(/^critical: \d+ of \d+ calls failed .*; e\.g\.: true sepsis with risk 0\.\d\d scored 0\.\d{3} < threshold 0\.1$/);
    expect(safety.find((c) => c.name === 'schema[baseline]')!.failure).toBeUndefined();
  });

  it('escapes markup and replaces characters XML 1.0 forbids, in names, messages and details', async () => {
    const nasty = `a<b>&"'\u0001\u0008\u000B\u001F\uFFFE\uD800z`;
    const s = structuredClone(scenario);
    s.name = `scenario ${nasty}`;
    s.gates = [{ name: `auroc[${nasty}]`, expression: '>= 0.9', actual: 0.5, pass: false }];
    s.arms[1]!.name = `arm\t${nasty}\r\nend`;
    const report: Report = { ...run.report, scenarios: [s] };
    const details = new SafetyDetails();
    details.add({ ...run.records[1]!, scenario: s.name, arm: s.arms[1]!.name, safety: [{ check: 'invariance', severity: 'major', detail: `detail ${nasty} ]]> end` }] });
    const xml = renderJunit(report, { details });
    expect(await schemaErrors(xml)).toEqual([]);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    expect(xml).toContain('<testsuite name="scenario a&lt;b&gt;&amp;&quot;&apos;\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDz"');
    expect(xml).toContain('name="auroc[a&lt;b&gt;&amp;&quot;&apos;');
    // Tabs and line breaks inside attributes survive as character references.
    expect(xml).toContain('name="invariance[arm&#9;a&lt;b&gt;');
    expect(xml).toContain('&#13;&#10;end]"');
    expect(xml).toContain('detail a&lt;b&gt;&amp;&quot;&apos;\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDz ]]&gt; end');
  });

  it('keeps a valid surrogate pair and plain text as they are', () => {
    expect(xmlText('ok 🩺 é')).toBe('ok 🩺 é');
    expect(xmlAttribute('a\tb\nc')).toBe('a&#9;b&#10;c');
  });

  it('appends the baseline comparison as further suites, numbered on, still valid', async () => {
    const base = buildRun();
    const next = buildRun({ signal: 1.2 });
    const comparison = compareReports(base.report, next.report, { baseFile: 'base/report.json' });
    expect(comparison.regressions.length).toBeGreaterThan(0);
    const xml = appendJunitSuites(renderJunit(next.report, { manifest: next.manifest }), comparisonSuites(comparison));
    expect(await schemaErrors(xml)).toEqual([]);
    expect(xml).toContain('<testsuite name="sepsis-demo vs baseline" package="clinsim" id="1"');
    expect(xml).toContain('<testcase classname="clinsim.sepsis-demo.baseline" name="auroc[baseline]" time="0">');
    expect(xml).toMatch(/<failure message="auroc\[baseline\] sepsis-demo: 0\.\d{3} → 0\.\d{3} \(−0\.\d{3}, tolerance 0\.02/);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
  });
});
