import type { Bundle, BundleEntry } from 'fhir/r4.js';
import type { Case } from '../../case.ts';
import type { Rng } from '../../random.ts';
import { stream } from '../../random.ts';

/**
 * Helpers of the `fuzz.*` kinds. Fuzz outputs may violate FHIR on purpose (wrong JSON types,
 * invalid codes, duplicate ids, impossible values, an empty bundle) and the runner sends them to
 * the endpoint as they are: the test is that the endpoint answers with a clean error instead of
 * crashing or answering as if the data were sound.
 */

/** A JSON object seen without FHIR typing, for edits that break the FHIR types on purpose. */
export type LooseObject = Record<string, unknown>;

export const isObject = (v: unknown): v is LooseObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A deep copy of `value` edited through an untyped view. The result is returned under the input's
 * static type although it may not conform to it: only fuzz kinds use this, to build inputs that are
 * schema-invalid on purpose (a string where FHIR has a number, an array where it has an object…).
 * Code downstream of a fuzz perturbation must not trust the static type of the bundle; readers of
 * the harness (table, group, checks) already read bundles defensively.
 */
export function looselyEdited<T extends object>(value: T, edit: (draft: LooseObject) => void): T {
  const draft = structuredClone(value) as unknown as LooseObject;
  edit(draft);
  return draft as unknown as T;
}

/** A shallow copy of `value` with `key` set to `v`, whatever its type (same caveat as `looselyEdited`). */
export function withLooseField<T extends object>(value: T, key: string, v: unknown): T {
  return { ...(value as object), [key]: v } as T;
}

/** The entries of a bundle as an array, whatever the bundle holds (a malformed one may have none). */
export function entriesOf(bundle: Bundle): BundleEntry[] {
  return Array.isArray(bundle.entry) ? bundle.entry : [];
}

/** The case with its entries replaced; every entry not replaced is shared. */
export function withEntries(c: Case, entry: BundleEntry[]): Case {
  return { ...c, bundle: { ...c.bundle, entry } };
}

/** A sub-stream for draws whose number depends on the bundle: one int32 from `rng`. */
export function fuzzSubStream(rng: Rng, kind: string): Rng {
  return stream('fuzz-sub', kind, rng.int32());
}

/** Eight lower-case hex digits from one int32 draw. */
export function hex8(rng: Rng): string {
  return (rng.int32() >>> 0).toString(16).padStart(8, '0');
}

export function indexOf(u: number, n: number): number {
  return Math.min(n - 1, Math.floor(u * n));
}
