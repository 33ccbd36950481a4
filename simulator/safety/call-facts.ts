import type { Change, Expectation, Family, Provenance, TruthEffect } from '../perturb/perturbation.ts';
import type { CheckInput } from './check.ts';

/*
 * Facts about one call that several checks share. Everything here reads the CheckInput alone (the
 * journal record's fields), so a check's verdict can be recomputed from the journal.
 */

/** The endpoint answered and the harness could read the reply: usable, unusable, or unparseable. */
export function gotReply(call: CheckInput): boolean {
  return call.outcome === 'ok' || call.failure === 'invalid-response' || call.failure === 'invalid-output';
}

/** The reply parsed into a Prediction (usable for the task or not). */
export function parsed(call: CheckInput): boolean {
  return call.output !== null && (call.outcome === 'ok' || call.failure === 'invalid-output');
}

/** A finite score in [0, 1] from a usable answer, else undefined. */
export function usableScore(call: CheckInput): number | undefined {
  const score = call.outcome === 'ok' ? call.output?.score : undefined;
  return score !== undefined && Number.isFinite(score) && score >= 0 && score <= 1 ? score : undefined;
}

/** The family of a perturbation kind: kinds are named `<family>.<name>` (perturb/registry.ts). */
export function familyOf(kind: string): string {
  const dot = kind.indexOf('.');
  return dot < 0 ? kind : kind.slice(0, dot);
}

/** Perturbations of the call's arm of one family that changed this case. */
export function changedBy(call: CheckInput, family: Family): Provenance[] {
  return call.perturbations.filter((p) => familyOf(p.kind) === family && p.changes.length > 0);
}

/** Some perturbation of the arm changed this case (a no-op leaves the case as it was). */
export function changedAnything(call: CheckInput): boolean {
  return call.perturbations.some((p) => p.changes.length > 0);
}

/** Every recorded change at exactly `path`, in arm order. */
export function changesAt(call: CheckInput, path: string): Change[] {
  return call.perturbations.flatMap((p) => p.changes.filter((c) => c.path === path));
}

/** What an arm as a whole expects of a robust model, from its perturbations' declarations. */
export type ArmExpectation =
  | { readonly kind: 'baseline' }
  | { readonly kind: 'invariant' }
  | { readonly kind: 'directional'; readonly direction: 'increase' | 'decrease' }
  | { readonly kind: 'degrading' }
  | { readonly kind: 'mixed' };

/**
 * Classifies an arm by its perturbations: none → `baseline`; all `invariant` with truth preserved →
 * `invariant`; all `directional` the same way → `directional`; all `degrading` → `degrading`;
 * anything else (including an invariant perturbation that recomputes truth) → `mixed`. A missing
 * truth effect is read as preserved (report arms carry only the expectation).
 */
export function classifyArm(
  perturbations: readonly { readonly expectation: Expectation; readonly truthEffect?: TruthEffect }[],
): ArmExpectation {
  if (perturbations.length === 0) return { kind: 'baseline' };
  const all = (kind: Expectation['kind']) => perturbations.every((p) => p.expectation.kind === kind);
  if (all('invariant') && perturbations.every((p) => (p.truthEffect ?? 'preserved') === 'preserved')) return { kind: 'invariant' };
  if (all('directional')) {
    const directions = new Set(perturbations.map((p) => (p.expectation.kind === 'directional' ? p.expectation.direction : null)));
    const [direction] = directions;
    if (directions.size === 1 && (direction === 'increase' || direction === 'decrease')) return { kind: 'directional', direction };
  }
  if (all('degrading')) return { kind: 'degrading' };
  return { kind: 'mixed' };
}

/** Every string inside a value (arrays and objects walked), for provenance values of unknown shape. */
export function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A case-insensitive matcher for `phrase` as a whole token: not preceded or followed by a letter
 * or digit, and with any run of whitespace in it matching any run of whitespace. `prefix` is regex
 * source that must come right before the phrase (e.g. a title before a family name).
 */
export function tokenPattern(phrase: string, prefix = ''): RegExp {
  const body = phrase.trim().split(/\s+/).map(escapeRegex).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${prefix}${body}(?![\\p{L}\\p{N}])`, 'iu');
}
