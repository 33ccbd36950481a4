/* Building blocks of each task's expected statistics (<task>/expected.ts). */

/** An expected figure and how far a 20,000-patient cohort may stray from it. */
export const within = (expected: number, tolerance: number) => ({ expected, tolerance });

/** A column every patient has. */
export const NEVER_MISSING = within(0, 0);

/** Age and sex come from the shared demographics generator, the same for every task. */
export const DEMOGRAPHIC_COLUMNS = {
  age_years: { mean: within(50.7, 0.6), missing: NEVER_MISSING },
  sex_female: { mean: within(0.54, 0.015), missing: NEVER_MISSING },
};
