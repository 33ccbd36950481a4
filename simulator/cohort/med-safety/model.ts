import { clamp, normal, type Rng } from '../../random.ts';
import { drawDemographics, type Demographics } from '../demographics.ts';
import type { PatientOverrides } from '../task.ts';
import { ACE_INTOLERANCE_UNEXPOSED, ALLERGEN_PROFILE, ALLERGEN_PROFILES, SEVERE_REACTIONS, type AllergenProfile } from './allergies.ts';
import { DRUGS, type ConditionKey, type DrugKey, type IndicationKey, type ReactionKey } from './codes.ts';
import { CONFLICT_KINDS, findConflicts, rulesForDraft, type ConflictKind } from './conflicts.ts';
import { ckdEpi2021, creatinineFor } from './kidney.ts';
import { SITUATIONS, type AllergenClass, type Range, type Situation, type SituationAllergy, type Variant } from './situations.ts';

/**
 * The med-safety generative model, in numbers and keys only (no FHIR). Documented in
 * docs/cohorts.md.
 *
 * Stream discipline: every uniform is drawn up front, in a fixed order, whatever the branch
 * (DRAWS_PER_PATIENT in all; the unit tests check it), so overrides — which replace demographic
 * values after they are drawn — leave every later draw on the same uniforms.
 */

/** Reference year of order times (the same as the sepsis task's); never the wall clock. */
export const REFERENCE_YEAR = 2025;
const YEAR_START_MS = Date.UTC(REFERENCE_YEAR, 0, 1);
const YEAR_SECONDS = 365 * 86_400;

/** Default target share of label 1 (a conflict-enriched test set; see docs/cohorts.md). */
export const DEFAULT_PREVALENCE = 0.35;
/** Share of label-0 cases that are routine orders rather than near misses of a conflict situation. */
export const ROUTINE_SHARE = 0.25;
/** Active-medication slots with their own uniform (form and start date); more medications are dropped. */
export const MED_SLOTS = 16;

export const DRAWS_PER_PATIENT = 4 + 8 + 3 + 6 + 2 + 12 + 15 + 9 + MED_SLOTS;

/** Background comorbidities, in draw order. Chronic kidney disease follows from the kidney function. */
export const BACKGROUND = ['hypertension', 'diabetes', 'hyperlipidemia', 'atrialFibrillation', 'heartFailure', 'coronaryDisease', 'depression', 'rheumatoidArthritis', 'ckd'] as const;
type Background = (typeof BACKGROUND)[number];

export interface ActiveMedication {
  readonly drug: DrugKey;
  /** MedicationRequest (active order) or MedicationStatement (reported / reconciled). */
  readonly form: 'request' | 'statement';
  /** Epoch ms, whole days before the order. */
  readonly startMs: number;
}

export interface AllergyEntry {
  readonly class: AllergenClass;
  readonly substance: DrugKey;
  readonly type: 'allergy' | 'intolerance';
  readonly reaction: ReactionKey;
}

/** Reported lab values, null when not resulted. */
export interface Labs {
  /** mmol/L, 1 decimal */
  readonly potassium: number | null;
  /** mg/dL, 2 decimals */
  readonly creatinine: number | null;
  /** mL/min/{1.73_m2}, integer; CKD-EPI 2021 of the reported creatinine */
  readonly egfr: number | null;
  /** {INR}, 1 decimal */
  readonly inr: number | null;
}

export interface DraftOrder {
  readonly drug: DrugKey;
  readonly intent: 'order' | 'proposal';
  readonly indication: IndicationKey;
}

