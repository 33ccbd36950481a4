import type { PerturbationSpec } from './perturbation.ts';
import type { ParamsOf, PerturbationKind } from './registry.ts';

function spec<K extends PerturbationKind>(kind: K) {
  return (params: ParamsOf<K>): PerturbationSpec<K, ParamsOf<K>> => ({ kind, params });
}

/** Distribution shift: the population, units or codes change; see docs/perturbations.md. */
export const shift = {
  age: spec('shift.age'),
  units: spec('shift.units'),
};

/** Missingness: data a model expects is absent. */
export const missing = {
  mcar: spec('missing.mcar'),
};
