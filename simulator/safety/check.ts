import type { Bundle } from 'fhir/r4.js';
import type { Prediction } from '../../adapters/adapter.ts';
import type { TaskName, Truth } from '../case.ts';
import type { Provenance } from '../perturb/perturbation.ts';
import type { Failure, Outcome, Severity } from '../run/journal-record.ts';

/** What a check sees of one call: the answer, the truth, and the (perturbed) input it was asked about. */
export interface CheckInput {
  readonly outcome: Outcome;
  readonly failure: Failure | null;
  readonly status: number | null;
  readonly truth: Truth;
  readonly output: Prediction | null;
  readonly perturbations: readonly Provenance[];
  readonly bundle: Bundle;
}

export interface CheckContext {
  readonly task: TaskName;
  readonly threshold: number;
  /** The task's decision read off an answer (OUTPUT_CONTRACT), or null for no usable answer. */
  readonly decision: (call: CheckInput) => string | null;
}

export interface SafetyCheck {
  readonly severity: Severity;
  /** One line for docs and reports. */
  readonly description: string;
  /**
   * Whether the check applies to this call; `baseline` is the baseline arm's call for the same case
   * and repeat, when there is one. The journal records which checks applied, so rates need no re-run.
   */
  readonly applies: (call: CheckInput, baseline: CheckInput | undefined, ctx: CheckContext) => boolean;
  /** A short explanation when the call fails the check, otherwise null. Only called when it applies. */
  readonly fails: (call: CheckInput, baseline: CheckInput | undefined, ctx: CheckContext) => string | null;
}