export interface MedSafetyPatient {
  readonly uuidWords: readonly [number, number, number, number];
  readonly demographics: Demographics;
  /** Epoch ms (whole seconds): the draft order (Bundle.timestamp), encounter start, lab collection. */
  readonly orderMs: number;
  readonly encounterStartMs: number;
  readonly labsMs: number;
  readonly setting: 'AMB' | 'IMP';
  /** Design (not in the bundle): situation id, conflict or safe variant, the situation's kind (null: routine). */
  readonly design: { readonly situation: string; readonly conflict: boolean; readonly kind: ConflictKind | null };
  readonly conditions: readonly ConditionKey[];
  readonly medications: readonly ActiveMedication[];
  readonly allergies: readonly AllergyEntry[];
  readonly labs: Labs;
  /** Kidney function the creatinine was derived from (latent). */
  readonly egfrTarget: number;
  readonly draft: DraftOrder;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
/** Logistic approximation of the standard normal CDF (max error ≈ 0.01). */
const normalCdf = (z: number): number => 1 / (1 + Math.exp(-1.702 * z));

/** Index drawn by one uniform over unnormalised weights, and the uniform's rest within that index (in [0, 1)). */
function choose(u: number, weights: readonly number[]): [number, number] {
  let total = 0;
  for (const w of weights) total += w;
  let x = u * total;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (x < w) return [i, w > 0 ? x / w : 0];
    x -= w;
  }
  return [weights.length - 1, 0];
}

function inRange(range: Range, p: number): number {
  return range[0] + (range[1] - range[0]) * p;
}

const RX = (d: DrugKey): string => DRUGS[d].rxnorm;
const EMPTY_LABS: Readonly<Record<string, number | undefined>> = {};

// Conflict lookups the generator makes to keep background items from clashing with the design.
const pairCache = new Map<string, boolean>();
/** True when ordering `draft` conflicts (any severity) with an active `other` or an allergy to `other`. */
function clashes(draft: DrugKey, other: DrugKey, asAllergy: boolean): boolean {
  const key = `${draft}\u001f${other}\u001f${asAllergy ? 1 : 0}`;
  let hit = pairCache.get(key);
  if (hit === undefined) {
    const code = RX(other);
    hit = findConflicts({ draft: RX(draft), active: asAllergy ? [] : [code], allergies: asAllergy ? [code] : [], labs: EMPTY_LABS }).length > 0;
    pairCache.set(key, hit);
  }
  return hit;
}

/** Safe-side limits for a draft's drug-lab rules when the design is not that drug-lab conflict. */
interface LabLimits {
  readonly egfrFloor: number;
  readonly potassiumCeiling: number;
}
const limitsCache = new Map<DrugKey, LabLimits>();
function labLimits(drug: DrugKey): LabLimits {
  let limits = limitsCache.get(drug);
  if (!limits) {
    let egfrFloor = 0;
    let potassiumCeiling = Infinity;
    for (const rule of rulesForDraft(RX(drug))) {
      if (rule.kind !== 'drug-lab') continue;
      // Margins keep safe cases clear of the grey zone: metformin is not started at eGFR 30–45, and
      // NSAIDs are best avoided below 60; potassium stays at or below 4.9.
      if (rule.comparator === '<') egfrFloor = Math.max(egfrFloor, drug === 'metformin' ? 45 : 60);
      else potassiumCeiling = Math.min(potassiumCeiling, rule.threshold - 0.1);
    }
    limits = { egfrFloor, potassiumCeiling };
    limitsCache.set(drug, limits);
  }
  return limits;
}

const SUBSTANCE_WEIGHTS = new Map(ALLERGEN_PROFILES.map((p) => [p, p.substances.map((s) => s.weight)]));
const MILD_REACTIONS = new Map(ALLERGEN_PROFILES.map((p) => [p, p.reactions.filter((r) => !SEVERE_REACTIONS.has(r.reaction))]));

function pickAllergy(profile: AllergenProfile, uSubstance: number, uReaction: number, mild: boolean): AllergyEntry {
  const substance = profile.substances[choose(uSubstance, SUBSTANCE_WEIGHTS.get(profile)!)[0]]!.drug;
  const reactions = mild ? MILD_REACTIONS.get(profile)! : profile.reactions;
  const reaction = reactions[choose(uReaction, reactions.map((r) => r.weight))[0]]!.reaction;
  return { class: profile.class, substance, type: profile.type, reaction };
}


function resolveSexed<T extends string>(key: T | 'pde5', female: boolean): T | 'erectileDysfunction' | 'pulmonaryHypertension' {
  return key === 'pde5' ? (female ? 'pulmonaryHypertension' : 'erectileDysfunction') : key;
}

