import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  Condition,
  DocumentReference,
  Encounter,
  Observation,
  Patient,
  FhirResource,
  Reference,
} from 'fhir/r4.js';
import { LOINC, SNOMED, UCUM } from '../fhir/bundle-access.ts';
import { birthDateFor, deepFreeze, personName, usCoreExtensions, type Demographics } from './demographics.ts';
import { TRIAGE_NOTE } from './sepsis/codes.ts';

/**
 * FHIR R4 resource builders and constant codings shared by every task's bundle.ts, so that the
 * three cohorts write Patient, Encounter, Condition, Observation and note resources the same way.
 *
 * Exported JSON is compared byte for byte across releases, so each builder fixes its key order
 * with a single object literal (no spreads, no `undefined` keys). Constant codings are built once
 * and deep-frozen; every bundle of every task shares them, so a perturbation must copy what it
 * changes (mutating one throws in strict-mode code instead of corrupting other patients).
 */

/** Synthetic MRN system. The `.example` TLD is reserved (RFC 2606), so it names no real assigner. */
export const MRN_SYSTEM = 'https://clinsim.example/fhir/mrn';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const NOTE_CONTENT_TYPE = 'text/plain; charset=utf-8';

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** Encounter.class codings: EMER for the ED tasks, AMB / IMP for med-safety's settings. */
export const ENCOUNTER_CLASS: Readonly<Record<'EMER' | 'AMB' | 'IMP', Coding>> = {
  EMER: deepFreeze({ system: ACT_CODE, code: 'EMER', display: 'emergency' }),
  AMB: deepFreeze({ system: ACT_CODE, code: 'AMB', display: 'ambulatory' }),
  IMP: deepFreeze({ system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' }),
};

const categoryOf = (code: string, display: string): CodeableConcept[] =>
  deepFreeze([{ coding: [{ system: OBSERVATION_CATEGORY, code, display }] }]);
export const OBSERVATION_CATEGORIES: Readonly<Record<'vital-signs' | 'laboratory', CodeableConcept[]>> = {
  'vital-signs': categoryOf('vital-signs', 'Vital Signs'),
  laboratory: categoryOf('laboratory', 'Laboratory'),
};

/** Both ED tasks' notes are triage notes; one frozen type for both. */
export const TRIAGE_NOTE_TYPE: CodeableConcept = deepFreeze({
  coding: [{ system: LOINC, code: TRIAGE_NOTE.loinc, display: TRIAGE_NOTE.display }],
  text: 'Triage note',
});

const MRN_TYPE: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }],
});
const CONDITION_CLINICAL: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active', display: 'Active' }],
});
const CONDITION_VERIFICATION: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed', display: 'Confirmed' }],
});
const CONDITION_CATEGORY: CodeableConcept[] = deepFreeze([
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] },
]);

/** Frozen LOINC concept; `also` holds codings a profile requires beside the main one (which stays first). */
export const loincConcept = (code: string, display: string, text: string, also: readonly Coding[] = []): CodeableConcept =>
  deepFreeze({ coding: [{ system: LOINC, code, display }, ...also], text });

/** SNOMED CT concept with the display as text (not frozen: callers freeze whole tables). */
export const snomedConcept = (code: string, display: string): CodeableConcept => ({
  coding: [{ system: SNOMED, code, display }],
  text: display,
});

/** `urn:uuid:` reference, the only reference form the bundles use. */
export const urnReference = (id: string): Reference => ({ reference: `urn:uuid:${id}` });

/** Bundle entry whose fullUrl is the resource's `urn:uuid:` (every builder here sets `id`). */
export const urnEntry = (resource: FhirResource): BundleEntry => ({ fullUrl: `urn:uuid:${resource.id}`, resource });

export const collectionBundle = (id: string, timestamp: string, entry: BundleEntry[]): Bundle => ({
  resourceType: 'Bundle',
  id,
  type: 'collection',
  timestamp,
  entry,
});

/** Patient with the US Core extensions, a synthetic MRN and name; `atMs` is when `d.ageYears` holds. */
export function patientResource(id: string, d: Demographics, atMs: number): Patient {
  const name = personName(d.nameSeed, d.sex);
  return {
    resourceType: 'Patient',
    id,
    extension: usCoreExtensions(d.race, d.ethnicity, d.sex),
    identifier: [{ use: 'usual', type: MRN_TYPE, system: MRN_SYSTEM, value: name.mrn }],
    name: [{ use: 'official', family: name.family, given: [name.given] }],
    gender: d.sex,
    birthDate: birthDateFor(d.ageYears, d.birthdayOffsetDays, atMs),
  };
}

/** The in-progress encounter every task's decision point falls in. */
export function encounterResource(id: string, cls: Coding, subject: Reference, start: string): Encounter {
  return { resourceType: 'Encounter', id, status: 'in-progress', class: cls, subject, period: { start } };
}

/** Active, confirmed problem-list Condition. */
export function conditionResource(id: string, code: CodeableConcept, subject: Reference): Condition {
  return {
    resourceType: 'Condition',
    id,
    clinicalStatus: CONDITION_CLINICAL,
    verificationStatus: CONDITION_VERIFICATION,
    category: CONDITION_CATEGORY,
    code,
    subject,
  };
}

/**
 * Final Observation with a UCUM quantity. `encounter` null (med-safety's labs, written without
 * one) leaves the key out rather than setting it to undefined, which would change key sets.
 */
export function quantityObservation(
  id: string,
  category: CodeableConcept[],
  code: CodeableConcept,
  subject: Reference,
  encounter: Reference | null,
  effective: string,
  value: number,
  ucum: string,
): Observation {
  const valueQuantity = { value, unit: ucum, system: UCUM, code: ucum };
  return encounter === null
    ? { resourceType: 'Observation', id, status: 'final', category, code, subject, effectiveDateTime: effective, valueQuantity }
    : { resourceType: 'Observation', id, status: 'final', category, code, subject, encounter, effectiveDateTime: effective, valueQuantity };
}

/** Current DocumentReference carrying `text` as base64 UTF-8 plain text. */
export function noteDocument(
  id: string,
  type: CodeableConcept,
  subject: Reference,
  encounter: Reference,
  date: string,
  text: string,
): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    type,
    subject,
    date,
    context: { encounter: [encounter] },
    content: [{ attachment: { contentType: NOTE_CONTENT_TYPE, data: Buffer.from(text, 'utf8').toString('base64') } }],
  };
}
