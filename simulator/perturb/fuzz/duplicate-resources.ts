import { z } from 'zod';
import type { BundleEntry } from 'fhir/r4.js';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { entriesOf, indexOf, isObject, withEntries } from './loose.ts';

/**
 * fuzz.duplicateResources: entries duplicated with the same `fullUrl` and resource `id`, each copy
 * right after its original. `count` distinct entries (default 1; all when the case has fewer) are
 * drawn among those of `resourceType` (any type when omitted). The copies are deep copies with
 * identical content, so the data say the same thing twice; but a bundle must not hold two entries
 * with the same fullUrl (FHIR invariant bdl-7), which the JSON schema does not check: the bundle
 * passes the schema and breaks the invariant.
 *
 * Degrading, truth preserved: the endpoint should reject the bundle or de-duplicate it, not crash
 * or count a measurement twice.
 */

export const MAX_DUPLICATES = 1000;

export type FuzzDuplicateResourcesParams = {
  /** How many distinct entries to duplicate (1–1000, default 1). */
  count?: number;
  /** Only entries of this resource type (e.g. "Observation"). */
  resourceType?: string;
};

const FuzzDuplicateResourcesParams = z.strictObject({
  count: z.int({ error: 'must be a whole number' }).min(1, 'must be at least 1').max(MAX_DUPLICATES, `must be at most ${MAX_DUPLICATES}`).optional(),
  resourceType: z.string({ error: 'must be a FHIR resource type, e.g. "Observation"' }).regex(/^[A-Z][A-Za-z]+$/, 'must be a FHIR resource type, e.g. "Observation"').optional(),
});

export const fuzzDuplicateResources: PerturbationDefinition<FuzzDuplicateResourcesParams> = {
  family: 'fuzz',
  params: FuzzDuplicateResourcesParams,
  example: { count: 2 },
  describe: (p) => `${p.count ?? 1} ${p.resourceType ?? 'resource'} entr${(p.count ?? 1) === 1 ? 'y' : 'ies'} duplicated with the same ids`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: `count` uniforms (a partial Fisher–Yates shuffle of the candidates), always.
    const count = params.count ?? 1;
    const draws = Array.from({ length: count }, () => ctx.rng());
    const entries = entriesOf(c.bundle);
    const pool: number[] = [];
    entries.forEach((e, i) => {
      const r = isObject(e as unknown) ? e.resource : undefined;
      if (isObject(r) && (params.resourceType === undefined || r.resourceType === params.resourceType)) pool.push(i);
    });
    const chosen = new Set<number>();
    for (let k = 0; k < Math.min(count, pool.length); k++) {
      const j = k + indexOf(draws[k]!, pool.length - k);
      [pool[k], pool[j]] = [pool[j]!, pool[k]!];
      chosen.add(pool[k]!);
    }
    if (chosen.size === 0) return { case: c, changes: [] };
    const next: BundleEntry[] = [];
    const changes: Change[] = [];
    entries.forEach((entry, i) => {
      next.push(entry);
      if (!chosen.has(i)) return;
      next.push(structuredClone(entry));
      changes.push({
        path: `Bundle.entry[${next.length - 1}]`,
        before: null,
        after: { duplicateOf: `Bundle.entry[${i}]`, resourceType: entry.resource?.resourceType, id: entry.resource?.id, fullUrl: entry.fullUrl },
      });
    });
    return { case: withEntries(c, next), changes };
  },
};
