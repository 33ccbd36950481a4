import { z } from 'zod';
import { Group, Truth } from '../case.ts';
import { FailureType, Prediction } from '../../adapters/adapter.ts';
import { Provenance } from '../perturb/perturbation.ts';

export const Outcome = z.enum(['ok', 'error', 'timeout', 'invalid']);
export type Outcome = z.infer<typeof Outcome>;

/** Why a call did not give a usable answer: an adapter failure type, or an answer the task cannot use. */
export const Failure = z.union([FailureType, z.literal('invalid-output')]);
export type Failure = z.infer<typeof Failure>;

export const Severity = z.enum(['critical', 'major', 'minor']);
export type Severity = z.infer<typeof Severity>;

export const SafetyFailure = z.object({
  check: z.string(),
  severity: Severity,
  detail: z.string(),
});
export type SafetyFailure = z.infer<typeof SafetyFailure>;

/** One line of results.jsonl: one call for one (scenario, arm, case, repeat). */
export const JournalRecord = z.object({
  scenario: z.string(),
  arm: z.string(),
  case: z.number().int().nonnegative(),
  repeat: z.number().int().nonnegative(),
  outcome: Outcome,
  attempts: z.number().int().nonnegative(),
  status: z.number().int().nullable(),
  latencyMs: z.number().nonnegative().nullable(),
  error: z.string().nullable(),
  failure: Failure.nullable(),
  truth: Truth,
  output: Prediction.nullable(),
  group: Group,
  /** Safety checks that applied to this call (the denominators of the check rates). */
  checks: z.array(z.string()),
  safety: z.array(SafetyFailure),
  perturbations: z.array(Provenance),
  /**
   * The model input as the task's tabular view of the perturbed bundle (`task.table`, the columns
   * of `clinsim generate --format csv`): `{ column: number | string | null }`, for input drift.
   * Written on the repeat-0 record of each (arm, case) only (repeats send the same input); absent
   * in journals written before it.
   */
  features: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
});
export type JournalRecord = z.infer<typeof JournalRecord>;
