/**
 * Stochasticity: does the model give the same answer when asked the same question again?
 * (LLM endpoints sampled with temperature > 0, non-deterministic GPU kernels, A/B-routed
 * deployments.) A scenario with `repeats > 1` calls each case several times; a case is unstable
 * when its decision (a flag, a 0/1 label or a class, compared for equality) is not the same in
 * every answered repeat.
 *
 *     stochasticity = unstable cases / cases with at least two answered repeats
 *
 * A repeat that failed (error, timeout, invalid) is left out, as for the flip rate: a failure is
 * counted by the outcome figures, not as a change of decision. A case with fewer than two
 * answered repeats cannot show a change and is not counted. No such case at all: NaN.
 */

/** A decision as recorded: a flag, a 0/1 label or a class name. */
export type Decision = string | number | boolean;

export interface Stochasticity {
  /** Cases with at least two answered repeats. */
  readonly cases: number;
  /** Of those, cases whose decision was not the same in every repeat. */
  readonly unstable: number;
  /** unstable / cases; NaN when no case has two answered repeats. */
  readonly rate: number;
}

/**
 * From the answered decisions of each case (`decisions[c]` lists case c's repeats; leave a failed
 * repeat out, or pass null/undefined for it).
 */
export function stochasticity(decisions: ReadonlyArray<ReadonlyArray<Decision | null | undefined>>): Stochasticity {
  let cases = 0;
  let unstable = 0;
  for (const repeats of decisions) {
    let first: Decision | undefined;
    let answered = 0;
    let changed = false;
    for (const d of repeats) {
      if (d === null || d === undefined || (typeof d === 'number' && Number.isNaN(d))) continue;
      if (answered === 0) first = d;
      else if (d !== first) changed = true;
      answered++;
    }
    if (answered < 2) continue;
    cases++;
    if (changed) unstable++;
  }
  return { cases, unstable, rate: cases === 0 ? NaN : unstable / cases };
}

/**
 * The same from the journal's slot layout (slot = case · repeats + repeat, as the arm
 * accumulator stores it): `scores[slot]` is NaN for an unanswered repeat, and the decision is
 * score >= threshold (clinsim's flag convention).
 */
export function scoreStochasticity(scores: Float64Array | readonly number[], repeats: number, threshold: number): Stochasticity {
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new RangeError(`repeats ${repeats} must be a positive integer`);
  if (scores.length % repeats !== 0) throw new RangeError(`${scores.length} slots are not a whole number of cases of ${repeats} repeats`);
  let cases = 0;
  let unstable = 0;
  for (let start = 0; start < scores.length; start += repeats) {
    let answered = 0;
    let flagged = 0;
    for (let r = 0; r < repeats; r++) {
      const s = scores[start + r]!;
      if (Number.isNaN(s)) continue;
      answered++;
      if (s >= threshold) flagged++;
    }
    if (answered < 2) continue;
    cases++;
    if (flagged !== 0 && flagged !== answered) unstable++;
  }
  return { cases, unstable, rate: cases === 0 ? NaN : unstable / cases };
}
