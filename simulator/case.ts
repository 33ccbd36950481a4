import { z } from 'zod';
import type { Bundle } from 'fhir/r4.js';

export const TaskName = z.enum(['sepsis', 'note-triage', 'med-safety']);
export type TaskName = z.infer<typeof TaskName>;

/** A clinically significant conflict in a medication order (med-safety truth). */
export const Conflict = z.object({
  kind: z.enum(['allergy', 'interaction', 'drug-lab']),
  severity: z.enum(['contraindicated', 'major', 'moderate', 'caution']),
  /** The RxNorm code (or LOINC code for a drug-lab rule) the ordered drug conflicts with. */
  with: z.string(),
  description: z.string(),
});
export type Conflict = z.infer<typeof Conflict>;

/**
 * Ground truth of one case. `label` is binary where the task has one; `risk` is the generating
 * probability; `class` is a category (triage urgency); `conflicts` lists what a medication order
 * clashes with. Imported cases may have no truth at all.
 */
export const Truth = z.object({
  label: z.union([z.literal(0), z.literal(1)]).optional(),
  risk: z.number().min(0).max(1).optional(),
  class: z.string().optional(),
  conflicts: z.array(Conflict).optional(),
});
export type Truth = z.infer<typeof Truth>;

/** Subgroup attributes used for fairness slices. */
export const Group = z.object({
  sex: z.string(),
  ageBand: z.string(),
  race: z.string(),
  ethnicity: z.string(),
});
export type Group = z.infer<typeof Group>;

/** One synthetic patient at prediction time: the FHIR data a model sees, and the truth it does not. */
export interface Case {
  readonly task: TaskName;
  /** Patient index within the scenario's cohort. */
  readonly index: number;
  readonly bundle: Bundle;
  readonly truth: Truth;
}
