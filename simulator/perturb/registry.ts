import type { PerturbationDefinition } from './perturbation.ts';
import { missingKinds } from './missing/index.ts';
import { shiftKinds } from './shift/index.ts';
import { notesKinds } from './notes/index.ts';
import { fuzzKinds } from './fuzz/index.ts';

/**
 * Every perturbation kind and its implementation, gathered from the family folders. The key is the
 * public name used in scenarios, provenance and reports (`<family>.<name>`); `families.ts` builds
 * the author-facing constructors from it, so a kind added here is usable at once.
 */
export const registry = {
  ...shiftKinds,
  ...missingKinds,
  ...notesKinds,
  ...fuzzKinds,
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
