/**
 * Property tests over every perturbation kind in the registry (kinds added later are covered
 * automatically) and every task the kind applies to, with the kind's `example` parameters:
 *
 * (a) invariant perturbations (expectation `invariant`, truth `preserved`) never change the truth,
 *     and more generally no kind declaring truth `preserved` changes it;
 * (b) determinism per (seed, arm, case): the same inputs give deep-equal cases and provenance;
 * (c) purity: the input case, deep-frozen, is unchanged;
 * (e) provenance is complete: a perturbation that records no change returns the case unchanged.
 *
 * A kind applies to every task unless its definition lists `tasks` (an optional field a kind may
 * declare when it only makes sense for some tasks). Runs are moderate (numRuns 50 per property);
 * set FC_SEED to replay a failure with the seed fast-check prints.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskName, type Case } from '../../simulator/case.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { CohortOptions } from '../../simulator/cohort/task.ts';
import { applyArm, type ResolvedPerturbation } from '../../simulator/perturb/apply.ts';
import { definitionOf, registry, type PerturbationKind } from '../../simulator/perturb/registry.ts';

const NUM_RUNS = 50;
const fcOptions = { numRuns: NUM_RUNS, ...(process.env['FC_SEED'] ? { seed: Number(process.env['FC_SEED']) } : {}) };

/** Recursively freezes everything reachable, including inside objects that are already frozen. */
function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  Object.freeze(value);
  return value;
}

const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const caseIndices = fc.nat({ max: 5_000 });
const armNames = fc.oneof(fc.constantFrom('baseline', 'arm', 'lactate-mg-dl'), fc.string({ minLength: 1, maxLength: 24 }));

function tasksFor(kind: PerturbationKind): readonly TaskName[] {
  const declared = (definitionOf(kind) as { tasks?: readonly TaskName[] }).tasks;
  return declared ?? TaskName.options;
}

/** The example parameters as a scenario would resolve them (parsed by the kind's schema). */
function resolved(kind: PerturbationKind): ResolvedPerturbation {
  const def = definitionOf(kind);
  return { kind, params: def.params.parse(def.example) as Record<string, unknown> };
}

function base(task: TaskName, seed: number, index: number): { c: Case; cohort: CohortOptions } {
  const cohort: CohortOptions = { seed };
  return { c: tasks[task].generate(cohort, index), cohort };
}

const KINDS = Object.keys(registry) as PerturbationKind[];

describe('perturbation properties', () => {
  it('covers every registered kind, each with example parameters its schema accepts', () => {
    expect(KINDS.length).toBeGreaterThan(0);
    for (const kind of KINDS) expect(definitionOf(kind).params.safeParse(definitionOf(kind).example).success, kind).toBe(true);
  });

  describe.each(KINDS)('%s', (kind) => {
    const def = definitionOf(kind);
    const spec = resolved(kind);
    const expectation = def.expectation(spec.params);

    describe.each([...tasksFor(kind)])('on %s', (task) => {
      const taskDef = tasks[task];

      // Kinds that recompute the truth (population shifts, negation) are exempt by definition.
      if (def.truthEffect === 'preserved') it(
        `(a) never changes the truth (${expectation.kind}, truth preserved)`,
        () => {
          fc.assert(
            fc.property(seeds, caseIndices, armNames, (seed, index, arm) => {
              const { c, cohort } = base(task, seed, index);
              const before = structuredClone(c.truth);
              const out = applyArm(c, arm, [spec], taskDef, cohort);
              expect(out.case.truth).toEqual(before);
            }),
            fcOptions,
          );
        },
      );

      it('(b) is deterministic per (seed, arm, case)', () => {
        fc.assert(
          fc.property(seeds, caseIndices, armNames, (seed, index, arm) => {
            const one = base(task, seed, index);
            const two = base(task, seed, index);
            const a = applyArm(one.c, arm, [spec], taskDef, one.cohort);
            const b = applyArm(two.c, arm, [spec], taskDef, two.cohort);
            const again = applyArm(one.c, arm, [spec], taskDef, one.cohort);
            expect(b).toEqual(a);
            expect(again).toEqual(a);
            expect(a.provenance).toEqual([{ kind, params: spec.params, expectation, truthEffect: def.truthEffect, changes: a.provenance[0]!.changes }]);
          }),
          fcOptions,
        );
      });

      it('(c) is pure: a deep-frozen input case is left unchanged', () => {
        fc.assert(
          fc.property(seeds, caseIndices, armNames, (seed, index, arm) => {
            const { c, cohort } = base(task, seed, index);
            const snapshot = structuredClone(c);
            deepFreeze(c);
            // A write to the frozen input throws (ESM is strict mode).
            applyArm(c, arm, [spec], taskDef, cohort);
            expect(c).toEqual(snapshot);
          }),
          fcOptions,
        );
      });

      it('(e) records every change: no recorded change means the case is unchanged', () => {
        fc.assert(
          fc.property(seeds, caseIndices, armNames, (seed, index, arm) => {
            const { c, cohort } = base(task, seed, index);
            const out = applyArm(c, arm, [spec], taskDef, cohort);
            if (out.provenance[0]!.changes.length === 0) expect(out.case).toEqual(c);
          }),
          fcOptions,
        );
      });
    });
  });
});