const BY_KIND = new Map<ConflictKind | null, readonly Situation[]>(
  [null, ...CONFLICT_KINDS].map((k) => [k, SITUATIONS.filter((s) => s.kind === k)]),
);

/** Picks the situation of a case: by kind (thirds among conflicts; routine share among safe cases), then weight, among those the age allows. */
function pickSituation(conflict: boolean, uKind: number, uSituation: number, age: number): Situation {
  let kind: ConflictKind | null;
  if (conflict) kind = CONFLICT_KINDS[Math.min(2, Math.floor(uKind * 3))]!;
  else if (uKind < ROUTINE_SHARE) kind = null;
  else kind = CONFLICT_KINDS[Math.min(2, Math.floor(((uKind - ROUTINE_SHARE) / (1 - ROUTINE_SHARE)) * 3))]!;
  const ofKind = BY_KIND.get(kind)!;
  const weights = ofKind.map((s) => (age >= s.minAge ? s.weight : 0));
  // Every kind has a situation open to adults of any age; the fallback only guards the data.
  const open = weights.some((w) => w > 0);
  return ofKind[choose(uSituation, open ? weights : ofKind.map((s) => s.weight))[0]]!;
}


/** Draws one patient. `prevalence` is the probability the case is built as a conflict (label 1). */
export function drawMedSafetyPatient(rng: Rng, prevalence: number, overrides?: PatientOverrides): MedSafetyPatient {
  // ---- every uniform, in a fixed order ----
  const uuidWords = [rng.int32(), rng.int32(), rng.int32(), rng.int32()] as const; // 4
  const demographics = drawDemographics(rng, overrides); // 8
  const uOrder = rng(); // times (3)
  const uEncounter = rng();
  const uLabTime = rng();
  const uLabel = rng(); // scenario (6)
  const uKind = rng();
  const uSituation = rng();
  const uVariant = rng();
  const uDraft = rng();
  const uIntent = rng();
  const uSitSubstance = rng(); // situation allergy (2)
  const uSitReaction = rng();
  const uBackground: number[] = []; // background comorbidities (9 + 3)
  for (let i = 0; i < BACKGROUND.length; i++) uBackground.push(rng());
  const uStatin = rng();
  const uHfSpironolactone = rng();
  const uCadNitrate = rng();
  const uAllergy: number[] = []; // background allergies (5 × 3)
  for (let i = 0; i < ALLERGEN_PROFILES.length * 3; i++) uAllergy.push(rng());
  const uBmp = rng(); // labs (9)
  const uInrPresent = rng();
  const uKidney = rng();
  const zKidney = normal(rng);
  const zPotassium = normal(rng);
  const zInr = normal(rng);
  const uSlots: number[] = []; // medication slots
  for (let i = 0; i < MED_SLOTS; i++) uSlots.push(rng());

  const age = demographics.ageYears;
  const female = demographics.sex === 'female';
  const male = female ? 0 : 1;
  const a = (age - 65) / 10;

  // ---- design: situation, variant, draft ----
  const conflict = uLabel < prevalence;
  const situation = pickSituation(conflict, uKind, uSituation, age);
  const variants = conflict ? situation.conflict : situation.safe;
  const variantWeights = variants.map((v) => (age >= (v.minAge ?? 0) ? v.weight : 0));
  const variant: Variant = variants[choose(uVariant, variantWeights.some((w) => w > 0) ? variantWeights : variants.map((v) => v.weight))[0]]!;
  const [draftIndex, draftRest] = choose(uDraft, variant.drafts.map((d) => d.weight ?? 1));
  const option = variant.drafts[draftIndex]!;
  const indication = resolveSexed(option.indications[Math.min(option.indications.length - 1, Math.floor(draftRest * option.indications.length))]!, female);
  const draftDrug = option.drug;
  const draft: DraftOrder = { drug: draftDrug, intent: uIntent < 0.85 ? 'order' : 'proposal', indication };
  const setting = variant.setting ?? 'AMB';

  // ---- times ----
  const orderMs = YEAR_START_MS + Math.floor(uOrder * YEAR_SECONDS) * 1000;
  const encounterStartMs =
    setting === 'AMB' ? orderMs - (10 + Math.floor(uEncounter * 50)) * 60_000 : orderMs - (6 * 3600 + Math.floor(uEncounter * 90 * 3600)) * 1000;
  const labsMs =
    setting === 'AMB'
      ? orderMs - (3600 + Math.floor(uLabTime * 7 * 86_400)) * 1000
      : encounterStartMs + Math.floor(((0.1 + 0.8 * uLabTime) * (orderMs - encounterStartMs)) / 1000) * 1000;

  // ---- forced context ----
  const forcedConditions: ConditionKey[] = (variant.conditions ?? []).map((c) => resolveSexed(c, female));
  const forcedMeds: readonly DrugKey[] = variant.meds ?? [];
  const allergies: AllergyEntry[] = [];
  const situationAllergy: SituationAllergy | undefined = variant.allergy;
  if (situationAllergy) {
    allergies.push(pickAllergy(ALLERGEN_PROFILE[situationAllergy.allergen], uSitSubstance, uSitReaction, situationAllergy.mild === true));
  }

  // ---- background comorbidities (drawn by age) ----
  const has: Record<Background, boolean> = {
    hypertension: uBackground[0]! < logistic(0.3 + 0.7 * a),
    diabetes: uBackground[1]! < logistic(-1.55 + 0.38 * a),
    hyperlipidemia: uBackground[2]! < logistic(-0.2 + 0.55 * a),
    atrialFibrillation: uBackground[3]! < logistic(-2.7 + 0.8 * a),
    heartFailure: false,
    coronaryDisease: false,
    depression: uBackground[6]! < 0.08,
    rheumatoidArthritis: uBackground[7]! < 0.015,
    ckd: false,
  };
  has.heartFailure = uBackground[4]! < logistic(-3.0 + 0.65 * a + 0.4 * +has.diabetes);
  has.coronaryDisease = uBackground[5]! < logistic(-2.4 + 0.6 * a + 0.3 * male + 0.3 * +has.diabetes);
  has.ckd = uBackground[8]! < logistic(-2.3 + 0.55 * a + 0.9 * +has.diabetes + 0.4 * +has.hypertension);

  // ---- background allergies: left out when they would clash with the draft or a designed medication ----
  const exposedToAce = has.hypertension || has.heartFailure || forcedConditions.includes('hypertension') || forcedConditions.includes('heartFailure');
  for (let k = 0; k < ALLERGEN_PROFILES.length; k++) {
    const profile = ALLERGEN_PROFILES[k]!;
    const p = profile.class === 'aceInhibitor' && !exposedToAce ? ACE_INTOLERANCE_UNEXPOSED : profile.prevalence;
    if (!(uAllergy[3 * k]! < p)) continue;
    if (allergies.some((e) => e.class === profile.class)) continue;
    const entry = pickAllergy(profile, uAllergy[3 * k + 1]!, uAllergy[3 * k + 2]!, false);
    if (clashes(draftDrug, entry.substance, true)) continue;
    if (forcedMeds.some((m) => clashes(m, entry.substance, true))) continue;
    allergies.push(entry);
  }
  const aceIntolerant = allergies.some((e) => e.class === 'aceInhibitor');

  // ---- kidney function ----
  const limits = labLimits(draftDrug);
  let egfrTarget: number;
  if (variant.egfr) egfrTarget = inRange(variant.egfr, uKidney);
  else {
    egfrTarget = has.ckd ? 59 - 44 * Math.pow(uKidney, 1.8) : clamp(112 - 0.9 * Math.max(0, age - 25) + 13 * zKidney, 60, 130);
    egfrTarget = Math.max(egfrTarget, limits.egfrFloor);
  }
  const creatinine = round2(clamp(creatinineFor(egfrTarget, age, demographics.sex), 0.3, 15));
  const egfr = Math.round(ckdEpi2021(creatinine, age, demographics.sex));
  const ckd = egfr < 60;

  // ---- background medications; a comorbidity whose medications clash with the draft or an allergy is left out ----
  const meds: DrugKey[] = [...forcedMeds];
  const conditions: ConditionKey[] = [...forcedConditions];
  const heartFailure = has.heartFailure || forcedConditions.includes('heartFailure');
  const addBackground = (condition: ConditionKey, drugs: readonly DrugKey[]): void => {
    for (const d of drugs) {
      if (d === draftDrug) continue;
      if (clashes(draftDrug, d, false)) return;
      for (const e of allergies) if (clashes(d, e.substance, true)) return;
    }
    if (!conditions.includes(condition)) conditions.push(condition);
    for (const d of drugs) if (d !== draftDrug && !meds.includes(d)) meds.push(d);
  };
  if (has.hypertension) addBackground('hypertension', [aceIntolerant ? 'hydrochlorothiazide' : 'lisinopril']);
  if (has.diabetes) addBackground('diabetes', [egfr < 30 ? 'insulinGlargine' : 'metformin']);
  if (has.hyperlipidemia) addBackground('hyperlipidemia', [uStatin < 0.7 ? 'atorvastatin' : 'simvastatin']);
  if (has.atrialFibrillation) addBackground('atrialFibrillation', heartFailure ? ['warfarin'] : ['warfarin', 'metoprolol']);
  if (has.heartFailure) {
    // One beta blocker: carvedilol, unless the patient is already on metoprolol.
    const hf: DrugKey[] = aceIntolerant ? ['furosemide'] : ['lisinopril', 'furosemide'];
    if (!meds.includes('metoprolol')) hf.push('carvedilol');
    if (uHfSpironolactone < 0.3) hf.push('spironolactone');
    addBackground('heartFailure', hf);
  }
  if (has.coronaryDisease) addBackground('coronaryDisease', uCadNitrate < 0.4 ? ['aspirin', 'atorvastatin', 'nitroglycerin'] : ['aspirin', 'atorvastatin']);
  if (has.depression) addBackground('depression', ['sertraline']);
  if (has.rheumatoidArthritis) addBackground('rheumatoidArthritis', ['methotrexate']);
  if (ckd && !conditions.includes('ckd')) conditions.push('ckd');
  if (meds.length > MED_SLOTS) meds.length = MED_SLOTS;

  const medications: ActiveMedication[] = meds.map((drug, i) => {
    const u = uSlots[i]!;
    const statement = u < 0.3;
    const rest = statement ? u / 0.3 : (u - 0.3) / 0.7;
    const days = 30 + Math.floor(rest * 1800);
    return { drug, form: statement ? 'statement' : 'request', startMs: orderMs - days * 86_400_000 };
  });

  // ---- labs ----
  const on = (d: DrugKey): number => (meds.includes(d) ? 1 : 0);
  const aceInhibitor = on('lisinopril');
  const potassiumMean =
    4.2 + 0.2 * aceInhibitor + 0.3 * on('spironolactone') + 0.25 * +(egfr < 45) + 0.25 * +(egfr < 30) - 0.4 * on('furosemide') - 0.25 * on('hydrochlorothiazide');
  let potassium = variant.potassium ? inRange(variant.potassium, normalCdf(zPotassium)) : clamp(potassiumMean + 0.35 * zPotassium, 2.8, 6.5);
  if (!variant.potassium) potassium = Math.min(potassium, limits.potassiumCeiling);
  const onWarfarin = meds.includes('warfarin');
  const inr = onWarfarin ? clamp(2.5 + 0.45 * zInr, 1.3, 4.5) : clamp(1.0 + 0.08 * zInr, 0.8, 1.3);

  const chronic = conditions.length > 0 || meds.length > 0;
  const bmpPresent =
    variant.potassium !== undefined || variant.egfr !== undefined || limits.egfrFloor > 0 || limits.potassiumCeiling < Infinity || ckd || uBmp < (chronic ? 0.9 : 0.45);
  const inrPresent = onWarfarin || uInrPresent < 0.1;
  const labs: Labs = {
    potassium: bmpPresent ? round1(potassium) : null,
    creatinine: bmpPresent ? creatinine : null,
    egfr: bmpPresent ? egfr : null,
    inr: inrPresent ? round1(inr) : null,
  };

  return {
    uuidWords,
    demographics,
    orderMs,
    encounterStartMs,
    labsMs,
    setting,
    design: { situation: situation.id, conflict, kind: situation.kind },
    conditions,
    medications,
    allergies,
    labs,
    egfrTarget,
    draft,
  };
}
