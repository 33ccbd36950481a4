import type { ArmReport, ScenarioReport } from '../simulator/metrics/report-types.ts';

/**
 * What can move a figure between two runs besides the model, which decides whether a move beyond
 * tolerance must also leave the base run's 95% CI to count as a regression.
 *
 * Patient i of a scenario is a function of (seed, task, i) and the generator, so two runs with the
 * same seed, size and clinsim version saw the same patients (the realized prevalence of the
 * reference arm is checked as a fingerprint: it differs for another prevalence or imported data).
 * On the same patients the bootstrap CI, which describes patient sampling, is not noise between
 * the runs: a deterministic model's move is entirely the model's, so tolerance alone decides. The
 * CI is consulted where that does not hold: other patients (another seed, size or version), an arm
 * whose perturbations changed, or an arm whose answers were flaky between repeats in either run.
 */
export type Pairing = { readonly paired: true } | { readonly paired: false; readonly why: string };

const reference = (s: ScenarioReport): ArmReport | undefined => s.arms.find((a) => a.name === 'baseline') ?? s.arms[0];

export function cohortPairing(base: ScenarioReport, next: ScenarioReport, versions: { base: string; next: string }): Pairing {
  if (base.seed !== next.seed) return { paired: false, why: `another seed (${base.seed}, ${next.seed})` };
  if (base.size !== next.size) return { paired: false, why: `another cohort size (${base.size}, ${next.size})` };
  if (versions.base !== versions.next) return { paired: false, why: `another clinsim version (${versions.base}, ${versions.next}), whose generator may differ` };
  const before = reference(base)?.realizedPrevalence ?? null;
  const after = reference(next)?.realizedPrevalence ?? null;
  if (before !== after) return { paired: false, why: 'another realized prevalence (another prevalence setting or imported data)' };
  return { paired: true };
}

const perturbationsOf = (arm: ArmReport): string => JSON.stringify(arm.perturbations.map((p) => [p.kind, p.params]));
const flaky = (arm: ArmReport | undefined): boolean => (arm?.stochasticity ?? 0) > 0;

/** Whether an arm's moves must also leave the base CI; `toleranceOnly` (the CLI flag) says never. */
export function needsCi(pairing: Pairing, base: ArmReport | undefined, next: ArmReport | undefined, toleranceOnly: boolean): boolean {
  if (toleranceOnly) return false;
  if (!pairing.paired) return true;
  if (base && next && perturbationsOf(base) !== perturbationsOf(next)) return true;
  return flaky(base) || flaky(next);
}

/** The arms whose perturbations differ between the runs: their patients differ too. */
export function changedArms(base: ScenarioReport, next: ScenarioReport): string[] {
  return base.arms.flatMap((a) => {
    const n = next.arms.find((x) => x.name === a.name);
    return n && perturbationsOf(n) !== perturbationsOf(a) ? [a.name] : [];
  });
}

export { reference as referenceArm };
