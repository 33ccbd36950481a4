import { z } from 'zod';
import type { Bundle } from 'fhir/r4.js';

// Issue 3 adds note-triage and med-safety; every Record<TaskName, …> then has to handle them.
export const TaskName = z.enum(['sepsis']);
export type TaskName = z.infer<typeof TaskName>;

/** Ground truth of one case. `label` is binary where the task has one; `risk` is the generating probability. */
export const Truth = z.object({
  label: z.union([z.literal(0), z.literal(1)]).optional(),
  risk: z.number().min(0).max(1).optional(),
  class: z.string().optional(),
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
