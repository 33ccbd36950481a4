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
