import type { Report } from '../simulator/metrics/report-types.ts';
import { armColumns, armRow, failureLine, usageLine } from './arm-rows.ts';
import { LOAD_COLUMNS, loadRow } from './load-rows.ts';
import { num, textTable } from './format.ts';

/** The readable table printed at the end of a run. */
export function renderConsole(report: Report): string {
  const out: string[] = [];
  for (const s of report.scenarios) {
    out.push('', `${s.name} (${s.task}) → ${s.target.adapter} ${s.target.url ?? ''}${s.target.model === undefined ? '' : ` (model ${s.target.model})`}`);
    out.push(textTable(armColumns(s.task), s.arms.map((a) => armRow(a, s.task))));
    const failures = failureLine(s.arms);
    if (failures) out.push(failures);
    const usage = usageLine(s.arms);
    if (usage) out.push(usage);
    if (s.load.length > 0) out.push('', 'load:', textTable(LOAD_COLUMNS, s.load.map(loadRow)));
    if (s.gates.length > 0) {
      out.push('', 'gates:');
      for (const g of s.gates) out.push(`  ${g.pass ? 'pass' : 'FAIL'}  ${g.name} ${g.expression}  (actual ${num(g.actual, 4)})`);
    }
  }
  out.push('', report.passed ? 'verdict: PASSED' : 'verdict: FAILED (a gate failed)');
  return out.join('\n');
}
