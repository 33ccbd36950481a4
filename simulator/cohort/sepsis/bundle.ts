import type { Bundle, BundleEntry, CodeableConcept, Coding } from 'fhir/r4.js';
import { LOINC } from '../../fhir/bundle-access.ts';
import { uuidFactory } from '../uuid.ts';
import { deepFreeze } from '../demographics.ts';
import {
  collectionBundle,
  conditionResource,
  ENCOUNTER_CLASS,
  encounterResource,
  loincConcept,
  noteDocument,
  OBSERVATION_CATEGORIES,
  patientResource,
  quantityObservation,
  snomedConcept,
  TRIAGE_NOTE_TYPE,
  urnEntry,
  urnReference,
} from '../fhir-builders.ts';
import { CONDITION_CODES, LAB_CODES, VITAL_CODES, type MeasurementCode } from './codes.ts';
import { COMORBIDITIES, type SepsisPatient } from './model.ts';

/**
 * Numbers → FHIR R4 Bundle (type collection): Patient, Encounter, vitals then labs Observations
 * (only those measured: ordering.ts), comorbidity Conditions, the triage DocumentReference. Entries are `urn:uuid:` fullUrls and every
 * reference uses that form.
 *
 * The resources common to every task come from fhir-builders.ts; this file only picks the sepsis
 * codes, slots and times. Constant codings are deep-frozen and shared by every bundle, so a
 * perturbation must copy what it changes.
 */

/**
 * Slot of each resource in the uuid space of a patient. Slots are fixed per concept so a resource
 * keeps its id whatever else the patient has.
 */
const SLOT = { bundle: 0, patient: 1, encounter: 2, observation: 3, condition: 3 + VITAL_CODES.length + LAB_CODES.length, note: 31 };

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
  category: OBSERVATION_CATEGORIES[def.category],
  code: loincConcept(def.loinc, def.display, def.text, PROFILE_CODINGS[def.loinc]),
});
const VITALS = VITAL_CODES.map(prepare);
const LABS = LAB_CODES.map(prepare);

const CONDITION_CODE = COMORBIDITIES.map((c) => deepFreeze(snomedConcept(CONDITION_CODES[c].snomed, CONDITION_CODES[c].display)));

/** The FHIR Bundle of a patient; `note` is the triage note text. */
export function sepsisBundle(p: SepsisPatient, note: string): Bundle {
  const uuid = uuidFactory(p.uuidWords);
  const patientId = uuid(SLOT.patient);
  const encounterId = uuid(SLOT.encounter);
  const subject = urnReference(patientId);
  const encounterRef = urnReference(encounterId);
  const timestamp = new Date(p.predictionMs).toISOString();
  const arrival = new Date(p.arrivalMs).toISOString();
  const vitalsAt = new Date(p.vitalsMs).toISOString();
  const labsAt = new Date(p.labsMs).toISOString();

  const entry: BundleEntry[] = [
    urnEntry(patientResource(patientId, p.demographics, p.predictionMs)),
    urnEntry(encounterResource(encounterId, ENCOUNTER_CLASS.EMER, subject, arrival)),
  ];
  // Only what was measured: an undocumented GCS or a lab not ordered has no Observation (its slot,
  // and so every other resource's id, stays the same).
  let slot = SLOT.observation;
  for (const m of VITALS) {
    const id = uuid(slot++);
    const value = p.vitals[m.def.key as keyof typeof p.vitals];
    if (value === null) continue;
    entry.push(urnEntry(quantityObservation(id, m.category, m.code, subject, encounterRef, vitalsAt, value, m.def.ucum)));
  }
  for (const m of LABS) {
    const id = uuid(slot++);
    const value = p.labs[m.def.key as keyof typeof p.labs];
    if (value === null) continue;
    entry.push(urnEntry(quantityObservation(id, m.category, m.code, subject, encounterRef, labsAt, value, m.def.ucum)));
  }
  for (let i = 0; i < COMORBIDITIES.length; i++) {
    if (!p.comorbidities[COMORBIDITIES[i]!]) continue;
    entry.push(urnEntry(conditionResource(uuid(SLOT.condition + i), CONDITION_CODE[i]!, subject)));
  }
  entry.push(urnEntry(noteDocument(uuid(SLOT.note), TRIAGE_NOTE_TYPE, subject, encounterRef, vitalsAt, note)));

  return collectionBundle(uuid(SLOT.bundle), timestamp, entry);
}
