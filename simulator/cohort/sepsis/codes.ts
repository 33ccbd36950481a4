import type { Labs, Vitals, Comorbidity } from './model.ts';

/**
 * Codes of the sepsis bundle (clinical-codes.md §1 for LOINC/UCUM, §4 for SNOMED CT). Displays are
 * the LOINC long common names and the SNOMED CT fully specified names without semantic tag.
 */

export interface MeasurementCode {
  /** Field of Vitals or Labs that carries the value. */
  readonly key: keyof Vitals | keyof Labs;
  readonly loinc: string;
  readonly display: string;
  /** Short name used as code.text and in notes. */
  readonly text: string;
  /** UCUM code, also used as the human-readable unit. */
  readonly ucum: string;
  readonly category: 'vital-signs' | 'laboratory';
}

/** Vitals, in bundle order. */
export const VITAL_CODES: readonly MeasurementCode[] = [
  { key: 'heartRate', loinc: '8867-4', display: 'Heart rate', text: 'Heart rate', ucum: '/min', category: 'vital-signs' },
  { key: 'respiratoryRate', loinc: '9279-1', display: 'Respiratory rate', text: 'Respiratory rate', ucum: '/min', category: 'vital-signs' },
  { key: 'temperature', loinc: '8310-5', display: 'Body temperature', text: 'Body temperature', ucum: 'Cel', category: 'vital-signs' },
  { key: 'systolicBp', loinc: '8480-6', display: 'Systolic blood pressure', text: 'Systolic blood pressure', ucum: 'mm[Hg]', category: 'vital-signs' },
  {
    key: 'spo2',
    loinc: '59408-5',
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    text: 'SpO2',
    ucum: '%',
    category: 'vital-signs',
  },
  // GCS is an exam finding, but Synthea and most EHR flowsheets file it with the vitals.
  { key: 'gcs', loinc: '9269-2', display: 'Glasgow coma score total', text: 'GCS total', ucum: '{score}', category: 'vital-signs' },
];

/** Labs, in bundle order. */
export const LAB_CODES: readonly MeasurementCode[] = [
  { key: 'lactate', loinc: '2524-7', display: 'Lactate [Moles/volume] in Serum or Plasma', text: 'Lactate', ucum: 'mmol/L', category: 'laboratory' },
  { key: 'wbc', loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', text: 'WBC', ucum: '10*3/uL', category: 'laboratory' },
  {
    key: 'creatinine',
    loinc: '2160-0',
    display: 'Creatinine [Mass/volume] in Serum or Plasma',
    text: 'Creatinine',
    ucum: 'mg/dL',
    category: 'laboratory',
  },
  { key: 'platelets', loinc: '777-3', display: 'Platelets [#/volume] in Blood by Automated count', text: 'Platelets', ucum: '10*3/uL', category: 'laboratory' },
  {
    key: 'bilirubin',
    loinc: '1975-2',
    display: 'Bilirubin.total [Mass/volume] in Serum or Plasma',
    text: 'Total bilirubin',
    ucum: 'mg/dL',
    category: 'laboratory',
  },
];

export interface ConditionCode {
  readonly snomed: string;
  readonly display: string;
  /** Wording in a triage note's history. */
  readonly noteText: string;
}

/** Comorbidity Conditions (SNOMED CT, clinical-codes.md §4). */
export const CONDITION_CODES: Readonly<Record<Comorbidity, ConditionCode>> = {
  diabetes: { snomed: '44054006', display: 'Diabetes mellitus type 2', noteText: 'type 2 diabetes' },
  ckd: { snomed: '709044004', display: 'Chronic kidney disease', noteText: 'chronic kidney disease' },
  copd: { snomed: '13645005', display: 'Chronic obstructive lung disease', noteText: 'COPD' },
  chf: { snomed: '42343007', display: 'Congestive heart failure', noteText: 'congestive heart failure' },
  cancer: { snomed: '363346000', display: 'Malignant neoplastic disease', noteText: 'cancer' },
  immunodeficiency: { snomed: '234532001', display: 'Immunodeficiency disorder', noteText: 'immunodeficiency' },
  cirrhosis: { snomed: '19943007', display: 'Cirrhosis of liver', noteText: 'cirrhosis' },
};

export const TRIAGE_NOTE = { loinc: '54094-8', display: 'Emergency department Triage note' } as const;
