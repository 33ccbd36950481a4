import type { Report, ScenarioReport } from '../simulator/metrics/report-types.ts';
import { armColumns, armRow, failureLine, usageLine } from './arm-rows.ts';
import { LOAD_COLUMNS, loadRow } from './load-rows.ts';
import { num, pct } from './format.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;

const GATE_HEADER = [row(['gate', 'bound', 'actual', 'result']), row(['---', '---', '---', '---'])];
const gateRow = (g: ScenarioReport['gates'][number]): string => row([g.name, g.expression, num(g.actual, 4), g.pass ? 'pass' : '**FAIL**']);

/** One line per scenario first: a pull-request comment is read from the top and often no further. */
function overview(report: Report): string[] {
  return [
    row(['scenario', 'task', 'gates failed', 'safety failures', 'verdict']),
    row(['---', '---', '---', '---', '---']),
    ...report.scenarios.map((s) => {
      const failed = s.gates.filter((g) => !g.pass).length;
      const safety = s.arms.reduce((n, a) => n + a.safety.failures, 0);
      return row([s.name, s.task, `${failed} of ${s.gates.length}`, String(safety), s.passed ? '✅ passed' : '❌ failed']);
    }),
    '',
  ];
}

/** Failed gates in the open, passed ones folded away (GitHub renders <details> in summaries and comments). */
function gateLines(s: ScenarioReport): string[] {
  if (s.gates.length === 0) return [];
  const failed = s.gates.filter((g) => !g.pass);
  const passed = s.gates.filter((g) => g.pass);
  const lines = failed.length > 0 ? [...GATE_HEADER, ...failed.map(gateRow), ''] : [];
  if (passed.length > 0) {
    lines.push(`<details><summary>${passed.length} of ${s.gates.length} gates passed</summary>`, '', ...GATE_HEADER, ...passed.map(gateRow), '', '</details>', '');
  }
  return lines;
}

/** Checks that failed at least once, per arm, with the rate and its Wilson 95% interval. */
function safetyLines(s: ScenarioReport): string[] {
  const items = s.arms.flatMap((arm) =>
    Object.entries(arm.safety.byCheck)
      .filter(([, c]) => c.count > 0)
      .map(([check, c]) => `- **${check}** in ${arm.name}: ${c.count} of ${c.applied} calls (${pct(c.rate)}${c.ci ? `, 95% CI ${pct(c.ci[0])}–${pct(c.ci[1])}` : ''})`),
  );
  return items.length === 0 ? [] : ['Safety failures:', '', ...items, ''];
}

/** With repeats, how often an answer changed between repeats of the same call: flaky answers shown. */
function stabilityLines(s: ScenarioReport): string[] {
  if (s.repeats <= 1) return [];
  return [`Repeat stability (${s.repeats} repeats; share of cases whose decision changed between repeats): ${s.arms.map((a) => `${a.name} ${pct(a.stochasticity)}`).join(', ')}`, ''];
}

/** summary.md: the verdict, gates and per-arm figures, for CI step summaries and PR comments. */
export function renderSummaryMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push(`# clinsim run ${report.run.id}: ${report.passed ? '✅ passed' : '❌ failed'}`, '');
  lines.push(...overview(report));
  for (const s of report.scenarios) {
    lines.push(`## ${s.name} (${s.task}): ${s.passed ? 'passed' : 'failed'}`, '');
    lines.push(`Target: ${s.target.adapter} ${s.target.url ?? ''}${s.target.model === undefined ? '' : ` (model ${s.target.model})`} · seed ${s.seed} · ${s.size} patients · threshold ${s.threshold}`, '');
    lines.push(...gateLines(s));
    const columns = armColumns(s.task);
    lines.push(row(columns), row(columns.map(() => '---')));
    for (const arm of s.arms) lines.push(row(armRow(arm, s.task)));
    lines.push('');
    const failures = failureLine(s.arms);
    if (failures) lines.push(failures, '');
    const usage = usageLine(s.arms);
    if (usage) lines.push(usage, '');
    lines.push(...safetyLines(s), ...stabilityLines(s));
    if (s.load.length > 0) {
      lines.push('Load (latency from the intended send time for arrival-rate phases):', '');
      lines.push(row([...LOAD_COLUMNS]), row(LOAD_COLUMNS.map(() => '---')));
      for (const phase of s.load) lines.push(row(loadRow(phase)));
      lines.push('');
    }
    for (const arm of s.arms) {
      if (arm.perturbations.length === 0) continue;
      lines.push(`- **${arm.name}**: ${arm.perturbations.map((p) => `${p.description} (${p.expectation.kind})`).join('; ')}`);
    }
    lines.push('');
  }
  lines.push(`Report: report.json (schema ${report.schemaVersion}), junit.xml; lineage: ${report.run.manifest}.`, '');
  return lines.join('\n');
}
