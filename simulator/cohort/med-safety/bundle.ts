import type {
  AllergyIntolerance,
  AllergyIntoleranceReaction,
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  Condition,
  Dosage,
  Encounter,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Reference,
} from 'fhir/r4.js';
import { LOINC, SNOMED, UCUM } from '../../fhir/bundle-access.ts';
import { birthDateFor, deepFreeze, personName, usCoreExtensions } from '../demographics.ts';
import { MRN_SYSTEM, OBSERVATION_CATEGORY } from '../sepsis/bundle.ts';
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
 * Speed: constant codings are built once, deep-frozen and shared by every bundle (a perturbation
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

const CONDITION_CODE = keyed<ConditionKey, CodeableConcept>(CONDITION_KEYS, (c) => {
  const def = CONDITIONS[c];
  return def.snomed === null ? { text: def.display } : { coding: [{ system: SNOMED, code: def.snomed, display: def.display }], text: def.display };
});
const REASON = keyed<IndicationKey, CodeableConcept[]>(INDICATION_KEYS, (i) => {
  const def = INDICATIONS[i];
  return [def.snomed === null ? { text: def.text } : { coding: [{ system: SNOMED, code: def.snomed, display: def.text }], text: def.text }];
});
const REACTION = keyed<ReactionKey, AllergyIntoleranceReaction[]>(REACTION_KEYS, (r) => [
  { manifestation: [{ coding: [{ system: SNOMED, code: REACTIONS[r].snomed, display: REACTIONS[r].display }], text: REACTIONS[r].display }] },
]);

const CONDITION_CLINICAL: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active', display: 'Active' }],
});
const CONDITION_VERIFICATION: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed', display: 'Confirmed' }],
});
const CONDITION_CATEGORY: CodeableConcept[] = deepFreeze([
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] },
]);
const ALLERGY_CLINICAL: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active', display: 'Active' }],
});
const ALLERGY_VERIFICATION: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed', display: 'Confirmed' }],
});
const ALLERGY_CATEGORY: 'medication'[] = deepFreeze(['medication']);

const LAB_CATEGORY: CodeableConcept[] = deepFreeze([{ coding: [{ system: OBSERVATION_CATEGORY, code: 'laboratory', display: 'Laboratory' }] }]);
const LAB_CODE = keyed<LabKey, CodeableConcept>(LAB_KEYS, (l) => ({
  coding: [{ system: LOINC, code: LABS[l].loinc, display: LABS[l].display }],
  text: LABS[l].text,
}));

const ENCOUNTER_CLASS: Record<'AMB' | 'IMP', Coding> = {
  AMB: deepFreeze({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' }),
  IMP: deepFreeze({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' }),
};
const MRN_TYPE: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }],
});

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
  const d = p.demographics;
  const patientId = uuid(SLOT.patient);
  const encounterId = uuid(SLOT.encounter);
  const subject: Reference = { reference: `urn:uuid:${patientId}` };
  const encounterRef: Reference = { reference: `urn:uuid:${encounterId}` };
  const timestamp = new Date(p.orderMs).toISOString();
  const name = personName(d.nameSeed, d.sex);
  const pahPatient = p.conditions.includes('pulmonaryHypertension') ? 'pulmonaryHypertension' : null;

  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId,
    extension: usCoreExtensions(d.race, d.ethnicity, d.sex),
    identifier: [{ use: 'usual', type: MRN_TYPE, system: MRN_SYSTEM, value: name.mrn }],
    name: [{ use: 'official', family: name.family, given: [name.given] }],
    gender: d.sex,
    birthDate: birthDateFor(d.ageYears, d.birthdayOffsetDays, p.orderMs),
  };
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: encounterId,
    status: 'in-progress',
    class: ENCOUNTER_CLASS[p.setting],
    subject,
    period: { start: new Date(p.encounterStartMs).toISOString() },
  };
  const entry: BundleEntry[] = [
    { fullUrl: `urn:uuid:${patientId}`, resource: patient },
    { fullUrl: `urn:uuid:${encounterId}`, resource: encounter },
  ];

  const conditions = [...p.conditions].sort((x, y) => CONDITION_INDEX.get(x)! - CONDITION_INDEX.get(y)!);
  for (const c of conditions) {
    const id = uuid(SLOT.condition + CONDITION_INDEX.get(c)!);
    const condition: Condition = {
      resourceType: 'Condition',
      id,
      clinicalStatus: CONDITION_CLINICAL,
      verificationStatus: CONDITION_VERIFICATION,
      category: CONDITION_CATEGORY,
      code: CONDITION_CODE[c],
      subject,
    };
    entry.push({ fullUrl: `urn:uuid:${id}`, resource: condition });
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
    const id = uuid(SLOT.lab + i);
    const obs: Observation = {
      resourceType: 'Observation',
      id,
      status: 'final',
      category: LAB_CATEGORY,
      code: LAB_CODE[key],
      subject,
      effectiveDateTime: labsAt,
      valueQuantity: { value, unit: LABS[key].ucum, system: UCUM, code: LABS[key].ucum },
    };
    entry.push({ fullUrl: `urn:uuid:${id}`, resource: obs });
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

  return { resourceType: 'Bundle', id: uuid(SLOT.bundle), type: 'collection', timestamp, entry };
}
