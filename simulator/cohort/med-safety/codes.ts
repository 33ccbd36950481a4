/**
 * Codes of the med-safety task: RxNorm ingredients, SNOMED CT conditions and allergy reactions, and
 * the labs (LOINC + UCUM). Sources are the keys of reference/clinical-codes.md (§1 labs, §4
 * conditions, §5 RxNorm and allergy codes); `confirmed: false` marks a code that sheet (or the CPIC
 * drug table) does not confirm. docs/cohorts.md lists every unconfirmed code.
 */

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

export interface DrugCode {
  /** RxNorm RXCUI (ingredient, or MIN for sulfamethoxazole / trimethoprim). */
  readonly rxnorm: string;
  /** RxNorm ingredient name. */
  readonly display: string;
  /** False when clinical-codes.md marks the code "not confirmed here" (or does not list it). */
  readonly confirmed: boolean;
  /** Dosage text of an order (dosageInstruction[0].text). */
  readonly sig: string;
}

/** Every drug the generator writes, as an active medication, a draft order or an allergen. */
export const DRUGS = {
  // Penicillins and cephalosporins
  amoxicillin: { rxnorm: '723', display: 'amoxicillin', confirmed: false, sig: '875 mg orally twice daily for 7 days' },
  penicillinV: { rxnorm: '7984', display: 'penicillin V', confirmed: true, sig: '500 mg orally twice daily for 10 days' },
  cephalexin: { rxnorm: '2231', display: 'cephalexin', confirmed: true, sig: '500 mg orally four times daily for 7 days' },
  cefaclor: { rxnorm: '2176', display: 'cefaclor', confirmed: true, sig: '500 mg orally three times daily for 7 days' },
  ceftriaxone: { rxnorm: '2193', display: 'ceftriaxone', confirmed: true, sig: '1 g intravenously once daily' },
  cefuroxime: { rxnorm: '2194', display: 'cefuroxime', confirmed: true, sig: '500 mg orally twice daily for 10 days' },
  // Other anti-infectives
  smxTmp: {
    rxnorm: '10831',
    display: 'sulfamethoxazole / trimethoprim',
    confirmed: true,
    sig: '800 mg / 160 mg (1 double-strength tablet) orally twice daily',
  },
  clarithromycin: { rxnorm: '21212', display: 'clarithromycin', confirmed: false, sig: '500 mg orally twice daily for 7 days' },
  linezolid: { rxnorm: '190376', display: 'linezolid', confirmed: false, sig: '600 mg intravenously every 12 hours' },
  // Analgesics and antiplatelets
  ibuprofen: { rxnorm: '5640', display: 'ibuprofen', confirmed: true, sig: '400 mg orally every 6 hours as needed for pain' },
  naproxen: { rxnorm: '7258', display: 'naproxen', confirmed: false, sig: '500 mg orally twice daily as needed for pain' },
  aspirin: { rxnorm: '1191', display: 'aspirin', confirmed: true, sig: '81 mg orally once daily' },
  acetaminophen: {
    rxnorm: '161',
    display: 'acetaminophen',
    confirmed: false,
    sig: '650 mg orally every 6 hours as needed for pain (max 3 g per day)',
  },
  // Cardiovascular and renal
  warfarin: { rxnorm: '11289', display: 'warfarin', confirmed: true, sig: '5 mg orally once daily, adjusted to INR 2-3' },
  lisinopril: { rxnorm: '29046', display: 'lisinopril', confirmed: true, sig: '10 mg orally once daily' },
  enalapril: { rxnorm: '3827', display: 'enalapril', confirmed: true, sig: '10 mg orally twice daily' },
  ramipril: { rxnorm: '35296', display: 'ramipril', confirmed: true, sig: '5 mg orally once daily' },
  captopril: { rxnorm: '1998', display: 'captopril', confirmed: true, sig: '25 mg orally three times daily' },
  spironolactone: { rxnorm: '9997', display: 'spironolactone', confirmed: true, sig: '25 mg orally once daily' },
  potassiumChloride: {
    rxnorm: '8591',
    display: 'potassium chloride',
    confirmed: false,
    sig: '20 mEq orally once daily',
  },
  hydrochlorothiazide: { rxnorm: '5487', display: 'hydrochlorothiazide', confirmed: true, sig: '25 mg orally once daily' },
  furosemide: { rxnorm: '4603', display: 'furosemide', confirmed: true, sig: '40 mg orally once daily' },
  carvedilol: { rxnorm: '20352', display: 'carvedilol', confirmed: true, sig: '12.5 mg orally twice daily' },
  metoprolol: { rxnorm: '6918', display: 'metoprolol', confirmed: true, sig: '25 mg orally twice daily' },
  nitroglycerin: {
    rxnorm: '4917',
    display: 'nitroglycerin',
    confirmed: false,
    sig: '0.4 mg sublingually every 5 minutes as needed for chest pain (max 3 doses)',
  },
  simvastatin: { rxnorm: '36567', display: 'simvastatin', confirmed: true, sig: '40 mg orally at bedtime' },
  atorvastatin: { rxnorm: '83367', display: 'atorvastatin', confirmed: true, sig: '40 mg orally once daily' },
  sildenafil: { rxnorm: '136411', display: 'sildenafil', confirmed: true, sig: '50 mg orally as needed, at most once daily' },
  // Psychiatric, rheumatologic, endocrine
  sertraline: { rxnorm: '36437', display: 'sertraline', confirmed: true, sig: '50 mg orally once daily' },
  phenelzine: { rxnorm: '8123', display: 'phenelzine', confirmed: false, sig: '15 mg orally three times daily' },
  methotrexate: { rxnorm: '6851', display: 'methotrexate', confirmed: true, sig: '15 mg orally once weekly' },
  metformin: { rxnorm: '6809', display: 'metformin', confirmed: true, sig: '500 mg orally twice daily with meals' },
  insulinGlargine: {
    rxnorm: '274783',
    display: 'insulin glargine',
    confirmed: false,
    sig: '10 units subcutaneously at bedtime',
  },
} as const satisfies Record<string, DrugCode>;

