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
  Reference,
} from 'fhir/r4.js';
import { LOINC, SNOMED, UCUM } from '../../fhir/bundle-access.ts';
import { uuidFactory } from '../uuid.ts';
import { birthDateFor, deepFreeze, personName, usCoreExtensions } from '../demographics.ts';
import { CONDITION_CODES, LAB_CODES, TRIAGE_NOTE, VITAL_CODES, type MeasurementCode } from './codes.ts';
import { COMORBIDITIES, type SepsisPatient } from './model.ts';

/**
 * Numbers → FHIR R4 Bundle (type collection): Patient, Encounter, vitals then labs Observations
 * (only those measured: ordering.ts), comorbidity Conditions, the triage DocumentReference. Entries are `urn:uuid:` fullUrls and every
 * reference uses that form.
 *
 * Speed: constant codings are built once, deep-frozen and shared by every bundle; everything else is
 * plain object literals. A perturbation must therefore copy what it changes (mutating a shared
 * constant throws a TypeError in strict-mode code instead of corrupting other patients).
 */

/** Synthetic MRN system. The `.example` TLD is reserved (RFC 2606), so it names no real assigner. */
export const MRN_SYSTEM = 'https://clinsim.example/fhir/mrn';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const NOTE_CONTENT_TYPE = 'text/plain; charset=utf-8';


/**
 * Slot of each resource in the uuid space of a patient. Slots are fixed per concept so a resource
 * keeps its id whatever else the patient has.
 */
const SLOT = { bundle: 0, patient: 1, encounter: 2, observation: 3, condition: 3 + VITAL_CODES.length + LAB_CODES.length, note: 31 };

const categoryOf = (code: 'vital-signs' | 'laboratory', display: string): CodeableConcept[] =>
  deepFreeze([{ coding: [{ system: OBSERVATION_CATEGORY, code, display }] }]);
const CATEGORY = { 'vital-signs': categoryOf('vital-signs', 'Vital Signs'), laboratory: categoryOf('laboratory', 'Laboratory') };

interface PreparedMeasurement {
  readonly def: MeasurementCode;
  readonly category: CodeableConcept[];
  readonly code: CodeableConcept;
}

/**
 * Codings a FHIR R4 vital-signs profile requires beside the measurement's own LOINC code: the core
 * oxygensat profile requires 2708-6 in Observation.code.coding (US Core pulse oximetry carries
 * 59408-5 and 2708-6 the same way). The measurement's own code stays first.
 */
const PROFILE_CODINGS: Readonly<Record<string, readonly Coding[]>> = {
  '59408-5': [{ system: LOINC, code: '2708-6', display: 'Oxygen saturation in Arterial blood' }],
};

const prepare = (def: MeasurementCode): PreparedMeasurement => ({
  def,
  category: CATEGORY[def.category],
  code: deepFreeze({
    coding: [{ system: LOINC, code: def.loinc, display: def.display }, ...(PROFILE_CODINGS[def.loinc] ?? [])],
    text: def.text,
  }),
});
const VITALS = VITAL_CODES.map(prepare);
const LABS = LAB_CODES.map(prepare);

const CONDITION_CLINICAL: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active', display: 'Active' }],
});
const CONDITION_VERIFICATION: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed', display: 'Confirmed' }],
});
const CONDITION_CATEGORY: CodeableConcept[] = deepFreeze([
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] },
]);
const CONDITION_CODE = COMORBIDITIES.map((c) =>
  deepFreeze<CodeableConcept>({
    coding: [{ system: SNOMED, code: CONDITION_CODES[c].snomed, display: CONDITION_CODES[c].display }],
    text: CONDITION_CODES[c].display,
  }),
);

const ENCOUNTER_CLASS: Coding = deepFreeze({
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  code: 'EMER',
  display: 'emergency',
});
const MRN_TYPE: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }],
});
const NOTE_TYPE: CodeableConcept = deepFreeze({
  coding: [{ system: LOINC, code: TRIAGE_NOTE.loinc, display: TRIAGE_NOTE.display }],
  text: 'Triage note',
});

