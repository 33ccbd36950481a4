import type { GateResult, Report, ScenarioReport } from '../simulator/metrics/report-types.ts';
import type { Manifest } from '../simulator/run/manifest.ts';
import { armColumns, armRow } from './arm-rows.ts';
import { num, pct } from './format.ts';
import type { SafetyDetails } from './junit-details.ts';

/**
 * junit.xml in the Apache Ant JUnit format, valid against the widely used XSD of that format
 * (test/fixtures/junit/JUnit.xsd): one <testsuite> per scenario, one <testcase> per evaluated gate
 * and per safety check of each arm. That schema fixes a few things CI tools read: <testsuites>
 * carries no attributes, every suite has <properties>, <system-out> and <system-err>, and the
 * timestamp has no time zone (clinsim writes UTC).
 */

export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly failure?: { readonly type: string; readonly message: string; readonly body: string };
}

export interface JunitSuite {
  readonly name: string;
  readonly timestamp: string;
  /** Seconds. */
  readonly time: number;
  readonly properties: readonly (readonly [string, string])[];
  readonly cases: readonly JunitCase[];
  readonly out: string;
}

export const JUNIT_FILE = 'junit.xml';

// XML 1.0 allows tab, LF, CR and U+0020 upwards, less U+FFFE/U+FFFF and unpaired surrogates; a
// forbidden character cannot even be escaped, so it becomes U+FFFD.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xmlText(s: string): string {
  return s.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Attribute values also keep their tabs and line breaks, which a parser would otherwise normalise to spaces. */
export function xmlAttribute(s: string): string {
  return xmlText(s).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const attributes = (pairs: readonly (readonly [string, string | number])[]): string =>
  pairs.map(([k, v]) => ` ${k}="${xmlAttribute(String(v))}"`).join('');

function suiteXml(suite: JunitSuite, id: number): string {
  const failures = suite.cases.filter((c) => c.failure).length;
  const lines = [
    `  <testsuite${attributes([
      ['name', suite.name],
      ['package', 'clinsim'],
      ['id', id],
      ['timestamp', suite.timestamp],
      ['hostname', 'localhost'],
      ['tests', suite.cases.length],
      ['failures', failures],
      ['errors', 0],
      ['time', suite.time.toFixed(3)],
    ])}>`,
    '    <properties>',
    ...suite.properties.map(([name, value]) => `      <property${attributes([['name', name], ['value', value]])}/>`),
    '    </properties>',
  ];
  for (const c of suite.cases) {
    const open = `    <testcase${attributes([['classname', c.classname], ['name', c.name], ['time', '0']])}`;
    if (!c.failure) {
      lines.push(`${open}/>`);
      continue;
    }
    const f = c.failure;
    lines.push(`${open}>`, `      <failure${attributes([['message', f.message], ['type', f.type]])}>${xmlText(f.body)}</failure>`, '    </testcase>');
  }
  lines.push(`    <system-out>${xmlText(suite.out)}</system-out>`, '    <system-err></system-err>', '  </testsuite>');
  return lines.join('\n');
}

export function junitDocument(suites: readonly JunitSuite[]): string {
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>', ...suites.map(suiteXml), '</testsuites>', ''].join('\n');
}

/**
 * Adds suites to a document junitDocument wrote, numbering them after the ones it has. Every `<` in
 * content is escaped, so `<testsuite ` only ever starts a suite element.
 */
export function appendJunitSuites(xml: string, suites: readonly JunitSuite[]): string {
  const end = xml.lastIndexOf('</testsuites>');
  if (end < 0) throw new Error('not a junit.xml written by clinsim: no </testsuites>');
  const existing = xml.match(/<testsuite /g)?.length ?? 0;
  const added = suites.map((s, i) => suiteXml(s, existing + i) + '\n').join('');
  return xml.slice(0, end) + added + xml.slice(end);
}

/** `2026-11-24T07:50:04.509Z` → `2026-11-24T07:50:04`: the schema's timestamp has no zone. */
export const junitTimestamp = (iso: string): string => new Date(iso).toISOString().slice(0, 19);

const VIOLATED: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };

/** `actual 0.2785 > bound 0.02`: the measured figure, the relation that failed, and the bound as written. */
export function gateFailureMessage(gate: GateResult): string {
  const m = /^\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/.exec(gate.expression);
  if (gate.actual === null) return `actual n/a (the figure is not available), expected ${gate.expression.trim()}`;
  const actual = Number.isInteger(gate.actual) ? String(gate.actual) : num(gate.actual, 4);
  return m ? `actual ${actual} ${VIOLATED[m[1]!]} bound ${m[2]}` : `actual ${actual}, expected ${gate.expression.trim()}`;
}

