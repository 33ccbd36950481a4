import { z } from 'zod';
import { TaskName } from './case.ts';
import { definitionOf, isPerturbationKind, registry, type PerturbationKind } from './perturb/registry.ts';
import type { ResolvedPerturbation } from './perturb/apply.ts';
import { isFairnessFigure, parseGate } from './metrics/gates.ts';
import { CHECK_NAMES } from './safety/checks.ts';
import { isLoadFigure, LoadSchema } from './load/index.ts';

const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-", starting with a letter or digit');

export { Target, type TargetInput } from './targets/index.ts';
import { Target } from './targets/index.ts';

const PerturbationEntry = z
  .object({
    kind: z.string({ error: 'kind is required: build perturbations with shift.*, missing.* from clinsim' }),
    params: z.unknown().refine((v) => v !== undefined, 'params is required, e.g. shift.age({ mean: 80, sd: 8 })'),
  })
  .superRefine((spec, ctx) => {
    if (!isPerturbationKind(spec.kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: `unknown perturbation "${spec.kind}"; known: ${Object.keys(registry).join(', ')}`,
      });
      return;
    }
    if (spec.params === undefined) return;
    const parsed = definitionOf(spec.kind).params.safeParse(spec.params);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['params', ...issue.path], message: issue.message });
      }
    }
  })
  .transform((spec): ResolvedPerturbation => {
    const kind = spec.kind as PerturbationKind;
    return { kind, params: definitionOf(kind).params.parse(spec.params) as Record<string, unknown> };
  });

/** A perturbation that regenerates the patient would discard the ones before it. */
function regeneratingFirst(arm: ResolvedPerturbation[], ctx: z.RefinementCtx): void {
  arm.forEach((p, position) => {
    if (position > 0 && definitionOf(p.kind).regenerates) {
      ctx.addIssue({
        code: 'custom',
        path: [position, 'kind'],
        message: `${p.kind} regenerates the patient, which would discard the perturbations before it; put it first in the arm`,
      });
    }
  });
}

const Gates = z.record(z.string(), z.string()).superRefine((gates, ctx) => {
  for (const [key, expression] of Object.entries(gates)) {
    const problem = parseGate(key, expression, CHECK_NAMES).error;
    if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  }
});

/**
 * Generated (`size`, `seed`, `prevalence`) or imported from FHIR data on disk (`source`; `size`
 * then caps how many patients are read). The seed drives the perturbations either way.
 */
const Cohort = z
  .strictObject({
    size: z.number().int().positive().max(10_000_000).optional(),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    prevalence: z.number().gt(0).lt(1).optional(),
    source: z
      .strictObject({
        /** A folder or file of FHIR Bulk Data NDJSON or Bundles; relative to the scenario file. */
        path: z.string().min(1),
        scope: z.enum(['patient', 'latest-encounter']).default('latest-encounter'),
      })
      .optional(),
  })
  .superRefine((cohort, ctx) => {
    if (!cohort.source && cohort.size === undefined) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'size is required for a generated cohort (or give a source)' });
    }
    if (cohort.source && cohort.prevalence !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['prevalence'], message: 'prevalence applies to generated cohorts, not to imported data' });
    }
  });

export const Scenario = z.strictObject({
  name: Name,
  task: TaskName,
  description: z.string().optional(),
  cohort: Cohort,
  /** Omitted: the bundled reference model for the task. */
  target: Target.optional(),
  /** Decision threshold on the score; the task's default when omitted. */
  threshold: z.number().gt(0).lt(1).optional(),
  repeats: z.number().int().positive().max(100).default(1),
  arms: z
    .record(z.string(), z.array(PerturbationEntry).superRefine(regeneratingFirst))
    .superRefine((arms, ctx) => {
      if (Object.keys(arms).length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one arm' });
      for (const name of Object.keys(arms)) {
        if (!Name.safeParse(name).success) {
          ctx.addIssue({ code: 'custom', path: [name], message: `arm name "${name}": use letters, digits, ".", "_" or "-", starting with a letter or digit` });
        }
      }
    }),
  /** Load phases (docs/load.md): one phase or a list; `background: true` phases run during the arms. */
  load: LoadSchema.optional(),
  gates: Gates.default({}),
}).superRefine((scenario, ctx) => {
  const arms = Object.keys(scenario.arms);
  if (scenario.cohort.source) {
    for (const [arm, perturbations] of Object.entries(scenario.arms)) {
      perturbations.forEach((p, position) => {
        if (definitionOf(p.kind).regenerates) {
          ctx.addIssue({ code: 'custom', path: ['arms', arm, position, 'kind'], message: `${p.kind} regenerates patients from the generator, which an imported cohort does not have` });
        }
      });
    }
  }
  const phases = (scenario.load ?? []).map((p) => p.name);
  for (const [key, expression] of Object.entries(scenario.gates)) {
    const gate = parseGate(key, expression, CHECK_NAMES).gate;
    // Fairness figures take a subgroup attribute, which parseGate has already checked.
    if (!gate || isFairnessFigure(gate.figure)) continue;
    const load = isLoadFigure(gate.figure);
    if (load && phases.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['gates', key], message: `gate "${key}" reads a load figure, but the scenario has no load phases` });
    }
    const names = load ? phases : arms;
    if (gate.selector !== '*' && !names.includes(gate.selector)) {
      const what = load ? 'load phase' : 'arm';
      ctx.addIssue({ code: 'custom', path: ['gates', key], message: `gate "${key}" names ${what} "${gate.selector}", which the scenario does not have (${what}s: ${names.join(', ')})` });
    }
  }
});

/** A validated scenario, with perturbations resolved and defaults filled in. */
export type Scenario = z.infer<typeof Scenario>;
/** What an author writes. */
export type ScenarioInput = z.input<typeof Scenario>;

/** Identity function that gives a scenario file its types; the CLI validates with `Scenario`. */
export function defineScenario<const S extends ScenarioInput>(scenario: S): S {
  return scenario;
}
