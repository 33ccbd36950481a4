import { z } from 'zod';

/**
 * The CDS Hooks `order-sign` request the med-safety service reads (cds-hooks.hl7.org 2.0, "HTTP
 * Request"), and what it reads out of it: the draft orders, the patient's allergies, active
 * medications and latest labs. Resources are read defensively: a malformed one is skipped.
 *
 * Request shape:
 *
 * ```json
 * { "hook": "order-sign", "hookInstance": "<uuid>", "fhirServer": "https://…" (optional),
 *   "context": { "userId": "Practitioner/…", "patientId": "<id>", "encounterId": "<id>" (optional),
 *                "draftOrders": { "resourceType": "Bundle", "entry": [{ "resource": <MedicationRequest> }] } },
 *   "prefetch": { "<key>": <a FHIR resource> | <a Bundle, e.g. a searchset> | null, … } }
 * ```
 *
 * The service reads every resource of every prefetch value whatever its key (a Bundle's entries, or
 * the resource itself; a null value is "no data"), so a client may split or merge the keys of the
 * discovery's prefetch templates. `prefetch` itself is required: the service does not query
 * `fhirServer` (the request is answered 412 without it).
 */

export const CdsRequest = z.object({
  hook: z.string().min(1),
  hookInstance: z.string().min(1),
  fhirServer: z.string().optional(),
  fhirAuthorization: z.unknown().optional(),
  context: z.looseObject({
    userId: z.string().optional(),
    patientId: z.string().min(1),
    encounterId: z.string().optional(),
    draftOrders: z.looseObject({ resourceType: z.literal('Bundle'), entry: z.array(z.unknown()).optional() }),
  }),
  prefetch: z.record(z.string(), z.unknown()).optional(),
});
export type CdsRequest = z.infer<typeof CdsRequest>;

export type Resource = Record<string, unknown> & { resourceType: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isResource = (v: unknown): v is Resource => isRecord(v) && typeof v.resourceType === 'string';
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The resources of a Bundle's entries (a nested Bundle is read too, once). */
function entriesOf(bundle: Record<string, unknown>, depth = 0): Resource[] {
  const out: Resource[] = [];
  if (!Array.isArray(bundle.entry)) return out;
  for (const e of bundle.entry) {
    const r = isRecord(e) ? e.resource : undefined;
    if (!isResource(r)) continue;
    if (r.resourceType === 'Bundle') {
      if (depth === 0) out.push(...entriesOf(r, 1));
    } else out.push(r);
  }
  return out;
}

/** Every resource of the prefetch values: Bundles are opened, single resources taken as they are. */
export function prefetchResources(prefetch: Record<string, unknown>): Resource[] {
  const out: Resource[] = [];
  for (const value of Object.values(prefetch)) {
    if (Array.isArray(value)) out.push(...value.filter(isResource));
    else if (isResource(value)) {
      if (value.resourceType === 'Bundle') out.push(...entriesOf(value));
      else out.push(value);
    }
  }
  return out;
}

/** The MedicationRequests of `context.draftOrders` (the orders being signed). */
export function draftOrders(request: CdsRequest): Resource[] {
  return entriesOf(request.context.draftOrders).filter((r) => r.resourceType === 'MedicationRequest');
}

const codeOf = (concept: unknown): string | undefined =>
  isRecord(concept) && Array.isArray(concept.coding) ? concept.coding.map((c) => (isRecord(c) ? str(c.code) : undefined)).find((c) => c !== undefined) : undefined;

/** AllergyIntolerances that count: not inactive/resolved, not refuted/entered-in-error. */
export function activeAllergies(resources: readonly Resource[]): Resource[] {
  return resources.filter((r) => {
    if (r.resourceType !== 'AllergyIntolerance') return false;
    const clinical = codeOf(r.clinicalStatus);
    const verification = codeOf(r.verificationStatus);
    return clinical !== 'inactive' && clinical !== 'resolved' && verification !== 'refuted' && verification !== 'entered-in-error';
  });
}

/** Active MedicationRequests (status active, intent not `proposal`/`plan`) and MedicationStatements (status active). */
export function activeMedications(resources: readonly Resource[], drafts: readonly Resource[]): Resource[] {
  const draftIds = new Set(drafts.map((d) => str(d.id)).filter((id) => id !== undefined));
  return resources.filter((r) => {
    if (typeof r.id === 'string' && draftIds.has(r.id)) return false;
    if (r.resourceType === 'MedicationStatement') return r.status === 'active';
    if (r.resourceType === 'MedicationRequest') return r.status === 'active' && r.intent !== 'proposal' && r.intent !== 'plan';
    return false;
  });
}

/** The medication concept of a MedicationRequest or MedicationStatement (medicationReference is not followed). */
export function medicationConcept(r: Resource): unknown {
  return r.medicationCodeableConcept;
}

export interface LabValue {
  readonly value: number;
  readonly unit: string | undefined;
  readonly at: number;
}

const LOINC_SYSTEM = 'http://loinc.org';
const RESULTED = new Set(['final', 'amended', 'corrected']);

/** The latest resulted numeric Observation of each LOINC code (bundle order breaks ties). */
export function latestLabs(resources: readonly Resource[]): Map<string, LabValue> {
  const out = new Map<string, LabValue>();
  for (const r of resources) {
    if (r.resourceType !== 'Observation' || !RESULTED.has(str(r.status) ?? '')) continue;
    const q = r.valueQuantity;
    if (!isRecord(q) || typeof q.value !== 'number' || !Number.isFinite(q.value) || q.comparator !== undefined) continue;
    const t = Date.parse(str(r.effectiveDateTime) ?? str(r.issued) ?? '');
    const at = Number.isNaN(t) ? -Infinity : t;
    const codings = isRecord(r.code) && Array.isArray(r.code.coding) ? r.code.coding : [];
    for (const c of codings) {
      if (!isRecord(c) || c.system !== LOINC_SYSTEM || typeof c.code !== 'string') continue;
      const seen = out.get(c.code);
      if (seen && at < seen.at) continue;
      out.set(c.code, { value: q.value, unit: str(q.code) ?? str(q.unit), at });
    }
  }
  return out;
}
