/**
 * Decision stability of one arm: the flip rate against the baseline arm and the stochasticity
 * between repeats. Both compare the decision the task reads off an answer (OUTPUT_CONTRACT: a flag
 * score >= threshold for sepsis, the class for note-triage, alert or not for med-safety), so they
 * apply to every task and need no truth. Calls without a usable answer are left out.
 */
import { NONE, type ArmAccumulator } from './arm-accumulator.ts';
import { stochasticity } from './stochasticity.ts';

/**
 * Share of (case, repeat) slots decided in both this arm and the baseline whose decisions differ
 * (repeat r is compared with the baseline's repeat r, as the invariance check does). Null for the
 * baseline arm, without a baseline, or when no slot is decided in both.
 */
export function flipRate(acc: ArmAccumulator, baseline: ArmAccumulator | undefined): number | null {
  if (!baseline || baseline === acc) return null;
  let paired = 0;
  let flips = 0;
  for (let s = 0; s < acc.decisions.length; s++) {
    const mine = acc.decisions[s];
    const theirs = baseline.decisions[s];
    if (mine === NONE || theirs === NONE) continue;
    paired++;
    if (mine !== theirs) flips++;
  }
  return paired === 0 ? null : flips / paired;
}

/** Share of cases whose decision is not the same in every answered repeat; null with one repeat. */
export function armStochasticity(acc: ArmAccumulator): number | null {
  if (acc.repeats <= 1) return null;
  const perCase: (number | null)[][] = [];
  for (let start = 0; start < acc.decisions.length; start += acc.repeats) {
    const repeats: (number | null)[] = [];
    for (let r = 0; r < acc.repeats; r++) {
      const d = acc.decisions[start + r]!;
      repeats.push(d === NONE ? null : d);
    }
    perCase.push(repeats);
  }
  const rate = stochasticity(perCase).rate;
  return Number.isNaN(rate) ? null : rate;
}
