import type { Bundle, BundleEntry } from 'fhir/r4.js';
import { LOINC } from '../../fhir/bundle-access.ts';
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
import { CONDITION_CODES, HISTORY, VITAL_CODES, type VitalCode } from './codes.ts';
import { uuidFactory } from '../uuid.ts';
import type { NoteTriagePatient } from './model.ts';

/**
 * Numbers and note → FHIR R4 Bundle (type collection, timestamp = triage time): Patient,
 * Encounter (EMER, in-progress), the five vital-sign Observations the note states (same values,
 * temperature in the charted unit), history Conditions, and the triage note DocumentReference.
 * Every reference is a `urn:uuid:` fullUrl of the bundle. The resources themselves come from
 * fhir-builders.ts (shared with the other tasks); constant codings are deep-frozen and shared by
 * every bundle: a perturbation must copy what it changes.
 */

/** Uuid slot of each resource; fixed per concept, so a resource keeps its id whatever else exists. */
const SLOT = { bundle: 0, patient: 1, encounter: 2, observation: 3, condition: 3 + VITAL_CODES.length, note: 31 };

const VITAL_CATEGORY = OBSERVATION_CATEGORIES['vital-signs'];
const VITAL_CODE = VITAL_CODES.map((v: VitalCode) =>
  loincConcept(v.loinc, v.display, v.text, v.alsoCoded ? [{ system: LOINC, code: v.alsoCoded.code, display: v.alsoCoded.display }] : []),
);
const CONDITION_CODE = HISTORY.map((c) => deepFreeze(snomedConcept(CONDITION_CODES[c].snomed, CONDITION_CODES[c].display)));

/** The FHIR Bundle of a patient; `note` is the triage note text. */
export function noteTriageBundle(p: NoteTriagePatient, note: string): Bundle {
  const uuid = uuidFactory(p.uuidWords);
  const patientId = uuid(SLOT.patient);
  const encounterId = uuid(SLOT.encounter);
  const subject = urnReference(patientId);
  const encounterRef = urnReference(encounterId);
  const triageAt = new Date(p.triageMs).toISOString();
  const arrival = new Date(p.arrivalMs).toISOString();

  const entry: BundleEntry[] = [
    urnEntry(patientResource(patientId, p.demographics, p.triageMs)),
    urnEntry(encounterResource(encounterId, ENCOUNTER_CLASS.EMER, subject, arrival)),
  ];

  for (let i = 0; i < VITAL_CODES.length; i++) {
    const def = VITAL_CODES[i]!;
    // Temperature is charted in the note's unit (Cel or [degF]), so its Observation matches the text.
    const temperature = def.key === 'temperature';
    const value = temperature ? p.temperatureValue : p.vitals[def.key];
    const unit = temperature ? p.temperatureUnit : def.ucum;
    const id = uuid(SLOT.observation + i);
    entry.push(urnEntry(quantityObservation(id, VITAL_CATEGORY, VITAL_CODE[i]!, subject, encounterRef, triageAt, value, unit)));
  }

  for (let i = 0; i < HISTORY.length; i++) {
    if (!p.conditions[HISTORY[i]!]) continue;
    entry.push(urnEntry(conditionResource(uuid(SLOT.condition + i), CONDITION_CODE[i]!, subject)));
  }

  entry.push(urnEntry(noteDocument(uuid(SLOT.note), TRIAGE_NOTE_TYPE, subject, encounterRef, triageAt, note)));

  return collectionBundle(uuid(SLOT.bundle), triageAt, entry);
}
