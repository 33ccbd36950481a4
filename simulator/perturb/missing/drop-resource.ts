import { z } from 'zod';
import type { FhirResource } from 'fhir/r4.js';
import { mapEntries } from '../../fhir/bundle-access.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { rateSchema, targetCodes } from './params.ts';

/** Resource types a clinical bundle carries (the tasks' and the usual context of an encounter). */
export const DROPPABLE_TYPES = [
  'AllergyIntolerance',
  'CarePlan',
  'CareTeam',
  'Condition',
  'Device',
  'DiagnosticReport',
  'DocumentReference',
  'Encounter',
  'FamilyMemberHistory',
  'Immunization',
  'Location',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationRequest',
  'MedicationStatement',
  'Observation',
  'Organization',
  'Patient',
  'Practitioner',
  'Procedure',
  'ServiceRequest',
  'Specimen',
] as const;
export type DroppableType = (typeof DROPPABLE_TYPES)[number];

export type MissingDropResourceParams = {
  /** Resource type(s) to drop; each decided on its own draw. */
  type: DroppableType | DroppableType[];
  /** Probability that a case loses a targeted type (default 1: every case). */
  rate?: number | undefined;
  /** Must be true to drop the Patient (a bundle without its subject); refused otherwise. */
  allowPatient?: boolean | undefined;
};

const ResourceType = z.enum(DROPPABLE_TYPES, {
  error: (iss) => `"${String(iss.input)}" is not a resource type this kind drops; use one of ${DROPPABLE_TYPES.join(', ')}`,
});

const MissingDropResourceParams = z
  .strictObject({
    type: z.union([ResourceType, z.array(ResourceType).min(1, 'give at least one resource type')], {
      error: `type must be a resource type or a non-empty list of them, e.g. "Condition"; types: ${DROPPABLE_TYPES.join(', ')}`,
    }),
    rate: rateSchema('rate').optional(),
    allowPatient: z.boolean({ error: 'allowPatient must be true or false' }).optional(),
  })
  .superRefine((p, ctx) => {
    if (targetCodes(p.type).includes('Patient') && p.allowPatient !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: 'dropping the Patient leaves a bundle without its subject (no age, sex or identity); set allowPatient: true to do it on purpose',
      });
    }
  });

/** The order being signed in a med-safety bundle: the question itself, never context to drop. */
function isDraftOrder(r: FhirResource): boolean {
  return r.resourceType === 'MedicationRequest' && r.status === 'draft';
}

/**
 * missing.dropResource: a whole resource type is missing from the record (a problem list that was
 * not sent, notes not interfaced, a medication list not reconciled). For each targeted type (one
 * uniform per type, in sorted order, always drawn) every resource of that type is removed with
 * probability `rate` (default 1). A MedicationRequest with status `draft` — the med-safety order
 * being asked about — is never dropped: it is the question, not its context (fuzz kinds malform
 * it). The Patient is dropped only with `allowPatient: true`. References to a dropped resource are
 * left dangling (a collection Bundle allows that). Provenance: per type present in the case,
 * `count(<Type>)` before → after (0 when dropped, unchanged when kept).
 */
export const missingDropResource: PerturbationDefinition<MissingDropResourceParams> = {
  family: 'missing',
  params: MissingDropResourceParams,
  example: { type: 'Condition' },
  describe: (p) => {
    const types = targetCodes(p.type);
    const rate = p.rate === undefined || p.rate === 1 ? 'every case' : `rate ${p.rate}${types.length > 1 ? ' each, independently' : ''}`;
    return `${types.join(', ')} resources dropped (${rate})`;
  },
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    const types = targetCodes(params.type);
    const rate = params.rate ?? 1;
    const dropped = new Map(types.map((t) => [t, ctx.rng() < rate]));
    const counts = new Map<string, number>();
    const bundle = mapEntries(c.bundle, (entry) => {
      const r = entry.resource;
      if (!r || !dropped.has(r.resourceType) || isDraftOrder(r)) return entry;
      counts.set(r.resourceType, (counts.get(r.resourceType) ?? 0) + 1);
      return dropped.get(r.resourceType) ? null : entry;
    });
    const changes: Change[] = [];
    let droppedAny = false;
    for (const t of types) {
      const n = counts.get(t);
      if (n === undefined) continue;
      const drop = dropped.get(t) === true;
      droppedAny ||= drop;
      changes.push({ path: `count(${t})`, before: n, after: drop ? 0 : n });
    }
    return { case: droppedAny ? { ...c, bundle } : c, changes };
  },
};
