import type { ConflictKind } from './conflicts.ts';
import type { ConditionKey, DrugKey, IndicationKey } from './codes.ts';

/**
 * The clinical situations a med-safety case is built from. A situation is a clinical context (the
 * conditions, medications, allergy and lab range that make a conflict possible) with variants:
 *
 * - `conflict` variants: the designed conflict (label 1), of the situation's `kind`.
 * - `safe` variants, of two sorts, so that neither the draft nor the context alone gives the label
 *   away: the same context with a safe draft (a warfarin patient gets acetaminophen for pain), or
 *   the same draft in a context without the trigger (ibuprofen for a patient not on warfarin).
 *
 * The `routine` situation has only safe variants: ordinary orders for the background population.
 * Every case also gets background comorbidities and allergies by age (model.ts); background items
 * that would conflict with the draft are left out, so each conflict in a case is a designed one.
 */

export type AllergenClass = 'penicillin' | 'sulfonamide' | 'nsaid' | 'cephalosporin' | 'aceInhibitor';

export interface SituationAllergy {
  readonly allergen: AllergenClass;
  /** Only non-anaphylactic, non-angioedema reactions (e.g. the penicillin allergy of a cephalexin order). */
  readonly mild?: boolean;
}

/** Inclusive range a lab is drawn in (the patient's fixed uniform mapped onto it). */
export type Range = readonly [number, number];

export interface DraftOption {
  readonly drug: DrugKey;
  /** One is drawn; 'pde5' resolves by sex like the condition. */
  readonly indications: readonly (IndicationKey | 'pde5')[];
  /** Relative weight among the variant's drafts (default 1). */
  readonly weight?: number;
}

export interface Variant {
  readonly weight: number;
  /** Conditions; 'pde5' resolves by sex to erectile dysfunction (male) or pulmonary arterial hypertension (female). */
  readonly conditions?: readonly (ConditionKey | 'pde5')[];
  readonly meds?: readonly DrugKey[];
  readonly allergy?: SituationAllergy;
  readonly drafts: readonly DraftOption[];
  /** mmol/L; forces a potassium result. */
  readonly potassium?: Range;
  /** mL/min/1.73 m²; forces the kidney function (and a CKD Condition below 60). */
  readonly egfr?: Range;
  readonly setting?: 'AMB' | 'IMP';
  /** Drawn only for patients at least this old (e.g. heart failure contexts); default: the situation's. */
  readonly minAge?: number;
}

export interface Situation {
  readonly id: string;
  /** The designed conflict kind; null for routine orders. */
  readonly kind: ConflictKind | null;
  /** Relative weight within its kind. */
  readonly weight: number;
  /** Situations are drawn only for patients at least this old (the context is implausible below). */
  readonly minAge: number;
  readonly conflict: readonly Variant[];
  readonly safe: readonly Variant[];
}

const PAIN: readonly IndicationKey[] = ['backPain', 'osteoarthritis'];
const NSAID_FOR_PAIN: readonly DraftOption[] = [
  { drug: 'ibuprofen', indications: PAIN },
  { drug: 'naproxen', indications: PAIN },
];
const K_HIGH: Range = [5.2, 6.1];
const K_LOW: Range = [2.8, 3.4];
const EGFR_SEVERE: Range = [12, 28];

