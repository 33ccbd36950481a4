import type { Comparison, MetricComparison, ScenarioComparison, Stability } from './compare.ts';
import type { Unit } from './compare-metrics.ts';
import type { Tolerance } from './compare-tolerance.ts';
import { ms, pct } from './format.ts';

/** Text of a comparison: the console table of `clinsim compare` and compare.md for CI summaries. */

const MINUS = '\u2212';
const DIGITS: Record<Unit, number> = { score: 3, rate: 4, ms: 1, 'per-second': 1 };

export function value(x: number | null, unit: Unit): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  if (unit === 'ms') return ms(x);
  const s = x.toFixed(DIGITS[unit]).replace('-', MINUS);
  return unit === 'per-second' ? `${s}/s` : s;
}

export function change(m: MetricComparison): string {
  if (m.delta === null) return m.verdict === 'gone' ? 'gone' : 'new';
  const s = `${m.delta >= 0 ? '+' : MINUS}${Math.abs(m.delta).toFixed(DIGITS[m.unit])}`;
  return m.unit === 'ms' ? `${s} ms` : m.unit === 'per-second' ? `${s}/s` : s;
}

export function tolerance(t: Tolerance, unit: Unit): string {
  const abs = unit === 'ms' ? `${t.abs} ms` : String(t.abs);
  const rel = `${+(t.rel * 100).toFixed(4)}%`;
  if (t.rel === 0) return abs;
  return t.abs === 0 ? rel : `max(${abs}, ${rel})`;
}

const ci = (m: MetricComparison): string => (m.baseCi ? `[${value(m.baseCi[0], m.unit)}, ${value(m.baseCi[1], m.unit)}]` : '—');
const yesNo = (b: boolean | null): string => (b === null ? '—' : b ? 'yes' : 'no');

const VERDICT: Record<MetricComparison['verdict'], (m: MetricComparison) => string> = {
  regression: () => 'REGRESSION',
  gone: () => 'REGRESSION (no longer available)',
  worse: (m) => (m.beyondTolerance ? 'worse, within the base CI' : 'worse, within tolerance'),
  better: () => 'better',
  changed: () => 'changed',
  new: () => 'new',
  same: () => 'same',
};

/** `auroc[baseline] sepsis-shift: 0.790 → 0.700 (−0.090, tolerance 0.02)` */
export function regressionLine(m: MetricComparison): string {
  if (m.verdict === 'gone') return `${m.name} ${m.scenario}: ${value(m.base, m.unit)} → n/a (no longer available)`;
  const outside = m.beyondCi ? `, outside the base's 95% CI ${ci(m)}` : '';
  return `${m.name} ${m.scenario}: ${value(m.base, m.unit)} → ${value(m.next, m.unit)} (${change(m)}, tolerance ${tolerance(m.tolerance, m.unit)}${outside})`;
}

const COLUMNS = ['figure', 'base', 'new', 'change', 'tolerance', 'beyond tol.', 'base 95% CI', 'beyond CI', 'verdict'];
const cells = (m: MetricComparison): string[] => [
  m.name,
  value(m.base, m.unit),
  value(m.next, m.unit),
  change(m),
  tolerance(m.tolerance, m.unit),
  yesNo(m.beyondTolerance),
  ci(m),
  yesNo(m.beyondCi),
  VERDICT[m.verdict](m),
];

export const moved = (s: ScenarioComparison): MetricComparison[] => s.metrics.filter((m) => m.verdict !== 'same');

export function ruleText(c: Comparison): string {
  return c.toleranceOnly
    ? "A regression is a move in the worse direction beyond the figure's tolerance (--tolerance-only: the CIs are not consulted)."
    : "A regression is a move in the worse direction beyond the figure's tolerance; where something besides the model can move a figure (other patients, changed perturbations, flaky answers) it must also leave the base run's 95% CI.";
}

/** Whether the two runs saw the same patients, which decides what noise the CI guards against. */
export function pairingLine(s: ScenarioComparison, toleranceOnly: boolean): string {
  if (s.pairing.paired) return 'Same patients in both runs (seed, size, clinsim version): a move beyond tolerance is the model\'s.';
  return `Different patients in the two runs: ${s.pairing.why}; ${toleranceOnly ? 'judged by tolerance alone (--tolerance-only)' : "a move must also leave the base run's 95% CI"}.`;
}

function stabilityLine(st: Stability): string {
  const side = (x: Stability['base']) =>
    x === null ? 'not in this run' : x.repeats <= 1 ? 'not measured (1 repeat)' : `${pct(x.stochasticity)} of cases (${x.repeats} repeats)`;
  return `${st.arm}: ${side(st.base)} → ${side(st.next)}`;
}

