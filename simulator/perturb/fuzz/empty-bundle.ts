import { z } from 'zod';
import type { PerturbationDefinition } from '../perturbation.ts';
import { entriesOf } from './loose.ts';

/**
 * fuzz.emptyBundle: a bundle with no resources — `entry: []` (default), or no `entry` element at
 * all (`form: 'no-entry'`). The bundle shell (resourceType, id, type, timestamp) is kept. There is
 * no patient to score: the endpoint should answer with a clean error (or an explicit "cannot
 * assess"), never a score. FHIR JSON forbids empty arrays, so `entry: []` is not valid FHIR on
 * purpose; `no-entry` is a valid, empty collection.
 *
 * Degrading, truth preserved (the truth is still the generated patient's; the answer is measured
 * against it). No draws.
 */

export const EMPTY_FORMS = ['empty-array', 'no-entry'] as const;
export type EmptyForm = (typeof EMPTY_FORMS)[number];

export type FuzzEmptyBundleParams = {
  /** `entry: []` ('empty-array', default) or no entry element ('no-entry'). */
  form?: EmptyForm;
};

const FuzzEmptyBundleParams = z.strictObject({
  form: z.enum(EMPTY_FORMS, { error: `must be one of ${EMPTY_FORMS.join(', ')}` }).optional(),
});

export const fuzzEmptyBundle: PerturbationDefinition<FuzzEmptyBundleParams> = {
  family: 'fuzz',
  params: FuzzEmptyBundleParams,
  example: {},
  describe: (p) => ((p.form ?? 'empty-array') === 'no-entry' ? 'bundle without entries (no entry element)' : 'bundle with an empty entry array'),
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params) {
    const count = entriesOf(c.bundle).length;
    const { entry: _dropped, ...shell } = c.bundle;
    const noEntry = (params.form ?? 'empty-array') === 'no-entry';
    return {
      case: { ...c, bundle: noEntry ? shell : { ...shell, entry: [] } },
      changes: [{ path: 'Bundle.entry', before: { entries: count }, after: noEntry ? null : { entries: 0 } }],
    };
  },
};
