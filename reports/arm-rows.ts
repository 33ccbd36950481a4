import type { ArmReport } from '../simulator/metrics/report-types.ts';
import { estimate, ms, num, pct, signed } from './format.ts';

/** The per-arm table shared by the console and the Markdown summary. */
export const ARM_COLUMNS = ['arm', 'cases', 'answered', 'AUROC [95% CI]', 'ΔAUROC', 'Brier', 'sens', 'spec', 'flips', 'p95', 'safety'] as const;

export function armRow(arm: ArmReport): string[] {
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
    estimate(arm.metrics.auroc),
    arm.delta ? signed(arm.delta.auroc.value) : '—',
    num(arm.metrics.brier.value),
    pct(arm.metrics.sensitivity.value),
    pct(arm.metrics.specificity.value),
    arm.flipRate === null ? '—' : pct(arm.flipRate),
    ms(arm.latency?.p95),
    safety,
  ];
}
