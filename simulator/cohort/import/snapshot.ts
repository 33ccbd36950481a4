import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4.js';
import type { Case, TaskName } from '../../case.ts';
import { parseLiteralReference } from '../../fhir/references.ts';
import { deidentifyPatientResources, pseudonymize } from './pseudonymize.ts';

/**
 * One imported patient → one clinsim Case: the patient's resources in a `collection` Bundle,
 * pseudonymized, with `timestamp` = the prediction time and an empty truth.
 *
 * Scope (what goes in the bundle):
 * - `patient` (default): every resource of the patient, in input order, the Patient first.
 * - `latest-encounter`: an encounter snapshot — the Patient, the latest Encounter (by period.start,
 *   else period.end; among equal times the later in the input), the resources that reference it
 *   (`encounter`, or DocumentReference `context.encounter`), and, dated no later than that
 *   encounter's data (or undated), the patient's standing context: Conditions whose clinicalStatus
 *   is active / recurrence / relapse, active MedicationRequests, AllergyIntolerances and
 *   resources with no encounter link at all (e.g. Device). A patient without an Encounter gets the
 *   `patient` scope. References from carried-over resources to earlier encounters are kept as they
 *   are and do not resolve inside the snapshot.
 *
 * Prediction time (`Bundle.timestamp`): the latest clinically relevant time among the bundle's
 * resources other than the Patient (see `resourceTimes`), as a UTC instant; absent when no resource
 * has one (the tabular view then has no age).
 *
 * Entries get `fullUrl` = `urn:uuid:<id>` when the resource id is a uuid (so both `urn:uuid:`
 * references, as in clinsim's own exports, and `Type/id` references resolve), the input bundle's
 * fullUrl (pseudonymized) for Bundle input, else none.
 */

export type ImportScope = 'patient' | 'latest-encounter';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Point-in-time elements: dateTime / instant fields of clinical resources. */
const TIME_FIELDS = [
  'effectiveDateTime',
  'effectiveInstant',
  'issued',
  'recordedDate',
  'onsetDateTime',
  'abatementDateTime',
  'performedDateTime',
  'authoredOn',
  'occurrenceDateTime',
  'date',
  'created',
  'lastOccurrence',
  'whenHandedOver',
  'dateAsserted',
] as const;

/** Period elements (end, else start). */
const PERIOD_FIELDS = ['effectivePeriod', 'period', 'performedPeriod', 'onsetPeriod', 'abatementPeriod', 'occurrencePeriod', 'billablePeriod'] as const;

/** Resource types whose dates are not clinical events of the patient (never set the prediction time). */
const TIMELESS = new Set(['Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Device', 'Medication', 'Group']);

/** Clinically relevant times of a resource (epoch ms), from the fields above and DocumentReference.context.period. */
export function resourceTimes(r: Json): number[] {
  if (typeof r.resourceType !== 'string' || TIMELESS.has(r.resourceType)) return [];
  const out: number[] = [];
  const push = (t: number | undefined): void => {
    if (t !== undefined) out.push(t);
  };
  for (const f of TIME_FIELDS) push(timeOf(r[f]));
  const periods = [...PERIOD_FIELDS.map((f) => r[f]), isRecord(r.context) ? r.context.period : undefined];
  for (const p of periods) if (isRecord(p)) push(timeOf(p.end) ?? timeOf(p.start));
  return out;
}

const latest = (r: Json): number | undefined => {
  const ts = resourceTimes(r);
  return ts.length === 0 ? undefined : Math.max(...ts);
};

function encounterRefs(r: Json): string[] {
  const refs: unknown[] = [r.encounter, ...(isRecord(r.context) ? [r.context.encounter, r.context] : [])];
  const out: string[] = [];
  for (const ref of refs.flat()) if (isRecord(ref) && typeof ref.reference === 'string') out.push(ref.reference);
  return out;
}

function refersTo(reference: string, type: string, id: string, fullUrl: string | undefined): boolean {
  if (reference === fullUrl || reference === `urn:uuid:${id}`) return true;
  const literal = parseLiteralReference(reference);
  return literal !== undefined && literal.type === type && literal.id === id;
}