function gateCases(s: ScenarioReport): JunitCase[] {
  return s.gates.map((g) => ({
    classname: `clinsim.${s.name}.gates`,
    name: `${g.name} ${g.expression.trim()}`,
    ...(g.pass ? {} : { failure: { type: 'gate', message: gateFailureMessage(g), body: `${s.name}: gate ${g.name} ${g.expression.trim()} failed: ${gateFailureMessage(g)}` } }),
  }));
}

const interval = (ci: readonly [number, number] | null): string => (ci ? `, 95% CI ${pct(ci[0])}–${pct(ci[1])}` : '');

function safetyCases(s: ScenarioReport, details: SafetyDetails | undefined): JunitCase[] {
  return s.arms.flatMap((arm) =>
    Object.entries(arm.safety.byCheck).map(([check, c]): JunitCase => {
      const testcase = { classname: `clinsim.${s.name}.safety`, name: `${check}[${arm.name}]` };
      if (c.count === 0) return testcase;
      const top = details?.top(s.name, arm.name, check);
      const figures = `${c.count} of ${c.applied} calls failed (${pct(c.rate)}${interval(c.ci)})`;
      // Details that quote per-case figures are all distinct; then the first one is an example, not a mode.
      const label = top && top.count > 1 ? `most frequent (${top.count}×)` : 'e.g.';
      const message = top ? `${top.severity}: ${figures}; ${label}: ${top.detail}` : figures;
      const body = [
        `${s.name}: safety check ${check} failed in arm ${arm.name}: ${figures}.`,
        ...(top ? [`${top.count > 1 ? 'Most frequent detail' : 'First detail'} (${top.count} of ${c.count}, severity ${top.severity}): ${top.detail}`] : []),
      ].join('\n');
      return { ...testcase, failure: { type: top ? `safety.${top.severity}` : 'safety', message, body } };
    }),
  );
}

function scenarioOut(s: ScenarioReport): string {
  const header = armColumns(s.task);
  const rows = s.arms.map((a) => armRow(a, s.task));
  return [`${s.name} (${s.task}) → ${s.target.adapter} ${s.target.url ?? ''}`.trimEnd(), ...[header, ...rows].map((r) => r.join('  |  '))].join('\n');
}

export interface JunitOptions {
  readonly manifest?: Manifest;
  readonly details?: SafetyDetails;
}

/**
 * The report's suites. A run does not time its scenarios apart, so a one-scenario run's suite has
 * the run's wall time and each suite of a several-scenario run has 0; the testcases judge figures
 * already computed and take no time of their own.
 */
export function junitSuites(report: Report, options: JunitOptions = {}): JunitSuite[] {
  const seconds = Math.max(0, (Date.parse(report.run.finishedAt) - Date.parse(report.run.startedAt)) / 1000);
  return report.scenarios.map((s) => {
    const lineage = options.manifest?.scenarios.find((l) => l.name === s.name);
    const properties: [string, string][] = [
      ['runId', report.run.id],
      ['toolVersion', report.run.toolVersion],
      ...(options.manifest ? [['nodeVersion', options.manifest.nodeVersion] as [string, string]] : []),
      ['scenario', s.name],
      ['task', s.task],
      ...(lineage ? [['scenarioFile', lineage.file ?? '(built in code)'], ['scenarioHash', lineage.contentHash]] as [string, string][] : []),
      ['seed', String(s.seed)],
      ['size', String(s.size)],
      ['repeats', String(s.repeats)],
      ['threshold', String(s.threshold)],
      ...(lineage?.cohortHash ? [['cohortHash', lineage.cohortHash] as [string, string]] : []),
      ['targetAdapter', s.target.adapter],
      ['targetUrl', s.target.url ?? ''],
      ['manifest', report.run.manifest],
    ];
    return {
      name: s.name,
      timestamp: junitTimestamp(report.run.startedAt),
      time: report.scenarios.length === 1 ? seconds : 0,
      properties,
      cases: [...gateCases(s), ...safetyCases(s, options.details)],
      out: scenarioOut(s),
    };
  });
}

export const renderJunit = (report: Report, options: JunitOptions = {}): string => junitDocument(junitSuites(report, options));
