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
import { birthDateFor, deepFreeze, personName, usCoreExtensions } from '../demographics.ts';
import { MRN_SYSTEM, NOTE_CONTENT_TYPE, OBSERVATION_CATEGORY } from '../sepsis/bundle.ts';
import { TRIAGE_NOTE } from '../sepsis/codes.ts';
import { CONDITION_CODES, HISTORY, VITAL_CODES, type VitalCode } from './codes.ts';
import { uuidFactory } from '../uuid.ts';
import type { NoteTriagePatient } from './model.ts';

/**
 * Numbers and note → FHIR R4 Bundle (type collection, timestamp = triage time): Patient,
 * Encounter (EMER, in-progress), the five vital-sign Observations the note states (same values,
 * temperature in the charted unit), history Conditions, and the triage note DocumentReference.
 * Every reference is a `urn:uuid:` fullUrl of the bundle. Constant codings are deep-frozen and
 * shared by every bundle: a perturbation must copy what it changes.
 */

/** Uuid slot of each resource; fixed per concept, so a resource keeps its id whatever else exists. */
const SLOT = { bundle: 0, patient: 1, encounter: 2, observation: 3, condition: 3 + VITAL_CODES.length, note: 31 };

const VITAL_CATEGORY: CodeableConcept[] = deepFreeze([
  { coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] },
]);
const VITAL_CODE = VITAL_CODES.map((v: VitalCode) =>
  deepFreeze<CodeableConcept>({
    coding: [
      { system: LOINC, code: v.loinc, display: v.display },
      ...(v.alsoCoded ? [{ system: LOINC, code: v.alsoCoded.code, display: v.alsoCoded.display }] : []),
    ],
    text: v.text,
  }),
);
const CONDITION_CLINICAL: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active', display: 'Active' }],
});
const CONDITION_VERIFICATION: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed', display: 'Confirmed' }],
});
const CONDITION_CATEGORY: CodeableConcept[] = deepFreeze([
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] },
]);
const CONDITION_CODE = HISTORY.map((c) =>
  deepFreeze<CodeableConcept>({
    coding: [{ system: SNOMED, code: CONDITION_CODES[c].snomed, display: CONDITION_CODES[c].display }],
    text: CONDITION_CODES[c].display,
  }),
);
const ENCOUNTER_CLASS: Coding = deepFreeze({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'emergency' });
const MRN_TYPE: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }],
});
const NOTE_TYPE: CodeableConcept = deepFreeze({
  coding: [{ system: LOINC, code: TRIAGE_NOTE.loinc, display: TRIAGE_NOTE.display }],
  text: 'Triage note',
});

/** The FHIR Bundle of a patient; `note` is the triage note text. */
export function noteTriageBundle(p: NoteTriagePatient, note: string): Bundle {
  const uuid = uuidFactory(p.uuidWords);
  const d = p.demographics;
  const patientId = uuid(SLOT.patient);
  const encounterId = uuid(SLOT.encounter);
  const subject: Reference = { reference: `urn:uuid:${patientId}` };
  const encounterRef: Reference = { reference: `urn:uuid:${encounterId}` };
  const triageAt = new Date(p.triageMs).toISOString();
  const name = personName(d.nameSeed, d.sex);

  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId,
    extension: usCoreExtensions(d.race, d.ethnicity, d.sex),
    identifier: [{ use: 'usual', type: MRN_TYPE, system: MRN_SYSTEM, value: name.mrn }],
    name: [{ use: 'official', family: name.family, given: [name.given] }],
    gender: d.sex,
    birthDate: birthDateFor(d.ageYears, d.birthdayOffsetDays, p.triageMs),
  };
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: encounterId,
    status: 'in-progress',
    class: ENCOUNTER_CLASS,
    subject,
    period: { start: new Date(p.arrivalMs).toISOString() },
  };
  const entry: BundleEntry[] = [
    { fullUrl: `urn:uuid:${patientId}`, resource: patient },
    { fullUrl: `urn:uuid:${encounterId}`, resource: encounter },
  ];

  for (let i = 0; i < VITAL_CODES.length; i++) {
    const def = VITAL_CODES[i]!;
    const id = uuid(SLOT.observation + i);
    const temperature = def.key === 'temperature';
    const value = temperature ? p.temperatureValue : p.vitals[def.key];
    const unit = temperature ? p.temperatureUnit : def.ucum;
    const obs: Observation = {
      resourceType: 'Observation',
      id,
      status: 'final',
      category: VITAL_CATEGORY,
      code: VITAL_CODE[i]!,
      subject,
      encounter: encounterRef,
      effectiveDateTime: triageAt,
      valueQuantity: { value, unit, system: UCUM, code: unit },
    };
    entry.push({ fullUrl: `urn:uuid:${id}`, resource: obs });
  }

  for (let i = 0; i < HISTORY.length; i++) {
    if (!p.conditions[HISTORY[i]!]) continue;
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
    date: triageAt,
    context: { encounter: [encounterRef] },
    content: [{ attachment: { contentType: NOTE_CONTENT_TYPE, data: Buffer.from(note, 'utf8').toString('base64') } }],
  };
  entry.push({ fullUrl: `urn:uuid:${noteId}`, resource: doc });

  return { resourceType: 'Bundle', id: uuid(SLOT.bundle), type: 'collection', timestamp: triageAt, entry };
}
