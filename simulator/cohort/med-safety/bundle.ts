import type {
  AllergyIntolerance,
  AllergyIntoleranceReaction,
  Bundle,
  BundleEntry,
  CodeableConcept,
  Dosage,
  MedicationRequest,
  MedicationStatement,
} from 'fhir/r4.js';
import { deepFreeze } from '../demographics.ts';
import {
  collectionBundle,
  conditionResource,
  ENCOUNTER_CLASS,
  encounterResource,
  loincConcept,
  OBSERVATION_CATEGORIES,
  patientResource,
  quantityObservation,
  snomedConcept,
  urnEntry,
  urnReference,
} from '../fhir-builders.ts';
import { ALLERGEN_PROFILES, SEVERE_REACTIONS } from './allergies.ts';
import {
  CONDITION_KEYS,
  CONDITIONS,
  DRUG_KEYS,
  DRUGS,
  INDICATION_KEYS,
  INDICATIONS,
  LAB_KEYS,
  LABS,
  REACTION_KEYS,
  REACTIONS,
  RXNORM,
  SILDENAFIL_PAH_SIG,
  type ConditionKey,
  type DrugKey,
  type IndicationKey,
  type LabKey,
  type ReactionKey,
} from './codes.ts';
import { SLOT } from './ids.ts';
import { uuidFactory } from '../uuid.ts';
import type { MedSafetyPatient } from './model.ts';

/**
 * Numbers → FHIR R4 Bundle (type collection, timestamp = the order time): Patient, Encounter,
 * Conditions, AllergyIntolerances, active MedicationRequests / MedicationStatements, lab
 * Observations, and last the draft MedicationRequest (status draft) — the order being signed, which
 * a CDS Hooks `order-sign` call carries in `context.draftOrders`.
 *
 * Patient, Encounter, Condition and Observation come from fhir-builders.ts (shared with the other
 * tasks). Constant codings are built once, deep-frozen and shared by every bundle (a perturbation
 * must copy what it changes); everything else is plain object literals.
 */

const keyed = <K extends string, V>(keys: readonly K[], make: (k: K) => V): Record<K, V> =>
  Object.fromEntries(keys.map((k) => [k, deepFreeze(make(k))])) as Record<K, V>;

const MEDICATION_CODE = keyed<DrugKey, CodeableConcept>(DRUG_KEYS, (d) => ({
  coding: [{ system: RXNORM, code: DRUGS[d].rxnorm, display: DRUGS[d].display }],
  text: DRUGS[d].display,
}));
const DOSAGE = keyed<DrugKey, Dosage[]>(DRUG_KEYS, (d) => [{ text: DRUGS[d].sig }]);
const DOSAGE_SILDENAFIL_PAH: Dosage[] = deepFreeze([{ text: SILDENAFIL_PAH_SIG }]);

/** `snomed: null` in codes.ts (no SNOMED CT code confirmed) → coded as text only. */
const snomedOrText = (code: string | null, text: string): CodeableConcept => (code === null ? { text } : snomedConcept(code, text));

const CONDITION_CODE = keyed<ConditionKey, CodeableConcept>(CONDITION_KEYS, (c) => snomedOrText(CONDITIONS[c].snomed, CONDITIONS[c].display));
const REASON = keyed<IndicationKey, CodeableConcept[]>(INDICATION_KEYS, (i) => [snomedOrText(INDICATIONS[i].snomed, INDICATIONS[i].text)]);
const REACTION = keyed<ReactionKey, AllergyIntoleranceReaction[]>(REACTION_KEYS, (r) => [
  { manifestation: [snomedConcept(REACTIONS[r].snomed, REACTIONS[r].display)] },
]);

const ALLERGY_CLINICAL: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active', display: 'Active' }],
});
const ALLERGY_VERIFICATION: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed', display: 'Confirmed' }],
});
const ALLERGY_CATEGORY: 'medication'[] = deepFreeze(['medication']);

const LAB_CATEGORY = OBSERVATION_CATEGORIES.laboratory;
const LAB_CODE = keyed<LabKey, CodeableConcept>(LAB_KEYS, (l) => loincConcept(LABS[l].loinc, LABS[l].display, LABS[l].text));

