import type { Case } from '../case.ts';
import type { CohortOptions, TaskDefinition } from '../cohort/task.ts';
import { perturbationStream } from '../random.ts';
import type { Provenance } from './perturbation.ts';
import { definitionOf, type PerturbationKind } from './registry.ts';

/** A perturbation of an arm after validation: its kind and parsed parameters. */
export interface ResolvedPerturbation {
  readonly kind: PerturbationKind;
  readonly params: Record<string, unknown>;
}

export interface PerturbedCase {
  readonly case: Case;
  /** One entry per perturbation, in the order they were applied. */
  readonly provenance: Provenance[];
}

/**
 * Applies an arm's perturbations in order. Perturbation number p of arm `arm` on patient i draws
 * from the stream (seed, arm, p, i) alone, so the result does not depend on other arms or cases.
 */
export function applyArm(
  base: Case,
  arm: string,
  perturbations: readonly ResolvedPerturbation[],
  task: TaskDefinition,
  cohort: CohortOptions,
): PerturbedCase {
  let current = base;
  const provenance: Provenance[] = [];
  perturbations.forEach((p, position) => {
    const def = definitionOf(p.kind);
    const rng = perturbationStream(cohort.seed, arm, position, base.index);
    const result = def.apply(current, p.params, { rng, task, cohort });
    current = result.case;
    provenance.push({
      kind: p.kind,
      params: p.params,
      expectation: def.expectation(p.params),
      truthEffect: def.truthEffect,
      changes: result.changes,
    });
  });
  return { case: current, provenance };
}