export const SITUATIONS: readonly Situation[] = [
  // ---- allergy ---------------------------------------------------------------------------------
  {
    id: 'penicillin-allergy',
    kind: 'allergy',
    weight: 4,
    minAge: 18,
    conflict: [
      {
        weight: 1,
        allergy: { allergen: 'penicillin' },
        drafts: [
          { drug: 'amoxicillin', indications: ['sinusitis', 'pneumonia', 'pharyngitis'], weight: 2 },
          { drug: 'penicillinV', indications: ['pharyngitis'] },
        ],
      },
    ],
    safe: [
      // The §6 #17 caution: a cephalosporin for a non-severe penicillin allergy (label 0).
      { weight: 0.4, allergy: { allergen: 'penicillin', mild: true }, drafts: [{ drug: 'cephalexin', indications: ['pharyngitis', 'cellulitis'] }] },
      { weight: 0.25, allergy: { allergen: 'penicillin' }, drafts: [{ drug: 'clarithromycin', indications: ['sinusitis', 'pneumonia', 'pharyngitis'] }] },
      {
        weight: 0.35,
        drafts: [
          { drug: 'amoxicillin', indications: ['sinusitis', 'pneumonia', 'pharyngitis'] },
          { drug: 'penicillinV', indications: ['pharyngitis'] },
        ],
      },
    ],
  },
  {
    id: 'sulfonamide-allergy',
    kind: 'allergy',
    weight: 3,
    minAge: 18,
    conflict: [{ weight: 1, allergy: { allergen: 'sulfonamide' }, drafts: [{ drug: 'smxTmp', indications: ['uti', 'mrsaSkin'] }] }],
    safe: [
      { weight: 0.5, allergy: { allergen: 'sulfonamide' }, drafts: [{ drug: 'cephalexin', indications: ['uti', 'cellulitis'] }] },
      { weight: 0.5, drafts: [{ drug: 'smxTmp', indications: ['uti', 'mrsaSkin'] }] },
    ],
  },
  {
    id: 'nsaid-allergy',
    kind: 'allergy',
    weight: 3,
    minAge: 18,
    conflict: [{ weight: 1, allergy: { allergen: 'nsaid' }, drafts: NSAID_FOR_PAIN }],
    safe: [
      { weight: 0.5, allergy: { allergen: 'nsaid' }, drafts: [{ drug: 'acetaminophen', indications: PAIN }] },
      { weight: 0.5, drafts: NSAID_FOR_PAIN },
    ],
  },
  // ---- interaction -----------------------------------------------------------------------------
  {
    id: 'warfarin',
    kind: 'interaction',
    weight: 5,
    minAge: 45,
    conflict: [
      { weight: 0.45, conditions: ['atrialFibrillation'], meds: ['warfarin', 'metoprolol'], drafts: NSAID_FOR_PAIN },
      {
        weight: 0.25,
        conditions: ['atrialFibrillation', 'coronaryDisease'],
        meds: ['warfarin', 'metoprolol', 'atorvastatin'],
        drafts: [{ drug: 'aspirin', indications: ['coronaryPrevention'] }],
      },
      {
        weight: 0.3,
        conditions: ['atrialFibrillation'],
        meds: ['warfarin', 'metoprolol'],
        drafts: [{ drug: 'smxTmp', indications: ['uti', 'mrsaSkin'] }],
      },
    ],
    safe: [
      { weight: 0.3, conditions: ['atrialFibrillation'], meds: ['warfarin', 'metoprolol'], drafts: [{ drug: 'acetaminophen', indications: PAIN }] },
      { weight: 0.15, conditions: ['atrialFibrillation'], meds: ['warfarin', 'metoprolol'], drafts: [{ drug: 'cephalexin', indications: ['uti', 'cellulitis'] }] },
      { weight: 0.15, conditions: ['atrialFibrillation', 'hyperlipidemia'], meds: ['warfarin', 'metoprolol'], drafts: [{ drug: 'atorvastatin', indications: ['hyperlipidemia'] }] },
      { weight: 0.2, drafts: NSAID_FOR_PAIN },
      { weight: 0.1, conditions: ['coronaryDisease'], meds: ['atorvastatin'], drafts: [{ drug: 'aspirin', indications: ['coronaryPrevention'] }] },
      { weight: 0.1, drafts: [{ drug: 'smxTmp', indications: ['uti', 'mrsaSkin'] }] },
    ],
  },
  {
    id: 'ace-inhibitor-potassium',
    kind: 'interaction',
    weight: 3,
    minAge: 35,
    conflict: [
      { weight: 0.35, conditions: ['hypertension'], meds: ['lisinopril', 'hydrochlorothiazide'], drafts: [{ drug: 'spironolactone', indications: ['resistantHypertension'] }] },
      { weight: 0.25, minAge: 45, conditions: ['heartFailure'], meds: ['lisinopril', 'furosemide', 'carvedilol'], drafts: [{ drug: 'spironolactone', indications: ['heartFailure'] }] },
      { weight: 0.2, conditions: ['hypertension'], meds: ['lisinopril', 'hydrochlorothiazide'], drafts: [{ drug: 'potassiumChloride', indications: ['potassiumSupplement'] }] },
      { weight: 0.2, minAge: 45, conditions: ['heartFailure'], meds: ['lisinopril', 'furosemide', 'carvedilol'], drafts: [{ drug: 'potassiumChloride', indications: ['potassiumSupplement'] }] },
    ],
    safe: [
      { weight: 0.35, conditions: ['hypertension'], meds: ['lisinopril'], drafts: [{ drug: 'hydrochlorothiazide', indications: ['hypertension'] }] },
      {
        weight: 0.3,
        conditions: ['hypertension'],
        meds: ['hydrochlorothiazide'],
        potassium: [3.6, 4.6],
        drafts: [{ drug: 'spironolactone', indications: ['resistantHypertension'] }],
      },
      { weight: 0.2, conditions: ['hypertension'], meds: ['hydrochlorothiazide'], potassium: K_LOW, drafts: [{ drug: 'potassiumChloride', indications: ['hypokalemia'] }] },
      {
        weight: 0.15,
        minAge: 45,
        conditions: ['heartFailure'],
        meds: ['furosemide', 'carvedilol'],
        allergy: { allergen: 'aceInhibitor' },
        potassium: K_LOW,
        drafts: [{ drug: 'potassiumChloride', indications: ['hypokalemia'] }],
      },
    ],
  },
  {
    id: 'spironolactone-combination',
    kind: 'interaction',
    weight: 2,
    minAge: 45,
    conflict: [
      {
        weight: 0.6,
        conditions: ['heartFailure'],
        meds: ['spironolactone', 'furosemide', 'carvedilol'],
        allergy: { allergen: 'aceInhibitor' },
        drafts: [{ drug: 'potassiumChloride', indications: ['potassiumSupplement'] }],
      },
      { weight: 0.4, conditions: ['heartFailure'], meds: ['spironolactone', 'furosemide', 'carvedilol'], drafts: [{ drug: 'lisinopril', indications: ['heartFailure'] }] },
    ],
    safe: [
      {
        weight: 0.5,
        conditions: ['heartFailure'],
        meds: ['furosemide', 'carvedilol'],
        allergy: { allergen: 'aceInhibitor' },
        potassium: K_LOW,
        drafts: [{ drug: 'potassiumChloride', indications: ['hypokalemia'] }],
      },
      { weight: 0.5, conditions: ['heartFailure'], meds: ['furosemide', 'carvedilol'], drafts: [{ drug: 'lisinopril', indications: ['heartFailure'] }] },
    ],
  },
  {
    id: 'ssri-serotonergic',
    kind: 'interaction',
    weight: 2,
    minAge: 18,
    conflict: [
      { weight: 0.55, conditions: ['depression'], meds: ['sertraline'], setting: 'IMP', drafts: [{ drug: 'linezolid', indications: ['mrsaSkin', 'pneumonia'] }] },
      { weight: 0.3, conditions: ['depression'], meds: ['sertraline'], drafts: [{ drug: 'phenelzine', indications: ['resistantDepression'] }] },
      { weight: 0.15, conditions: ['depression'], meds: ['phenelzine'], drafts: [{ drug: 'sertraline', indications: ['depression'] }] },
    ],
    safe: [
      { weight: 0.35, conditions: ['depression'], meds: ['sertraline'], drafts: [{ drug: 'smxTmp', indications: ['mrsaSkin'] }] },
      { weight: 0.35, setting: 'IMP', drafts: [{ drug: 'linezolid', indications: ['mrsaSkin', 'pneumonia'] }] },
      { weight: 0.15, conditions: ['depression'], drafts: [{ drug: 'phenelzine', indications: ['resistantDepression'] }] },
      { weight: 0.15, conditions: ['depression'], drafts: [{ drug: 'sertraline', indications: ['depression'] }] },
    ],
  },
  {
    id: 'statin-macrolide',
    kind: 'interaction',
    weight: 2,
    minAge: 35,
    conflict: [{ weight: 1, conditions: ['hyperlipidemia'], meds: ['simvastatin'], drafts: [{ drug: 'clarithromycin', indications: ['pneumonia', 'sinusitis'] }] }],
    safe: [
      { weight: 0.5, conditions: ['hyperlipidemia'], meds: ['simvastatin'], drafts: [{ drug: 'amoxicillin', indications: ['pneumonia', 'sinusitis'] }] },
      { weight: 0.5, drafts: [{ drug: 'clarithromycin', indications: ['pneumonia', 'sinusitis'] }] },
    ],
  },
  {
    id: 'methotrexate',
    kind: 'interaction',
    weight: 2,
    minAge: 25,
    conflict: [
      { weight: 0.5, conditions: ['rheumatoidArthritis'], meds: ['methotrexate'], drafts: [{ drug: 'smxTmp', indications: ['uti'] }] },
      {
        weight: 0.5,
        conditions: ['rheumatoidArthritis'],
        meds: ['methotrexate'],
        drafts: [
          { drug: 'ibuprofen', indications: ['raFlare'] },
          { drug: 'naproxen', indications: ['raFlare'] },
        ],
      },
    ],
    safe: [
      { weight: 0.3, conditions: ['rheumatoidArthritis'], meds: ['methotrexate'], drafts: [{ drug: 'cephalexin', indications: ['uti'] }] },
      { weight: 0.3, conditions: ['rheumatoidArthritis'], meds: ['methotrexate'], drafts: [{ drug: 'acetaminophen', indications: ['raFlare'] }] },
      { weight: 0.2, drafts: [{ drug: 'smxTmp', indications: ['uti'] }] },
      { weight: 0.2, drafts: NSAID_FOR_PAIN },
    ],
  },
  {
    id: 'pde5-nitrate',
    kind: 'interaction',
    weight: 2,
    minAge: 40,
    conflict: [
      { weight: 0.5, conditions: ['pde5'], meds: ['sildenafil'], drafts: [{ drug: 'nitroglycerin', indications: ['angina'] }] },
      {
        weight: 0.5,
        conditions: ['coronaryDisease'],
        meds: ['nitroglycerin', 'aspirin', 'atorvastatin'],
        drafts: [{ drug: 'sildenafil', indications: ['pde5'] }],
      },
    ],
    safe: [
      { weight: 0.3, conditions: ['pde5', 'hyperlipidemia'], meds: ['sildenafil'], drafts: [{ drug: 'atorvastatin', indications: ['hyperlipidemia'] }] },
      { weight: 0.35, conditions: ['coronaryDisease'], meds: ['aspirin', 'atorvastatin'], drafts: [{ drug: 'nitroglycerin', indications: ['angina'] }] },
      { weight: 0.35, conditions: ['pde5'], drafts: [{ drug: 'sildenafil', indications: ['pde5'] }] },
    ],
  },
  // ---- drug-lab --------------------------------------------------------------------------------
  {
    id: 'metformin-kidney',
    kind: 'drug-lab',
    weight: 4,
    minAge: 30,
    conflict: [{ weight: 1, conditions: ['diabetes'], egfr: EGFR_SEVERE, drafts: [{ drug: 'metformin', indications: ['diabetes'] }] }],
    safe: [
      { weight: 0.4, conditions: ['diabetes'], egfr: EGFR_SEVERE, drafts: [{ drug: 'insulinGlargine', indications: ['diabetes'] }] },
      { weight: 0.6, conditions: ['diabetes'], egfr: [45, 100], drafts: [{ drug: 'metformin', indications: ['diabetes'] }] },
    ],
  },
  {
    id: 'potassium-chloride-hyperkalemia',
    kind: 'drug-lab',
    weight: 3,
    minAge: 18,
    conflict: [
      { weight: 0.45, conditions: ['hypertension'], meds: ['hydrochlorothiazide'], potassium: K_HIGH, drafts: [{ drug: 'potassiumChloride', indications: ['potassiumSupplement'] }] },
      {
        weight: 0.25,
        minAge: 45,
        conditions: ['heartFailure'],
        meds: ['furosemide', 'carvedilol'],
        potassium: K_HIGH,
        egfr: [20, 50],
        drafts: [{ drug: 'potassiumChloride', indications: ['potassiumSupplement'] }],
      },
      // Also an interaction: the ACE inhibitor is why the potassium is high.
      {
        weight: 0.3,
        conditions: ['hypertension'],
        meds: ['lisinopril', 'hydrochlorothiazide'],
        potassium: K_HIGH,
        drafts: [{ drug: 'potassiumChloride', indications: ['potassiumSupplement'] }],
      },
    ],
    safe: [
      { weight: 0.6, conditions: ['hypertension'], meds: ['hydrochlorothiazide'], potassium: K_LOW, drafts: [{ drug: 'potassiumChloride', indications: ['hypokalemia'] }] },
      { weight: 0.4, minAge: 45, conditions: ['heartFailure'], meds: ['furosemide', 'carvedilol'], potassium: K_LOW, drafts: [{ drug: 'potassiumChloride', indications: ['hypokalemia'] }] },
    ],
  },
  {
    id: 'spironolactone-hyperkalemia',
    kind: 'drug-lab',
    weight: 2,
    minAge: 40,
    conflict: [
      {
        weight: 0.5,
        conditions: ['heartFailure'],
        meds: ['furosemide', 'carvedilol'],
        allergy: { allergen: 'aceInhibitor' },
        potassium: [5.2, 6.0],
        drafts: [{ drug: 'spironolactone', indications: ['heartFailure'] }],
      },
      { weight: 0.2, conditions: ['hypertension'], meds: ['hydrochlorothiazide'], potassium: [5.2, 6.0], drafts: [{ drug: 'spironolactone', indications: ['resistantHypertension'] }] },
      // Also an interaction (ACE inhibitor + spironolactone).
      {
        weight: 0.3,
        conditions: ['heartFailure'],
        meds: ['lisinopril', 'furosemide', 'carvedilol'],
        potassium: [5.2, 6.0],
        drafts: [{ drug: 'spironolactone', indications: ['heartFailure'] }],
      },
    ],
    safe: [
      {
        weight: 0.5,
        conditions: ['heartFailure'],
        meds: ['furosemide', 'carvedilol'],
        allergy: { allergen: 'aceInhibitor' },
        potassium: [3.6, 4.7],
        drafts: [{ drug: 'spironolactone', indications: ['heartFailure'] }],
      },
      { weight: 0.5, conditions: ['hypertension'], meds: ['hydrochlorothiazide'], potassium: [3.4, 4.6], drafts: [{ drug: 'spironolactone', indications: ['resistantHypertension'] }] },
    ],
  },
  {
    id: 'nsaid-kidney',
    kind: 'drug-lab',
    weight: 3,
    minAge: 50,
    conflict: [
      {
        weight: 1,
        egfr: EGFR_SEVERE,
        drafts: [
          { drug: 'ibuprofen', indications: ['gout', 'osteoarthritis'] },
          { drug: 'naproxen', indications: ['gout', 'osteoarthritis'] },
        ],
      },
    ],
    safe: [
      { weight: 0.5, egfr: EGFR_SEVERE, drafts: [{ drug: 'acetaminophen', indications: ['osteoarthritis'] }] },
      {
        weight: 0.5,
        egfr: [60, 100],
        drafts: [
          { drug: 'ibuprofen', indications: ['gout', 'osteoarthritis'] },
          { drug: 'naproxen', indications: ['gout', 'osteoarthritis'] },
        ],
      },
    ],
  },
  // ---- routine orders (label 0 only) ---------------------------------------------------------
  {
    id: 'routine',
    kind: null,
    weight: 1,
    minAge: 18,
    conflict: [],
    safe: [
      { weight: 0.2, drafts: [{ drug: 'acetaminophen', indications: PAIN }] },
      { weight: 0.12, conditions: ['hyperlipidemia'], drafts: [{ drug: 'atorvastatin', indications: ['hyperlipidemia'] }] },
      { weight: 0.12, conditions: ['hypertension'], drafts: [{ drug: 'lisinopril', indications: ['hypertension'] }] },
      { weight: 0.08, conditions: ['hypertension'], drafts: [{ drug: 'hydrochlorothiazide', indications: ['hypertension'] }] },
      { weight: 0.12, drafts: [{ drug: 'cephalexin', indications: ['cellulitis', 'uti'] }] },
      { weight: 0.12, drafts: [{ drug: 'amoxicillin', indications: ['sinusitis', 'pharyngitis', 'pneumonia'] }] },
      { weight: 0.1, conditions: ['diabetes'], egfr: [45, 110], drafts: [{ drug: 'metformin', indications: ['diabetes'] }] },
      { weight: 0.08, conditions: ['depression'], drafts: [{ drug: 'sertraline', indications: ['depression'] }] },
      { weight: 0.06, drafts: NSAID_FOR_PAIN },
    ],
  },
];

/** Situations of a kind (null: routine). */
export function situationsOf(kind: ConflictKind | null): readonly Situation[] {
  return SITUATIONS.filter((s) => s.kind === kind);
}