const STANDING_CONDITION = new Set(['active', 'recurrence', 'relapse']);

function codeOf(concept: unknown): string | undefined {
  if (!isRecord(concept) || !Array.isArray(concept.coding)) return undefined;
  const first = (concept.coding as unknown[]).find(isRecord);
  return first && typeof first.code === 'string' ? first.code : undefined;
}

/** Whether a resource without a link to the snapshot encounter is standing context to carry over. */
function isStandingContext(r: Json): boolean {
  switch (r.resourceType) {
    case 'Condition':
      return STANDING_CONDITION.has(codeOf(r.clinicalStatus) ?? '');
    case 'MedicationRequest':
      return r.status === 'active';
    case 'AllergyIntolerance':
      return codeOf(r.clinicalStatus) !== 'inactive' && codeOf(r.clinicalStatus) !== 'resolved';
    default:
      return encounterRefs(r).length === 0;
  }
}

export interface PatientInput {
  readonly resource: Json;
  /** fullUrl of the entry when the input was a Bundle. */
  readonly fullUrl?: string;
}

function selectLatestEncounter(items: readonly PatientInput[], patient: Json): PatientInput[] {
  let best: PatientInput | undefined;
  let bestTime = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const r = item.resource;
    if (r.resourceType !== 'Encounter' || typeof r.id !== 'string') continue;
    const p = isRecord(r.period) ? r.period : {};
    const t = timeOf(p.start) ?? timeOf(p.end) ?? Number.NEGATIVE_INFINITY;
    if (!best || t >= bestTime) {
      best = item;
      bestTime = t;
    }
  }
  if (!best) return [...items];
  const encId = best.resource.id as string;
  const linked = items.filter(
    (item) => item === best || encounterRefs(item.resource).some((ref) => refersTo(ref, 'Encounter', encId, best.fullUrl)),
  );
  const until = Math.max(...linked.map((i) => latest(i.resource) ?? Number.NEGATIVE_INFINITY));
  const linkedSet = new Set(linked);
  return items.filter((item) => {
    if (item.resource === patient || linkedSet.has(item)) return true;
    if (item.resource.resourceType === 'Encounter' || !isStandingContext(item.resource)) return false;
    const t = latest(item.resource);
    return t === undefined || t <= until;
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SnapshotOptions {
  readonly task: TaskName;
  readonly salt: string;
  readonly scope: ImportScope;
}

/**
 * The Case of one patient. `items` holds the patient's resources (the Patient among them, any
 * position) in input order; `index` is the case index.
 */
export function patientCase(items: readonly PatientInput[], patient: Json, index: number, options: SnapshotOptions): Case {
  const ordered = [...items.filter((i) => i.resource === patient), ...items.filter((i) => i.resource !== patient)];
  const chosen = options.scope === 'latest-encounter' ? selectLatestEncounter(ordered, patient) : ordered;
  const { resources, scrubUrl } = deidentifyPatientResources(
    chosen.map((i) => i.resource),
    patient,
    options.salt,
  );
  let predictionMs: number | undefined;
  const entry: BundleEntry[] = resources.map((resource, i) => {
    const t = latest(resource);
    if (t !== undefined && (predictionMs === undefined || t > predictionMs)) predictionMs = t;
    const source = chosen[i]!;
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    const fullUrl = source.fullUrl !== undefined ? scrubUrl(source.fullUrl) : id !== undefined && UUID.test(id) ? `urn:uuid:${id}` : undefined;
    return { ...(fullUrl !== undefined ? { fullUrl } : {}), resource: resource as unknown as FhirResource };
  });
  const bundle: Bundle = {
    resourceType: 'Bundle',
    id: pseudonymize(`bundle/${typeof patient.id === 'string' ? patient.id : ''}`, options.salt),
    type: 'collection',
    ...(predictionMs !== undefined ? { timestamp: new Date(predictionMs).toISOString() } : {}),
    entry,
  };
  return { task: options.task, index, bundle, truth: {} };
}