const CONDITION_INDEX = new Map<ConditionKey, number>(CONDITION_KEYS.map((c, i) => [c, i]));
const DRUG_INDEX = new Map<DrugKey, number>(DRUG_KEYS.map((d, i) => [d, i]));
const ALLERGY_INDEX = new Map(ALLERGEN_PROFILES.map((p, i) => [p.class, i]));

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function dosageOf(drug: DrugKey, indication: IndicationKey | null): Dosage[] {
  return drug === 'sildenafil' && indication === 'pulmonaryHypertension' ? DOSAGE_SILDENAFIL_PAH : DOSAGE[drug];
}

/** The FHIR Bundle of a patient. */
export function medSafetyBundle(p: MedSafetyPatient): Bundle {
  const uuid = uuidFactory(p.uuidWords);
  const patientId = uuid(SLOT.patient);
  const encounterId = uuid(SLOT.encounter);
  const subject = urnReference(patientId);
  const encounterRef = urnReference(encounterId);
  const timestamp = new Date(p.orderMs).toISOString();
  const pahPatient = p.conditions.includes('pulmonaryHypertension') ? 'pulmonaryHypertension' : null;

  const entry: BundleEntry[] = [
    urnEntry(patientResource(patientId, p.demographics, p.orderMs)),
    urnEntry(encounterResource(encounterId, ENCOUNTER_CLASS[p.setting], subject, new Date(p.encounterStartMs).toISOString())),
  ];

  const conditions = [...p.conditions].sort((x, y) => CONDITION_INDEX.get(x)! - CONDITION_INDEX.get(y)!);
  for (const c of conditions) {
    entry.push(urnEntry(conditionResource(uuid(SLOT.condition + CONDITION_INDEX.get(c)!), CONDITION_CODE[c], subject)));
  }

  for (const a of p.allergies) {
    const id = uuid(SLOT.allergy + ALLERGY_INDEX.get(a.class)!);
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id,
      clinicalStatus: ALLERGY_CLINICAL,
      verificationStatus: ALLERGY_VERIFICATION,
      type: a.type,
      category: ALLERGY_CATEGORY,
      criticality: SEVERE_REACTIONS.has(a.reaction) ? 'high' : 'low',
      code: MEDICATION_CODE[a.substance],
      patient: subject,
      reaction: REACTION[a.reaction],
    };
    entry.push({ fullUrl: `urn:uuid:${id}`, resource: allergy });
  }

  for (const m of p.medications) {
    const id = uuid(SLOT.medication + DRUG_INDEX.get(m.drug)!);
    const start = isoDate(m.startMs);
    const dosage = dosageOf(m.drug, pahPatient);
    if (m.form === 'request') {
      const request: MedicationRequest = {
        resourceType: 'MedicationRequest',
        id,
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: MEDICATION_CODE[m.drug],
        subject,
        authoredOn: start,
        dosageInstruction: dosage,
      };
      entry.push({ fullUrl: `urn:uuid:${id}`, resource: request });
    } else {
      const statement: MedicationStatement = {
        resourceType: 'MedicationStatement',
        id,
        status: 'active',
        medicationCodeableConcept: MEDICATION_CODE[m.drug],
        subject,
        effectivePeriod: { start },
        dateAsserted: new Date(p.encounterStartMs).toISOString(),
        dosage,
      };
      entry.push({ fullUrl: `urn:uuid:${id}`, resource: statement });
    }
  }

  const labsAt = new Date(p.labsMs).toISOString();
  for (let i = 0; i < LAB_KEYS.length; i++) {
    const key = LAB_KEYS[i]!;
    const value = p.labs[key];
    if (value === null) continue;
    // No encounter reference (outpatient results predate the visit); null leaves the key out.
    const id = uuid(SLOT.lab + i);
    entry.push(urnEntry(quantityObservation(id, LAB_CATEGORY, LAB_CODE[key], subject, null, labsAt, value, LABS[key].ucum)));
  }

  const draftId = uuid(SLOT.draft);
  const draft: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id: draftId,
    status: 'draft',
    intent: p.draft.intent,
    medicationCodeableConcept: MEDICATION_CODE[p.draft.drug],
    subject,
    encounter: encounterRef,
    authoredOn: timestamp,
    reasonCode: REASON[p.draft.indication],
    dosageInstruction: dosageOf(p.draft.drug, p.draft.indication),
  };
  entry.push({ fullUrl: `urn:uuid:${draftId}`, resource: draft });

  return collectionBundle(uuid(SLOT.bundle), timestamp, entry);
}