export type DrugKey = keyof typeof DRUGS;
export const DRUG_KEYS = Object.keys(DRUGS) as DrugKey[];

/** Sildenafil for pulmonary arterial hypertension is dosed differently from sildenafil for erectile dysfunction. */
export const SILDENAFIL_PAH_SIG = '20 mg orally three times daily';

/** ACE inhibitor ingredients (clinical-codes.md §5, SY-ALG's ACE-inhibitor intolerance list). */
export const ACE_INHIBITORS: readonly string[] = ['29046', '1998', '3827', '18867', '35208', '35296'];
/** Cephalosporin ingredients (clinical-codes.md §5, SY-ALG). */
export const CEPHALOSPORINS: readonly string[] = ['2231', '2193', '25037', '25033', '20489', '2191', '2180', '2176', '20481', '2189', '2194'];

// ---------------------------------------------------------------------------------------------
// Conditions (Condition.code). `snomed: null` → coded as text only (no SNOMED code confirmed).

export interface ConditionCode {
  readonly snomed: string | null;
  readonly display: string;
  readonly confirmed: boolean;
}

export const CONDITIONS = {
  hypertension: { snomed: '38341003', display: 'Hypertensive disorder, systemic arterial', confirmed: true },
  diabetes: { snomed: '44054006', display: 'Diabetes mellitus type 2', confirmed: true },
  hyperlipidemia: { snomed: '55822004', display: 'Hyperlipidemia', confirmed: false },
  atrialFibrillation: { snomed: '49436004', display: 'Atrial fibrillation', confirmed: false },
  heartFailure: { snomed: '42343007', display: 'Congestive heart failure', confirmed: true },
  coronaryDisease: { snomed: '53741008', display: 'Coronary arteriosclerosis', confirmed: false },
  depression: { snomed: '35489007', display: 'Depressive disorder', confirmed: false },
  rheumatoidArthritis: { snomed: '69896004', display: 'Rheumatoid arthritis', confirmed: false },
  ckd: { snomed: '709044004', display: 'Chronic kidney disease', confirmed: true },
  erectileDysfunction: { snomed: null, display: 'Erectile dysfunction', confirmed: false },
  pulmonaryHypertension: { snomed: null, display: 'Pulmonary arterial hypertension', confirmed: false },
} as const satisfies Record<string, ConditionCode>;

export type ConditionKey = keyof typeof CONDITIONS;
export const CONDITION_KEYS = Object.keys(CONDITIONS) as ConditionKey[];

// ---------------------------------------------------------------------------------------------
// Indications of a draft order (MedicationRequest.reasonCode): SNOMED-coded when clinical-codes.md
// §4 confirms a code, otherwise text only.

