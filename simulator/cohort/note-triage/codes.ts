/**
 * Codes of the note-triage bundle: vital-sign LOINC codes and UCUM units (clinical-codes.md §1),
 * history Conditions in SNOMED CT (§4). Displays are LOINC long common names and SNOMED CT fully
 * specified names without the semantic tag.
 */

export type VitalKey = 'heartRate' | 'respiratoryRate' | 'temperature' | 'systolicBp' | 'spo2';

export interface VitalCode {
  readonly key: VitalKey;
  readonly loinc: string;
  readonly display: string;
  readonly text: string;
  /** UCUM code the generator writes (temperature: `Cel`, or `[degF]` for a note charted in °F). */
  readonly ucum: string;
  /**
   * Further LOINC codings a FHIR R4 core vital-signs profile requires beside the measurement's own
   * code (oxygensat requires 2708-6 on a pulse-oximetry SpO2, as Synthea and US Core carry it, §1).
   */
  readonly alsoCoded?: { readonly code: string; readonly display: string };
}

/** Vitals, in bundle order. */
export const VITAL_CODES: readonly VitalCode[] = [
  { key: 'heartRate', loinc: '8867-4', display: 'Heart rate', text: 'Heart rate', ucum: '/min' },
  { key: 'respiratoryRate', loinc: '9279-1', display: 'Respiratory rate', text: 'Respiratory rate', ucum: '/min' },
  { key: 'temperature', loinc: '8310-5', display: 'Body temperature', text: 'Body temperature', ucum: 'Cel' },
  { key: 'systolicBp', loinc: '8480-6', display: 'Systolic blood pressure', text: 'Systolic blood pressure', ucum: 'mm[Hg]' },
  {
    key: 'spo2',
    loinc: '59408-5',
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    text: 'SpO2',
    ucum: '%',
    alsoCoded: { code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
  },
];

export const LOINC_HEART_RATE = '8867-4';
export const LOINC_RESP_RATE = '9279-1';
export const LOINC_TEMPERATURE = '8310-5';
export const LOINC_SBP = '8480-6';
export const LOINC_SPO2 = '59408-5';
export const FAHRENHEIT = '[degF]';

/** History conditions, in the order their Conditions appear in a bundle. */
export const HISTORY = ['hypertension', 'diabetes', 'copd', 'chf', 'ckd', 'cancer'] as const;
export type HistoryCondition = (typeof HISTORY)[number];

export interface ConditionCode {
  readonly snomed: string;
  readonly display: string;
  /** Wording in the note's history. */
  readonly noteText: string;
}

/** SNOMED CT codes from clinical-codes.md §4 (hypertension: 38341003, the confirmed parent code). */
export const CONDITION_CODES: Readonly<Record<HistoryCondition, ConditionCode>> = {
  hypertension: { snomed: '38341003', display: 'Hypertensive disorder, systemic arterial', noteText: 'hypertension' },
  diabetes: { snomed: '44054006', display: 'Diabetes mellitus type 2', noteText: 'type 2 diabetes' },
  copd: { snomed: '13645005', display: 'Chronic obstructive lung disease', noteText: 'COPD' },
  chf: { snomed: '42343007', display: 'Congestive heart failure', noteText: 'congestive heart failure' },
  ckd: { snomed: '709044004', display: 'Chronic kidney disease', noteText: 'chronic kidney disease' },
  cancer: { snomed: '363346000', display: 'Malignant neoplastic disease', noteText: 'cancer' },
};
