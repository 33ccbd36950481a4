import type { PerturbationDefinition } from './perturbation.ts';
import { shiftAge } from './shift-age.ts';
import { shiftUnits } from './shift-units.ts';
import { missingMcar } from './missing-mcar.ts';

/**
 * Every perturbation kind and its implementation. The key is the public name used in scenarios,
 * provenance and reports; `families.ts` builds the author-facing constructors from it.
 */
export const registry = {
  'shift.age': shiftAge,
  'shift.units': shiftUnits,
  'missing.mcar': missingMcar,
} as const;

export type PerturbationKind = keyof typeof registry;
export type ParamsOf<K extends PerturbationKind> =
  (typeof registry)[K] extends PerturbationDefinition<infer P> ? P : never;

export function isPerturbationKind(kind: string): kind is PerturbationKind {
  return Object.hasOwn(registry, kind);
}

/** Widened view of a definition, for code that handles any kind uniformly. */
export function definitionOf(kind: PerturbationKind): PerturbationDefinition<unknown> {
  return registry[kind] as PerturbationDefinition<unknown>;
}
