import { z } from 'zod';
import type { Bundle, BundleEntry } from 'fhir/r4.js';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { entriesOf, indexOf, isObject, looselyEdited, withEntries, withLooseField, type LooseObject } from './loose.ts';

/**
 * fuzz.wrongTypes: values of the wrong JSON type, so that the bundle fails the FHIR R4 JSON schema
 * on purpose (the runner sends it as it is). Four kinds, each applied once to a target drawn among
 * the candidates of the case:
 * - 'number-as-string': an Observation's `valueQuantity.value` 112 → "112";
 * - 'date-as-number': a date or dateTime (`birthDate`, `effectiveDateTime`, `authoredOn`,
 *   `recordedDate`, `onsetDateTime`, `date`) → a number (a date `1950-06-01` → 19500601, a dateTime →
 *   epoch milliseconds); `Bundle.timestamp` when no resource has one;
 * - 'object-as-array': an element FHIR has as one object (`code`, `subject`, `valueQuantity`,
 *   `class`) wrapped in an array. The official JSON schema does not catch this one (its complex
 *   type definitions have no `"type": "object"`, so an array passes them); FHIR parsers and
 *   Medplum's structure validator (`simulator/fhir/profile.ts`) report "Expected single value";
 * - 'array-as-object': an array of objects (`name`, `identifier`, `category`, `content`,
 *   `telecom`, `address`, `extension`) replaced by its first item.
 * A kind with no target in the case (e.g. no Observation with a value) is skipped. The edited
 * resources are deep copies edited through an untyped view (`looselyEdited`): the result still has
 * the static type Bundle but is not one; every other entry is shared.
 *
 * Degrading, truth preserved: the endpoint should answer with a clean validation error.
 */

export const WRONG_TYPE_KINDS = ['number-as-string', 'date-as-number', 'object-as-array', 'array-as-object'] as const;
export type WrongTypeKind = (typeof WRONG_TYPE_KINDS)[number];

export type FuzzWrongTypesParams = {
  /** Which kinds to apply (default all four). */
  kinds?: WrongTypeKind[];
};

const FuzzWrongTypesParams = z.strictObject({
  kinds: z
    .array(z.enum(WRONG_TYPE_KINDS, { error: `must be one of ${WRONG_TYPE_KINDS.join(', ')}` }))
    .min(1, 'give at least one kind')
    .optional(),
});

const DATE_KEYS = ['birthDate', 'effectiveDateTime', 'authoredOn', 'recordedDate', 'onsetDateTime', 'date'] as const;
const OBJECT_KEYS = ['code', 'subject', 'valueQuantity', 'class'] as const;
const ARRAY_KEYS = ['name', 'identifier', 'category', 'content', 'telecom', 'address', 'extension'] as const;

interface Target {
  /** Entry index. */
  readonly index: number;
  readonly key: string;
}

/** Candidate targets of a kind in entry order (then key order). */
function candidates(entries: readonly BundleEntry[], kind: WrongTypeKind): Target[] {
  const out: Target[] = [];
  entries.forEach((entry, index) => {
    const r = (isObject(entry as unknown) ? entry.resource : undefined) as LooseObject | undefined;
    if (!isObject(r)) return;
    if (kind === 'number-as-string') {
      if (r.resourceType === 'Observation' && isObject(r.valueQuantity) && typeof r.valueQuantity.value === 'number') out.push({ index, key: 'valueQuantity.value' });
    } else if (kind === 'date-as-number') {
      for (const key of DATE_KEYS) if (typeof r[key] === 'string' && !Number.isNaN(Date.parse(r[key]))) out.push({ index, key });
    } else if (kind === 'object-as-array') {
      for (const key of OBJECT_KEYS) if (isObject(r[key])) out.push({ index, key });
    } else {
      for (const key of ARRAY_KEYS) {
        const items = r[key];
        if (Array.isArray(items) && isObject(items[0])) out.push({ index, key });
      }
    }
  });
  return out;
}

/** "1950-06-01" → 19500601; a dateTime → epoch milliseconds. */
export function dateAsNumber(s: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? Number(s.replaceAll('-', '')) : Date.parse(s);
}

const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

export const fuzzWrongTypes: PerturbationDefinition<FuzzWrongTypesParams> = {
  family: 'fuzz',
  params: FuzzWrongTypesParams,
  example: {},
  describe: (p) => `values of the wrong JSON type (${(p.kinds ?? WRONG_TYPE_KINDS).join(', ')}); the bundle is not valid FHIR`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: one uniform per kind in WRONG_TYPE_KINDS order (four), whether or not the kind is asked for.
    const draws = WRONG_TYPE_KINDS.map(() => ctx.rng());
    const wanted = new Set(params.kinds ?? WRONG_TYPE_KINDS);
    const entries = entriesOf(c.bundle);
    const edits = new Map<number, ((r: LooseObject) => void)[]>();
    const changes: Change[] = [];
    let timestamp: number | undefined;

    WRONG_TYPE_KINDS.forEach((kind, k) => {
      if (!wanted.has(kind)) return;
      const options = candidates(entries, kind);
      if (options.length === 0) {
        if (kind === 'date-as-number' && typeof c.bundle.timestamp === 'string' && !Number.isNaN(Date.parse(c.bundle.timestamp))) {
          timestamp = Date.parse(c.bundle.timestamp);
          changes.push({ path: 'Bundle.timestamp', before: c.bundle.timestamp, after: timestamp });
        }
        return;
      }
      const { index, key } = options[indexOf(draws[k]!, options.length)]!;
      const path = `Bundle.entry[${index}].resource.${key}`;
      const list = edits.get(index) ?? [];
      edits.set(index, list);
      const original = entries[index]!.resource as unknown as LooseObject;
      if (kind === 'number-as-string') {
        const value = (original.valueQuantity as LooseObject).value as number;
        list.push((r) => ((r.valueQuantity as LooseObject).value = String(value)));
        changes.push({ path, before: value, after: String(value) });
      } else if (kind === 'date-as-number') {
        const value = original[key] as string;
        list.push((r) => (r[key] = dateAsNumber(value)));
        changes.push({ path, before: value, after: dateAsNumber(value) });
      } else if (kind === 'object-as-array') {
        list.push((r) => (r[key] = [r[key]]));
        changes.push({ path, before: jsonType(original[key]), after: 'array' });
      } else {
        list.push((r) => (r[key] = (r[key] as unknown[])[0]));
        changes.push({ path, before: 'array', after: jsonType((original[key] as unknown[])[0]) });
      }
    });

    if (changes.length === 0) return { case: c, changes };
    const next = entries.map((entry, i): BundleEntry => {
      const list = edits.get(i);
      if (!list) return entry;
      return { ...entry, resource: looselyEdited(entry.resource!, (r) => list.forEach((edit) => edit(r))) };
    });
    const bundle: Bundle = withEntries(c, next).bundle;
    return { case: { ...c, bundle: timestamp === undefined ? bundle : withLooseField(bundle, 'timestamp', timestamp) }, changes };
  },
};
