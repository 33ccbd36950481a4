import type { HistoryCondition } from './codes.ts';
import type { FindingId, ResourceId } from './findings.ts';
import type { TriageClass } from './triage.ts';

/**
 * Vignette families (clinical-codes.md §8): a chief complaint, the findings its note may assert,
 * the ED resources its assessment anticipates (which fix the ESI level when no high-risk finding is
 * present), the physiology of its vitals, and how often it occurs in each urgency class. All
 * weights and vital profiles are modelling assumptions (docs/cohorts.md, "note-triage").
 */

/** Mean and SD of a normal draw. */
export type MeanSd = readonly [mean: number, sd: number];

export interface VitalProfile {
  readonly heartRate: MeanSd;
  readonly respiratoryRate: MeanSd;
  /** °C */
  readonly temperature: MeanSd;
  /** mm[Hg] at age 50; the generator adds 0.4 mmHg per year of age above 50. */
  readonly systolicBp: MeanSd;
  readonly spo2: MeanSd;
}

export interface FamilyFinding {
  readonly id: FindingId;
  /** A finding that makes the note emergent when the family's emergent path asserts it. */
  readonly key?: true;
  /**
   * P(present) where the note may assert it (level-0 findings always; level-1/2 findings only on an
   * emergent key path, never on a non-emergent note), and P(stated absent | not present); the rest
   * is not mentioned.
   */
  readonly present: number;
  readonly absent: number;
  /** Only for female patients (unmentioned otherwise). */
  readonly femaleOnly?: true;
}

export interface ResourceMention {
  readonly id: ResourceId;
  /** Wording in the assessment; one of RESOURCES[id]. */
  readonly text: string;
}

export interface Family {
  readonly id: string;
  readonly complaints: readonly string[];
  /** The complaint itself asserts this finding (every complaint is one of its present phrases). */
  readonly complaintFinding?: FindingId;
  readonly durations: readonly string[];
  /** At most MAX_FINDINGS, in note order within each section. */
  readonly findings: readonly FamilyFinding[];
  readonly resources: readonly ResourceMention[];
  /** Relative frequency within each class (0: the family never has that class). */
  readonly weights: Readonly<Record<TriageClass, number>>;
  /**
   * Emergent notes of a family whose resources give ESI 3: the share made emergent by a key finding;
   * the rest are made emergent by a danger-zone vital. 1 for families that are emergent by their
   * findings alone.
   */
  readonly pKey: number;
  /** Log-multiplier of the family weight per 20 years of age above 50. */
  readonly ageTilt: number;
  /** Log-multiplier of the family weight for female patients (the inverse applies to male ones). */
  readonly femaleTilt?: number;
  readonly vitals: VitalProfile;
  /** Which vital a danger-zone path pushes into the danger zone: weights of HR, RR, SpO2. */
  readonly danger: readonly [heartRate: number, respiratoryRate: number, spo2: number];
  /** The note states a pain score (always 2–6 of 10). */
  readonly pain: boolean;
  /** Log-odds added to the history conditions' age model. */
  readonly conditionBoost?: Readonly<Partial<Record<HistoryCondition, number>>>;
  /** A condition every patient of the family has. */
  readonly forcedCondition?: HistoryCondition;
}

export const MAX_FINDINGS = 6;

const WELL: VitalProfile = {
  heartRate: [80, 11],
  respiratoryRate: [16, 1.8],
  temperature: [36.8, 0.3],
  systolicBp: [128, 15],
  spo2: [98, 1.2],
};
const PAIN: VitalProfile = { ...WELL, heartRate: [88, 12], systolicBp: [138, 17] };
const FEBRILE: VitalProfile = {
  heartRate: [92, 12],
  respiratoryRate: [18, 2.2],
  temperature: [38.4, 0.6],
  systolicBp: [124, 15],
  spo2: [96.5, 1.6],
};
const SHOCK: VitalProfile = {
  heartRate: [124, 12],
  respiratoryRate: [26, 4],
  temperature: [38.9, 0.9],
  systolicBp: [76, 6],
  spo2: [92, 2.5],
};
const OVERDOSE: VitalProfile = {
  heartRate: [62, 10],
  respiratoryRate: [8, 1.5],
  temperature: [36.3, 0.4],
  systolicBp: [104, 12],
  spo2: [85, 3],
};
const ANAPHYLAXIS: VitalProfile = {
  heartRate: [118, 12],
  respiratoryRate: [26, 3],
  temperature: [36.9, 0.3],
  systolicBp: [90, 14],
  spo2: [92, 2.5],
};

