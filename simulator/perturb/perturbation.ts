import { z } from 'zod';
import type { Case } from '../case.ts';
import type { TaskDefinition, CohortOptions } from '../cohort/task.ts';
import type { Rng } from '../random.ts';

export const Family = z.enum(['shift', 'missing', 'notes', 'fuzz']);
export type Family = z.infer<typeof Family>;

/** What a robust model should do under a perturbation. */
export const Expectation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('invariant') }),
  z.object({ kind: z.literal('directional'), direction: z.enum(['increase', 'decrease']) }),
  z.object({ kind: z.literal('degrading') }),
]);
export type Expectation = z.infer<typeof Expectation>;

/** How a perturbation affects the truth of the case it changes. */
export const TruthEffect = z.enum(['preserved', 'recomputed']);
export type TruthEffect = z.infer<typeof TruthEffect>;

/** One recorded change: where, and the value before and after. */
export const Change = z.object({
  path: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type Change = z.infer<typeof Change>;

/** Provenance of one applied perturbation, in arm order. */
export const Provenance = z.object({
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  expectation: Expectation,
  truthEffect: TruthEffect,
  changes: z.array(Change),
});
export type Provenance = z.infer<typeof Provenance>;

/** What a scenario author writes in an arm: serialisable data, validated against the kind's schema. */
export interface PerturbationSpec<K extends string = string, P = unknown> {
  readonly kind: K;
  readonly params: P;
}

export interface PerturbContext {
  readonly rng: Rng;
  readonly task: TaskDefinition;
  readonly cohort: CohortOptions;
}

export interface PerturbResult {
  readonly case: Case;
  readonly changes: Change[];
}

/** The implementation behind a perturbation kind. */
export interface PerturbationDefinition<P> {
  readonly family: Family;
  readonly params: z.ZodType<P>;
  /** Typical parameters: shown in docs and used by the property tests that run every kind. */
  readonly example: P;
  /** Short human description for docs and reports. */
  readonly describe: (params: P) => string;
  readonly expectation: (params: P) => Expectation;
  readonly truthEffect: TruthEffect;
  /**
   * Regenerates the patient from the generator (a population shift), which discards what earlier
   * perturbations of the arm did; the scenario schema therefore requires it to come first.
   */
  readonly regenerates?: boolean;
  /** Pure: returns a new case and never mutates its input. */
  readonly apply: (c: Case, params: P, ctx: PerturbContext) => PerturbResult;
}
