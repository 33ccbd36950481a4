import type { ArmReport } from '../simulator/metrics/report-types.ts';
import { estimate, ms, num, pct, signed } from './format.ts';

/**
 * The per-arm table shared by the console and the Markdown summary. The quality columns follow the
 * task: scores for sepsis, classes for triage, alerts for medication safety; the rest is shared.
 */
type Quality = { readonly columns: readonly string[]; readonly cells: (arm: ArmReport) => string[] };

const SCORE: Quality = {
  columns: ['AUROC [95% CI]', 'ΔAUROC', 'Brier', 'sens', 'spec'],
  cells: (arm) => [
    estimate(arm.metrics.auroc),
    arm.delta ? signed(arm.delta.auroc.value) : '—',
    num(arm.metrics.brier.value),
    pct(arm.metrics.sensitivity.value),
    pct(arm.metrics.specificity.value),
  ],
};

const CLASSES: Quality = {
  columns: ['macro-F1 [95% CI]', 'accuracy', 'under-triage'],
  cells: (arm) => [estimate(arm.classes?.macroF1), pct(arm.classes?.accuracy.value), pct(arm.classes?.underTriage.value)],
};

const ALERTS: Quality = {
  columns: ['alert sens [95% CI]', 'false alerts'],
  cells: (arm) => [estimate(arm.alerts?.sensitivity), pct(arm.alerts?.falseAlertRate.value)],
};

const QUALITY: Record<string, Quality> = { sepsis: SCORE, 'note-triage': CLASSES, 'med-safety': ALERTS };
const qualityOf = (task: string): Quality => QUALITY[task] ?? SCORE;

export function armColumns(task: string): string[] {
  return ['arm', 'cases', 'answered', ...qualityOf(task).columns, 'flips', 'p95', 'safety'];
}

/** The sepsis table's columns (the score metrics). */
export const ARM_COLUMNS = armColumns('sepsis');

export function armRow(arm: ArmReport, task = 'sepsis'): string[] {
  const answered = arm.calls === 0 ? null : arm.outcomes.ok / arm.calls;
  const safety = arm.safety.failures === 0
    ? '0'
    : Object.entries(arm.safety.byCheck)
        .filter(([, c]) => c.count > 0)
        .map(([check, c]) => `${check} ${c.count}`)
        .join(', ');
  return [
    arm.name,
    String(arm.cases),
    pct(answered),
    ...qualityOf(task).cells(arm),
    arm.flipRate === null ? '—' : pct(arm.flipRate),
    ms(arm.latency?.p95),
    safety,
  ];
}

/**
 * One line under the arm table on calls that failed, split by whose failure it is (infrastructure
 * or model, docs/metrics.md), and on retries; null when there is neither (or the report predates
 * the split), so a clean run's output stays as it was.
 */
export function failureLine(arms: readonly ArmReport[]): string | null {
  const failing = arms.filter((a) => a.failures && a.failures.infrastructure + a.failures.model > 0);
  const retried = arms.filter((a) => (a.retries ?? 0) > 0);
  if (failing.length === 0 && retried.length === 0) return null;
  const failures = failing.length === 0
    ? 'failed calls: none'
    : `failed calls (infrastructure / model): ${failing.map((a) => `${a.name} ${a.failures!.infrastructure} / ${a.failures!.model}`).join(', ')}`;
  if (retried.length === 0) return failures;
  const total = retried.reduce((sum, a) => sum + a.retries!, 0);
  return `${failures} · retries: ${total} (${retried.map((a) => `${a.name} ${a.retries}`).join(', ')})`;
}

const count = (n: number): string => n.toLocaleString('en-US');
const usd = (x: number): string => `$${x.toFixed(x < 1 ? 4 : 2)}`;

/**
 * One line under the arm table on the tokens the arms' answers used (input / output) and their cost
 * in USD when the target gives prices; null when no arm reported usage (only LLM targets do), so
 * other runs' output stays as it was.
 */
export function usageLine(arms: readonly ArmReport[]): string | null {
  const metered = arms.filter((a) => a.usage !== undefined);
  if (metered.length === 0) return null;
  const part = (prompt: number, completion: number, cost: number | null): string =>
    `${count(prompt)} / ${count(completion)}${cost === null ? '' : ` (${usd(cost)})`}`;
  const perArm = metered.map((a) => `${a.name} ${part(a.usage!.promptTokens, a.usage!.completionTokens, a.usage!.costUsd)}`);
  const priced = metered.filter((a) => a.usage!.costUsd !== null);
  const total = part(
    metered.reduce((s, a) => s + a.usage!.promptTokens, 0),
    metered.reduce((s, a) => s + a.usage!.completionTokens, 0),
    priced.length === 0 ? null : priced.reduce((s, a) => s + a.usage!.costUsd!, 0),
  );
  return `tokens (input / output${priced.length === 0 ? '' : ', cost'}): ${perArm.join(', ')} · total ${total}`;
}
