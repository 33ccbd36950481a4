import { z } from 'zod';
import type { Case } from '../../case.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { rateSchema } from '../missing/params.ts';
import { demographicsOf, truthChanges } from './regenerate.ts';

export type ShiftPrevalenceParams = {
  /** Share of label 1 in the shifted population, 0..1. */
  rate: number;
};

const ShiftPrevalenceParams = z.strictObject({
  rate: rateSchema('rate'),
});

/** Candidate patients tried per case before giving up (see shiftPrevalence). */
export const PREVALENCE_MAX_TRIES = 1000;
/** Candidate generator indices start here: far above any cohort's own indices. */
export const CANDIDATE_BASE = 2 ** 32;

/**
 * Generator index of candidate `k` of a case whose stream gave `hash` (0 ≤ hash < 2³²): each case
 * owns the block [2³² + hash·1000, 2³² + hash·1000 + 999], so candidates never repeat a cohort
 * patient nor, unless two cases draw the same hash, each other. The largest index, about 4.3·10¹²,
 * is an exact integer.
 */
export function candidateIndex(hash: number, k: number): number {
  return CANDIDATE_BASE + hash * PREVALENCE_MAX_TRIES + k;
}

function provenance(before: Case, after: Case): Change[] {
  const b = demographicsOf(before);
  const a = demographicsOf(after);
  return [
    ...truthChanges(before.truth, after.truth),
    { path: 'age', before: b.ageYears ?? null, after: a.ageYears ?? null },
    { path: 'sex', before: b.sex ?? null, after: a.sex ?? null },
  ];
}

/**
 * shift.prevalence: label shift by resampling. The shifted population has label 1 with probability
 * `rate`, and within each label the patients are distributed as in the cohort (P(x | label) is
 * kept, which is what label shift means). Per case, always two draws: a uniform u and a 32-bit hash.
 * The wanted label is 1 when u < rate, else 0. A case that already has it is kept as it is (it is a
 * draw from P(x | label) already); otherwise the task generates candidate patients
 * `candidateIndex(hash, 0)`, `candidateIndex(hash, 1)`, … with the cohort's options and no
 * override, and the first whose label is the wanted one replaces the case (keeping the case's index).
 * After PREVALENCE_MAX_TRIES candidates without it (a cohort where that label is almost absent,
 * e.g. `CohortOptions.prevalence` 0), the case is kept and the realized prevalence falls short.
 *
 * Regenerates (it must come first in an arm). A case without a label (an imported cohort) is left
 * unchanged with no change recorded.
 */
export const shiftPrevalence: PerturbationDefinition<ShiftPrevalenceParams> & { readonly regenerates: true } = {
  family: 'shift',
  params: ShiftPrevalenceParams,
  example: { rate: 0.3 },
  regenerates: true,
  describe: (p) => `label shift: prevalence of label 1 resampled to ${p.rate}`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'recomputed',
  apply(c, params, ctx) {
    const u = ctx.rng();
    const hash = ctx.rng.int32() >>> 0;
    const label = c.truth.label;
    if (label === undefined) return { case: c, changes: [] };
    const wanted = u < params.rate ? 1 : 0;
    if (label !== wanted) {
      for (let k = 0; k < PREVALENCE_MAX_TRIES; k++) {
        const candidate = ctx.task.generate(ctx.cohort, candidateIndex(hash, k));
        if (candidate.truth.label === wanted) {
          const next: Case = { ...candidate, index: c.index };
          return { case: next, changes: provenance(c, next) };
        }
      }
    }
    return { case: c, changes: provenance(c, c) };
  },
};