function observation(
  id: string,
  m: PreparedMeasurement,
  value: number,
  subject: Reference,
  encounter: Reference,
  effective: string,
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: m.category,
    code: m.code,
    subject,
    encounter,
    effectiveDateTime: effective,
    valueQuantity: { value, unit: m.def.ucum, system: UCUM, code: m.def.ucum },
  };
}

/** The FHIR Bundle of a patient; `note` is the triage note text. */
export function sepsisBundle(p: SepsisPatient, note: string): Bundle {
  const uuid = uuidFactory(p.uuidWords);
  const d = p.demographics;
  const patientId = uuid(SLOT.patient);
  const encounterId = uuid(SLOT.encounter);
  const subject: Reference = { reference: `urn:uuid:${patientId}` };
  const encounterRef: Reference = { reference: `urn:uuid:${encounterId}` };
  const timestamp = new Date(p.predictionMs).toISOString();
  const arrival = new Date(p.arrivalMs).toISOString();
  const vitalsAt = new Date(p.vitalsMs).toISOString();
  const labsAt = new Date(p.labsMs).toISOString();
  const name = personName(d.nameSeed, d.sex);

  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId,
    extension: usCoreExtensions(d.race, d.ethnicity, d.sex),
    identifier: [{ use: 'usual', type: MRN_TYPE, system: MRN_SYSTEM, value: name.mrn }],
    name: [{ use: 'official', family: name.family, given: [name.given] }],
    gender: d.sex,
    birthDate: birthDateFor(d.ageYears, d.birthdayOffsetDays, p.predictionMs),
  };
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: encounterId,
    status: 'in-progress',
    class: ENCOUNTER_CLASS,
    subject,
    period: { start: arrival },
  };

  const entry: BundleEntry[] = [
    { fullUrl: `urn:uuid:${patientId}`, resource: patient },
    { fullUrl: `urn:uuid:${encounterId}`, resource: encounter },
  ];
  // Only what was measured: an undocumented GCS or a lab not ordered has no Observation (its slot,
  // and so every other resource's id, stays the same).
  let slot = SLOT.observation;
  for (const m of VITALS) {
    const id = uuid(slot++);
    const value = p.vitals[m.def.key as keyof typeof p.vitals];
    if (value === null) continue;
    entry.push({ fullUrl: `urn:uuid:${id}`, resource: observation(id, m, value, subject, encounterRef, vitalsAt) });
  }
  for (const m of LABS) {
    const id = uuid(slot++);
    const value = p.labs[m.def.key as keyof typeof p.labs];
    if (value === null) continue;
    entry.push({ fullUrl: `urn:uuid:${id}`, resource: observation(id, m, value, subject, encounterRef, labsAt) });
  }
  for (let i = 0; i < COMORBIDITIES.length; i++) {
    if (!p.comorbidities[COMORBIDITIES[i]!]) continue;
    const id = uuid(SLOT.condition + i);
    const condition: Condition = {
      resourceType: 'Condition',
      id,
      clinicalStatus: CONDITION_CLINICAL,
      verificationStatus: CONDITION_VERIFICATION,
      category: CONDITION_CATEGORY,
      code: CONDITION_CODE[i]!,
      subject,
    };
    entry.push({ fullUrl: `urn:uuid:${id}`, resource: condition });
  }
  const noteId = uuid(SLOT.note);
  const doc: DocumentReference = {
    resourceType: 'DocumentReference',
    id: noteId,
    status: 'current',
    type: NOTE_TYPE,
    subject,
    date: vitalsAt,
    context: { encounter: [encounterRef] },
    content: [{ attachment: { contentType: NOTE_CONTENT_TYPE, data: Buffer.from(note, 'utf8').toString('base64') } }],
  };
  entry.push({ fullUrl: `urn:uuid:${noteId}`, resource: doc });

  return { resourceType: 'Bundle', id: uuid(SLOT.bundle), type: 'collection', timestamp, entry };
}
