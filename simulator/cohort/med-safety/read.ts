import type { Bundle, CodeableConcept, FhirResource, MedicationRequest, Observation } from 'fhir/r4.js';
import { LOINC } from '../../fhir/bundle-access.ts';
import { LABS, RXNORM } from './codes.ts';
import { findConflicts, type MedicationContext } from './conflicts.ts';
import type { Conflict } from '../../case.ts';

/**
 * Reading a med-safety bundle (possibly perturbed, possibly malformed): the draft order, the active
 * medications, the allergies and the labs a conflict check needs. Used by the tabular view, and by
 * whatever checks a bundle against the conflict table (the reference CDS service, safety checks).
 * Nothing here throws on a malformed bundle: what cannot be read is absent.
 */

function* resourcesOf(bundle: Bundle): Generator<FhirResource> {
  if (!Array.isArray(bundle?.entry)) return;
  for (const entry of bundle.entry) {
    const r = entry?.resource;
    if (r && typeof r === 'object' && typeof r.resourceType === 'string') yield r;
  }
}

/** The order being signed: the bundle's first MedicationRequest with status `draft` (what CDS Hooks puts in `context.draftOrders`). */
export function draftOrderOf(bundle: Bundle): MedicationRequest | undefined {
  for (const r of resourcesOf(bundle)) if (r.resourceType === 'MedicationRequest' && r.status === 'draft') return r;
  return undefined;
}

/** RxNorm codes of a CodeableConcept, in coding order. */
export function rxnormCodes(concept: CodeableConcept | undefined): string[] {
  const out: string[] = [];
  if (!Array.isArray(concept?.coding)) return out;
  for (const c of concept.coding) if (c?.system === RXNORM && typeof c.code === 'string') out.push(c.code);
  return out;
}

/** First RxNorm code of the draft order's medication, if any. */
export function draftRxnorm(bundle: Bundle): string | undefined {
  return rxnormCodes(draftOrderOf(bundle)?.medicationCodeableConcept)[0];
}

/** Distinct RxNorm codes of active medications: MedicationRequest and MedicationStatement with status `active`. */
export function activeRxnorm(bundle: Bundle): string[] {
  const out = new Set<string>();
  for (const r of resourcesOf(bundle)) {
    if ((r.resourceType === 'MedicationRequest' || r.resourceType === 'MedicationStatement') && r.status === 'active') {
      for (const code of rxnormCodes(r.medicationCodeableConcept)) out.add(code);
    }
  }
  return [...out];
}

const firstCode = (c: CodeableConcept | undefined): string | undefined =>
  Array.isArray(c?.coding) ? c.coding.find((x) => typeof x?.code === 'string')?.code : undefined;

/**
 * AllergyIntolerance resources that count: clinical status not inactive/resolved, verification
 * status not refuted/entered-in-error. Returns the count and their RxNorm codes.
 */
export function allergiesOf(bundle: Bundle): { count: number; rxnorm: string[] } {
  let count = 0;
  const codes = new Set<string>();
  for (const r of resourcesOf(bundle)) {
    if (r.resourceType !== 'AllergyIntolerance') continue;
    const clinical = firstCode(r.clinicalStatus);
    const verification = firstCode(r.verificationStatus);
    if (clinical === 'inactive' || clinical === 'resolved') continue;
    if (verification === 'refuted' || verification === 'entered-in-error') continue;
    count++;
    for (const code of rxnormCodes(r.code)) codes.add(code);
  }
  return { count, rxnorm: [...codes] };
}

const RESULTED = new Set(['final', 'amended', 'corrected']);

/** The latest resulted Observation with a LOINC code and a numeric value (bundle order breaks ties). */
export function latestObservation(bundle: Bundle, loinc: string): Observation | undefined {
  let best: Observation | undefined;
  let bestAt = -Infinity;
  for (const r of resourcesOf(bundle)) {
    if (r.resourceType !== 'Observation' || !RESULTED.has(r.status)) continue;
    if (!Array.isArray(r.code?.coding) || !r.code.coding.some((c) => c?.system === LOINC && c.code === loinc)) continue;
    if (typeof r.valueQuantity?.value !== 'number' || !Number.isFinite(r.valueQuantity.value)) continue;
    const t = typeof r.effectiveDateTime === 'string' ? Date.parse(r.effectiveDateTime) : NaN;
    const at = Number.isNaN(t) ? -Infinity : t;
    if (!best || at > bestAt) {
      best = r;
      bestAt = at;
    }
  }
  return best;
}

/** Value of the latest Observation of a LOINC code, as written (any unit); undefined when absent. */
export function labValue(bundle: Bundle, loinc: string): number | undefined {
  return latestObservation(bundle, loinc)?.valueQuantity?.value;
}

/** Canonical UCUM unit of each lab the conflict table reads, by LOINC. */
const CANONICAL_UNIT = new Map<string, string>(Object.values(LABS).map((l) => [l.loinc, l.ucum]));

/** Value of the latest Observation only when it is in the canonical UCUM unit (a value in another unit is not compared). */
export function labValueInCanonicalUnit(bundle: Bundle, loinc: string): number | undefined {
  const q = latestObservation(bundle, loinc)?.valueQuantity;
  if (!q) return undefined;
  const unit = q.code ?? q.unit;
  return unit === CANONICAL_UNIT.get(loinc) ? q.value : undefined;
}

/** What the draft order of a bundle is checked against; undefined when there is no RxNorm-coded draft. */
export function medicationContextOf(bundle: Bundle): MedicationContext | undefined {
  const draft = draftRxnorm(bundle);
  if (draft === undefined) return undefined;
  const labs: Record<string, number | undefined> = {};
  for (const lab of Object.values(LABS)) labs[lab.loinc] = labValueInCanonicalUnit(bundle, lab.loinc);
  return { draft, active: activeRxnorm(bundle), allergies: allergiesOf(bundle).rxnorm, labs };
}

/** Conflicts of a bundle's draft order against the conflict table (none without a draft). */
export function conflictsOfBundle(bundle: Bundle): Conflict[] {
  const ctx = medicationContextOf(bundle);
  return ctx ? findConflicts(ctx) : [];
}
