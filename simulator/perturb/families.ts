import type { Family, PerturbationSpec } from './perturbation.ts';
import { registry, type ParamsOf, type PerturbationKind } from './registry.ts';

/** The constructors of one family: `shift.age(params)` builds the spec of kind 'shift.age'. */
export type FamilyConstructors<F extends Family> = {
  [K in PerturbationKind as K extends `${F}.${infer Name}` ? Name : never]: (params: ParamsOf<K>) => PerturbationSpec<K, ParamsOf<K>>;
};

function family<F extends Family>(name: F): FamilyConstructors<F> {
  const constructors: Record<string, (params: unknown) => PerturbationSpec> = {};
  for (const kind of Object.keys(registry)) {
    if (kind.startsWith(`${name}.`)) constructors[kind.slice(name.length + 1)] = (params) => ({ kind, params });
  }
  return constructors as FamilyConstructors<F>;
}

/** Distribution shift: the population, units or codes change; see docs/perturbations.md. */
export const shift = family('shift');
/** Missingness: data a model expects is absent. */
export const missing = family('missing');
/** Adversarial clinical text: injections, negations, typos, PHI bait, markup… */
export const notes = family('notes');
/** Malformed input: invalid codes, impossible values, wrong types, empty or duplicate resources. */
export const fuzz = family('fuzz');