export interface IndicationCode {
  readonly snomed: string | null;
  readonly text: string;
}

export const INDICATIONS = {
  backPain: { snomed: null, text: 'Low back pain' },
  osteoarthritis: { snomed: null, text: 'Osteoarthritis of knee, pain' },
  gout: { snomed: null, text: 'Acute gout flare' },
  raFlare: { snomed: null, text: 'Rheumatoid arthritis flare, joint pain' },
  uti: { snomed: '68566005', text: 'Urinary tract infectious disease' },
  cellulitis: { snomed: null, text: 'Cellulitis' },
  mrsaSkin: { snomed: null, text: 'MRSA skin and soft tissue infection' },
  pneumonia: { snomed: '233604007', text: 'Pneumonia' },
  pharyngitis: { snomed: null, text: 'Streptococcal pharyngitis' },
  sinusitis: { snomed: null, text: 'Acute bacterial sinusitis' },
  hypertension: { snomed: '38341003', text: 'Hypertensive disorder, systemic arterial' },
  resistantHypertension: { snomed: null, text: 'Resistant hypertension' },
  heartFailure: { snomed: '42343007', text: 'Congestive heart failure' },
  hypokalemia: { snomed: null, text: 'Hypokalemia' },
  potassiumSupplement: { snomed: null, text: 'Potassium supplementation with diuretic therapy' },
  diabetes: { snomed: '44054006', text: 'Diabetes mellitus type 2' },
  depression: { snomed: null, text: 'Depression' },
  resistantDepression: { snomed: null, text: 'Treatment-resistant depression' },
  coronaryPrevention: { snomed: null, text: 'Coronary artery disease, secondary prevention' },
  angina: { snomed: null, text: 'Chest pain, suspected angina' },
  erectileDysfunction: { snomed: null, text: 'Erectile dysfunction' },
  pulmonaryHypertension: { snomed: null, text: 'Pulmonary arterial hypertension' },
  hyperlipidemia: { snomed: null, text: 'Hyperlipidemia' },
} as const satisfies Record<string, IndicationCode>;

export type IndicationKey = keyof typeof INDICATIONS;
export const INDICATION_KEYS = Object.keys(INDICATIONS) as IndicationKey[];

// ---------------------------------------------------------------------------------------------
// Allergy reactions (AllergyIntolerance.reaction.manifestation), SNOMED CT, clinical-codes.md §5 (SY-ALG).

export const REACTIONS = {
  anaphylaxis: { snomed: '39579001', display: 'Anaphylaxis' },
  wheal: { snomed: '247472004', display: 'Wheal' },
  skinEruption: { snomed: '271807003', display: 'Eruption of skin' },
  angioedema: { snomed: '402387002', display: 'Allergic angioedema' },
  itching: { snomed: '418290006', display: 'Itching' },
  dyspnea: { snomed: '267036007', display: 'Dyspnea' },
  cough: { snomed: '49727002', display: 'Cough' },
  hyperkalemia: { snomed: '237849008', display: 'Drug-induced hyperkalemia' },
} as const;

export type ReactionKey = keyof typeof REACTIONS;
export const REACTION_KEYS = Object.keys(REACTIONS) as ReactionKey[];

// ---------------------------------------------------------------------------------------------
// Labs (clinical-codes.md §1).

export const LAB_KEYS = ['potassium', 'creatinine', 'egfr', 'inr'] as const;
export type LabKey = (typeof LAB_KEYS)[number];

export interface LabCode {
  readonly loinc: string;
  readonly display: string;
  readonly text: string;
  readonly ucum: string;
}

export const LABS: Readonly<Record<LabKey, LabCode>> = {
  potassium: { loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', text: 'Potassium', ucum: 'mmol/L' },
  creatinine: { loinc: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', text: 'Creatinine', ucum: 'mg/dL' },
  egfr: {
    loinc: '98979-8',
    display:
      'Glomerular filtration rate [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)/1.73 sq M',
    text: 'eGFR (CKD-EPI 2021)',
    ucum: 'mL/min/{1.73_m2}',
  },
  inr: { loinc: '6301-6', display: 'INR in Platelet poor plasma by Coagulation assay', text: 'INR', ucum: '{INR}' },
};

export const LOINC_POTASSIUM = LABS.potassium.loinc;
export const LOINC_CREATININE = LABS.creatinine.loinc;
export const LOINC_EGFR = LABS.egfr.loinc;
export const LOINC_INR = LABS.inr.loinc;