const only = (c: TriageClass, w: number): Record<TriageClass, number> => ({ emergent: 0, urgent: 0, 'non-urgent': 0, [c]: w });
const ALERT: FamilyFinding = { id: 'confusion', present: 0, absent: 0.85 };

export const FAMILIES: readonly Family[] = [
  // ESI 1: immediate life-saving intervention (AHRQ Table 6-2; ESI practice cases).
  {
    id: 'septic-shock',
    complaints: ['fever and weakness', 'generalized weakness and poor intake'],
    durations: ['1 day', '2 days', '3 days'],
    findings: [
      { id: 'chills', present: 0.5, absent: 0.2 },
      { id: 'mottled-skin', key: true, present: 1, absent: 0 },
      { id: 'confusion', present: 0.5, absent: 0.4 },
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'iv-fluids', text: 'IV fluids' },
      { id: 'iv-meds', text: 'IV antibiotics' },
      { id: 'xray', text: 'chest x-ray' },
    ],
    weights: only('emergent', 0.025),
    pKey: 1,
    ageTilt: 0.6,
    vitals: SHOCK,
    danger: [1, 0, 0],
    pain: false,
    conditionBoost: { diabetes: 0.5, cancer: 1, ckd: 0.4 },
  },
  {
    id: 'overdose',
    complaints: ['suspected opioid overdose', 'suspected overdose of prescription pills'],
    durations: ['30 minutes', '1 hour'],
    findings: [
      { id: 'unresponsive', key: true, present: 0.7, absent: 0 },
      { id: 'slow-breathing', key: true, present: 0.6, absent: 0 },
      { id: 'pinpoint-pupils', present: 0.6, absent: 0.15 },
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'iv-meds', text: 'IV naloxone' },
    ],
    weights: only('emergent', 0.02),
    pKey: 1,
    ageTilt: -0.5,
    vitals: OVERDOSE,
    danger: [0, 0, 1],
    pain: false,
  },
  {
    id: 'anaphylaxis',
    complaints: ['allergic reaction after eating peanuts', 'bee sting with swelling', 'allergic reaction after a new antibiotic'],
    durations: ['20 minutes', '45 minutes', '1 hour'],
    findings: [
      { id: 'lip-swelling', present: 0.6, absent: 0.2 },
      { id: 'hives', present: 0.8, absent: 0.1 },
      { id: 'stridor', key: true, present: 0.4, absent: 0.3 },
      { id: 'labored-breathing', key: true, present: 0.5, absent: 0.2 },
    ],
    resources: [
      { id: 'iv-meds', text: 'IM epinephrine' },
      { id: 'iv-fluids', text: 'IV fluids' },
    ],
    weights: only('emergent', 0.015),
    pKey: 1,
    ageTilt: -0.3,
    vitals: ANAPHYLAXIS,
    danger: [1, 0, 0],
    pain: false,
  },
  // ESI 2 by the complaint: chest discomfort suggestive of ACS.
  {
    id: 'chest-pain',
    complaints: ['chest pain', 'chest pressure', 'chest tightness'],
    complaintFinding: 'chest-pain',
    durations: ['1 hour', '2 hours', '4 hours', '1 day'],
    findings: [
      { id: 'radiation', present: 0.45, absent: 0.35 },
      { id: 'shortness-of-breath', present: 0.35, absent: 0.4 },
      { id: 'nausea', present: 0.3, absent: 0.3 },
      { id: 'diaphoresis', present: 0.3, absent: 0.4 },
      ALERT,
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'xray', text: 'chest x-ray' },
    ],
    weights: only('emergent', 0.26),
    pKey: 1,
    ageTilt: 0.5,
    vitals: PAIN,
    danger: [1, 0, 0],
    pain: true,
    conditionBoost: { hypertension: 0.5, diabetes: 0.4 },
  },
  // ESI 3 by resources; emergent with a high-risk finding or a danger-zone vital.
  {
    id: 'stroke-signs',
    complaints: ['dizziness', 'feeling unwell since this morning'],
    durations: ['1 hour', '2 hours', '3 hours'],
    findings: [
      { id: 'nausea', present: 0.3, absent: 0.4 },
      { id: 'facial-droop', key: true, present: 0.4, absent: 0.65 },
      { id: 'arm-weakness', key: true, present: 0.4, absent: 0.6 },
      { id: 'slurred-speech', key: true, present: 0.4, absent: 0.6 },
      ALERT,
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'imaging', text: 'CT head' },
    ],
    weights: { emergent: 0.13, urgent: 0.08, 'non-urgent': 0 },
    pKey: 0.9,
    ageTilt: 0.6,
    vitals: { ...WELL, systolicBp: [148, 20] },
    danger: [0.7, 0.2, 0.1],
    pain: false,
    conditionBoost: { hypertension: 0.6, diabetes: 0.3 },
  },
  {
    id: 'rlq-pain',
    complaints: ['right lower quadrant abdominal pain', 'abdominal pain that moved to the right lower side'],
    durations: ['12 hours', '1 day', '2 days'],
    findings: [
      { id: 'nausea', present: 0.6, absent: 0.3 },
      { id: 'subjective-fever', present: 0.3, absent: 0.4 },
      ALERT,
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'imaging', text: 'CT abdomen/pelvis' },
      { id: 'iv-fluids', text: 'IV fluids' },
    ],
    weights: { emergent: 0.07, urgent: 0.16, 'non-urgent': 0 },
    pKey: 0,
    ageTilt: -0.4,
    vitals: PAIN,
    danger: [0.85, 0.15, 0],
    pain: true,
  },
  {
    id: 'dvt-workup',
    complaints: ['left leg swelling after a long car ride', 'right calf swelling and pain after a long flight'],
    durations: ['1 day', '2 days', '4 days'],
    findings: [
      { id: 'shortness-of-breath', key: true, present: 0.3, absent: 0.6 },
      { id: 'chest-pain', key: true, present: 0.3, absent: 0.5 },
      { id: 'calf-tenderness', present: 0.7, absent: 0.2 },
      ALERT,
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'imaging', text: 'venous ultrasound of the leg' },
    ],
    weights: { emergent: 0.05, urgent: 0.09, 'non-urgent': 0 },
    pKey: 0.8,
    ageTilt: 0.1,
    vitals: WELL,
    danger: [0.6, 0.25, 0.15],
    pain: true,
  },
  {
    id: 'flank-pain-fever',
    complaints: ['right flank pain', 'left flank pain'],
    durations: ['1 day', '2 days', '3 days'],
    findings: [
      { id: 'dysuria', present: 0.6, absent: 0.2 },
      { id: 'chills', present: 0.5, absent: 0.2 },
      { id: 'nausea', present: 0.4, absent: 0.3 },
      { id: 'confusion', key: true, present: 0, absent: 0.85 },
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'iv-fluids', text: 'IV fluids' },
      { id: 'iv-meds', text: 'IV antibiotics' },
    ],
    weights: { emergent: 0.06, urgent: 0.09, 'non-urgent': 0 },
    pKey: 0.25,
    ageTilt: 0,
    femaleTilt: 0.5,
    vitals: FEBRILE,
    danger: [0.75, 0.25, 0],
    pain: true,
  },
  {
    id: 'cough-fever',
    complaints: ['cough and fever', 'cough and body aches'],
    durations: ['2 days', '3 days', '5 days', '1 week'],
    findings: [
      { id: 'productive-cough', present: 0.6, absent: 0.3 },
      { id: 'chills', present: 0.4, absent: 0.3 },
      { id: 'confusion', key: true, present: 0, absent: 0.85 },
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'xray', text: 'chest x-ray' },
    ],
    weights: { emergent: 0.13, urgent: 0.14, 'non-urgent': 0 },
    pKey: 0.2,
    ageTilt: 0.3,
    vitals: FEBRILE,
    danger: [0.3, 0.35, 0.35],
    pain: false,
    conditionBoost: { copd: 0.8, chf: 0.3 },
  },
  {
    id: 'vomiting-diarrhea',
    complaints: ['vomiting and diarrhea', 'vomiting and unable to keep fluids down'],
    durations: ['1 day', '2 days', '3 days'],
    findings: [
      { id: 'lightheaded', present: 0.5, absent: 0.3 },
      { id: 'bloody-stool', present: 0.1, absent: 0.5 },
      ALERT,
    ],
    resources: [
      { id: 'labs', text: 'labs' },
      { id: 'iv-fluids', text: 'IV fluids' },
    ],
    weights: { emergent: 0.06, urgent: 0.13, 'non-urgent': 0 },
    pKey: 0,
    ageTilt: -0.1,
    vitals: { ...WELL, heartRate: [90, 11] },
    danger: [0.85, 0.15, 0],
    pain: false,
  },
  {
    id: 'fall-hip-pain',
    complaints: ['fall at home with right hip pain', 'fall at home with left hip pain', 'mechanical fall with hip pain'],
    durations: ['2 hours', '6 hours', '1 day'],
    findings: [
      { id: 'unable-to-bear-weight', present: 0.6, absent: 0.3 },
      { id: 'head-strike', present: 0.3, absent: 0.5 },
      { id: 'loss-of-consciousness', key: true, present: 0.5, absent: 0.7 },
      ALERT,
    ],
    resources: [
      { id: 'xray', text: 'hip x-ray' },
      { id: 'labs', text: 'labs' },
      { id: 'iv-meds', text: 'IV medications' },
    ],
    weights: { emergent: 0.04, urgent: 0.1, 'non-urgent': 0 },
    pKey: 0.6,
    ageTilt: 1,
    vitals: PAIN,
    danger: [0.7, 0.2, 0.1],
    pain: true,
  },
  {
    id: 'headache',
    complaints: ['headache', 'bad headache'],
    durations: ['3 hours', '1 day', '2 days'],
    findings: [
      { id: 'thunderclap', key: true, present: 0.5, absent: 0.6 },
      { id: 'photophobia', present: 0.5, absent: 0.3 },
      { id: 'nausea', present: 0.5, absent: 0.3 },
      { id: 'neck-stiffness', key: true, present: 0.4, absent: 0.5 },
      ALERT,
    ],
    resources: [
      { id: 'iv-fluids', text: 'IV fluids' },
      { id: 'iv-meds', text: 'IV medications' },
    ],
    weights: { emergent: 0.04, urgent: 0.09, 'non-urgent': 0 },
    pKey: 0.85,
    ageTilt: -0.2,
    vitals: PAIN,
    danger: [0.8, 0.2, 0],
    pain: true,
  },
  // ESI 4 (one resource); emergent only with a high-risk finding.
  {
    id: 'sore-throat',
    complaints: ['sore throat', 'sore throat and painful swallowing'],
    durations: ['1 day', '2 days', '3 days'],
    findings: [
      { id: 'subjective-fever', present: 0.7, absent: 0.2 },
      { id: 'cough', present: 0.2, absent: 0.5 },
      { id: 'drooling', key: true, present: 0.4, absent: 0.6 },
      { id: 'muffled-voice', key: true, present: 0.5, absent: 0.3 },
      { id: 'shortness-of-breath', key: true, present: 0.3, absent: 0.3 },
      ALERT,
    ],
    resources: [{ id: 'labs', text: 'rapid strep test' }],
    weights: { emergent: 0.015, urgent: 0, 'non-urgent': 0.16 },
    pKey: 1,
    ageTilt: -0.8,
    vitals: { ...WELL, temperature: [37.9, 0.6], heartRate: [86, 11] },
    danger: [1, 0, 0],
    pain: true,
  },
  {
    id: 'uti-symptoms',
    complaints: ['painful urination and urinary frequency', 'urinary frequency and urgency'],
    durations: ['1 day', '2 days', '3 days'],
    findings: [
      { id: 'hematuria', present: 0.2, absent: 0.5 },
      { id: 'vaginal-discharge', present: 0, absent: 0.6, femaleOnly: true },
      { id: 'subjective-fever', present: 0, absent: 0.6 },
      ALERT,
    ],
    resources: [{ id: 'labs', text: 'urinalysis and urine culture' }],
    weights: { emergent: 0, urgent: 0, 'non-urgent': 0.19 },
    pKey: 1,
    ageTilt: -0.3,
    femaleTilt: 1,
    vitals: WELL,
    danger: [1, 0, 0],
    pain: false,
  },
  {
    id: 'ankle-sprain',
    complaints: ['twisted right ankle playing basketball', 'left ankle injury after a misstep on stairs'],
    durations: ['2 hours', '6 hours', '1 day'],
    findings: [
      { id: 'ankle-swelling', present: 0.8, absent: 0.2 },
      { id: 'unable-to-bear-weight', present: 0.3, absent: 0.6 },
    ],
    resources: [{ id: 'xray', text: 'ankle x-ray' }],
    weights: { emergent: 0, urgent: 0, 'non-urgent': 0.18 },
    pKey: 1,
    ageTilt: -0.8,
    vitals: PAIN,
    danger: [1, 0, 0],
    pain: true,
  },
  {
    id: 'laceration',
    complaints: ['laceration to the left forearm', 'cut on the right hand from a kitchen knife'],
    durations: ['30 minutes', '1 hour', '2 hours'],
    findings: [
      { id: 'uncontrolled-bleeding', key: true, present: 0, absent: 0.9 },
      { id: 'distal-numbness', present: 0.05, absent: 0.7 },
    ],
    resources: [{ id: 'procedure', text: 'laceration repair with sutures' }],
    weights: { emergent: 0.01, urgent: 0, 'non-urgent': 0.16 },
    pKey: 1,
    ageTilt: -0.5,
    vitals: PAIN,
    danger: [1, 0, 0],
    pain: true,
  },
  // ESI 5 (no resources).
  {
    id: 'med-refill',
    complaints: ['being out of blood pressure medication', 'a blood pressure medication refill request'],
    durations: ['2 days', '4 days', '1 week'],
    findings: [
      { id: 'headache', present: 0.2, absent: 0.5 },
      { id: 'chest-pain', present: 0, absent: 0.7 },
      { id: 'shortness-of-breath', present: 0, absent: 0.5 },
      ALERT,
    ],
    resources: [],
    weights: { emergent: 0, urgent: 0, 'non-urgent': 0.09 },
    pKey: 1,
    ageTilt: 0.4,
    vitals: { ...WELL, systolicBp: [150, 7] },
    danger: [1, 0, 0],
    pain: false,
    forcedCondition: 'hypertension',
  },
  {
    id: 'poison-ivy',
    complaints: ['itchy rash on both arms after yard work', 'itchy rash after hiking'],
    durations: ['2 days', '3 days', '5 days'],
    findings: [
      { id: 'blisters', present: 0.6, absent: 0.3 },
      { id: 'subjective-fever', present: 0, absent: 0.5 },
    ],
    resources: [],
    weights: { emergent: 0, urgent: 0, 'non-urgent': 0.09 },
    pKey: 1,
    ageTilt: -0.3,
    vitals: WELL,
    danger: [1, 0, 0],
    pain: false,
  },
  {
    id: 'cold-symptoms',
    complaints: ['nasal congestion and runny nose', 'cold symptoms'],
    durations: ['2 days', '4 days', '1 week'],
    findings: [
      { id: 'cough', present: 0.6, absent: 0.3 },
      { id: 'subjective-fever', present: 0.3, absent: 0.5 },
      { id: 'shortness-of-breath', present: 0, absent: 0.6 },
    ],
    resources: [],
    weights: { emergent: 0, urgent: 0, 'non-urgent': 0.13 },
    pKey: 1,
    ageTilt: -0.4,
    vitals: WELL,
    danger: [1, 0, 0],
    pain: false,
  },
];

export type FamilyId = (typeof FAMILIES)[number]['id'];
