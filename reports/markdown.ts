import type { Report } from '../simulator/metrics/report-types.ts';
import { armColumns, armRow } from './arm-rows.ts';
import { LOAD_COLUMNS, loadRow } from './load-rows.ts';
import { num } from './format.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;

/** summary.md: the verdict, gates and per-arm figures, for CI step summaries and PR comments. */
export function renderSummaryMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push(`# clinsim run ${report.run.id}: ${report.passed ? '✅ passed' : '❌ failed'}`, '');
  for (const s of report.scenarios) {
    lines.push(`## ${s.name} (${s.task}): ${s.passed ? 'passed' : 'failed'}`, '');
    lines.push(`Target: ${s.target.adapter} ${s.target.url ?? ''} · seed ${s.seed} · ${s.size} patients · threshold ${s.threshold}`, '');
    if (s.gates.length > 0) {
      lines.push(row(['gate', 'bound', 'actual', 'result']), row(['---', '---', '---', '---']));
      for (const g of s.gates) lines.push(row([g.name, g.expression, num(g.actual, 4), g.pass ? 'pass' : '**FAIL**']));
      lines.push('');
    }
    const columns = armColumns(s.task);
    lines.push(row(columns), row(columns.map(() => '---')));
    for (const arm of s.arms) lines.push(row(armRow(arm, s.task)));
    lines.push('');
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
  lines.push(`Report: report.json (schema ${report.schemaVersion}); lineage: ${report.run.manifest}.`, '');
  return lines.join('\n');
}