/** Lines on answers that change between repeats; always shown, so a flaky endpoint is never hidden. */
export function stabilityLines(s: ScenarioComparison): string[] {
  const measured = s.stability.some((st) => (st.base?.repeats ?? 1) > 1 || (st.next?.repeats ?? 1) > 1);
  if (!measured) {
    return ['Repeat stability: not measured (1 repeat in both runs); give the scenario `repeats: 3` to see whether the endpoint answers the same case differently.'];
  }
  const flaky = s.stability.filter((st) => (st.base?.stochasticity ?? 0) > 0 || (st.next?.stochasticity ?? 0) > 0).map((st) => st.arm);
  return [
    'Repeat stability (share of cases whose decision differs between repeats of the same call):',
    ...s.stability.map((st) => `  ${stabilityLine(st)}`),
    ...(flaky.length > 0 ? [`  flaky answers in ${flaky.join(', ')}: part of any move there can be the endpoint's randomness, so it must also leave the base CI`] : []),
  ];
}

function gateLines(s: ScenarioComparison): string[] {
  const state = (p: boolean | null) => (p === null ? 'absent' : p ? 'pass' : 'FAIL');
  return s.gates.map((g) => `  ${g.name} ${g.expression}: ${state(g.base)} → ${state(g.next)}`);
}

function textTable(rows: readonly string[][]): string[] {
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(COLUMNS), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}

const runLabel = (r: Comparison['base']): string => `${r.id}${r.file ? ` (${r.file})` : ''}`;

export function renderCompareConsole(c: Comparison): string {
  const out = [`clinsim compare: base ${runLabel(c.base)} → new ${runLabel(c.next)}`, ruleText(c)];
  for (const s of c.scenarios) {
    const rows = moved(s);
    out.push('', `${s.name} (${s.task}): ${rows.length} of ${s.metrics.length} figures moved`, pairingLine(s, c.toleranceOnly));
    for (const note of s.notes) out.push(`  note: ${note}`);
    if (rows.length > 0) out.push(...textTable(rows.map(cells)));
    out.push(...stabilityLines(s));
    if (s.gates.length > 0) out.push('Gates whose verdict changed:', ...gateLines(s));
  }
  if (c.onlyInBase.length > 0) out.push('', `Only in the base run, not compared: ${c.onlyInBase.join(', ')}`);
  if (c.onlyInNext.length > 0) out.push('', `Only in the new run, not compared: ${c.onlyInNext.join(', ')}`);
  out.push('');
  if (c.regressions.length === 0) out.push('baseline: no regression');
  else out.push(`baseline: ${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}:`, ...c.regressions.map((m) => `  ${regressionLine(m)}`));
  return out.join('\n');
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const mdRow = (r: readonly string[]): string => `| ${r.map(md).join(' | ')} |`;

/** compare.md: the same, as GitHub-flavoured Markdown for step summaries and pull-request comments. */
export function renderCompareMarkdown(c: Comparison): string {
  const n = c.regressions.length;
  const out = [
    `## Baseline comparison: ${n === 0 ? '✅ no regression' : `❌ ${n} regression${n === 1 ? '' : 's'}`}`,
    '',
    `Base run \`${c.base.id}\` → new run \`${c.next.id}\`. ${ruleText(c)}`,
    '',
  ];
  if (n > 0) out.push(...c.regressions.map((m) => `- **${md(regressionLine(m))}**`), '');
  for (const s of c.scenarios) {
    const rows = moved(s);
    out.push(`### ${s.name} (${s.task}): ${rows.length} of ${s.metrics.length} figures moved`, '', pairingLine(s, c.toleranceOnly), '');
    for (const note of s.notes) out.push(`> ${md(note)}`, '');
    if (rows.length > 0) out.push(mdRow(COLUMNS), mdRow(COLUMNS.map(() => '---')), ...rows.map((m) => mdRow(cells(m))), '');
    out.push(...stabilityLines(s).map((l) => (l.startsWith('  ') ? `- ${md(l.trim())}` : md(l))), '');
    if (s.gates.length > 0) out.push('Gates whose verdict changed:', '', ...gateLines(s).map((l) => `- ${md(l.trim())}`), '');
  }
  if (c.onlyInBase.length > 0) out.push(`Only in the base run, not compared: ${c.onlyInBase.join(', ')}`, '');
  if (c.onlyInNext.length > 0) out.push(`Only in the new run, not compared: ${c.onlyInNext.join(', ')}`, '');
  return out.join('\n');
}
