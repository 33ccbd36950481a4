import { describe, expect, it } from 'vitest';
import type { Bundle, CodeableConcept, MedicationRequest } from 'fhir/r4.js';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { CONFLICT_TABLE, isSignificant } from '../../simulator/cohort/med-safety/index.ts';
import { DRUGS } from '../../simulator/cohort/med-safety/codes.ts';
import { Card } from '../../adapters/cds-card.ts';
import { orderSignRequest } from '../../adapters/cds-hooks.ts';
import { CdsRequest } from '../../models/med-safety/request.ts';
import { createMedSafetyService, PREFETCH, type CdsCard } from '../../models/med-safety/service.ts';
import { conceptKeys, ingredientKeys, RXNORM_SYSTEM, VOCABULARY } from '../../models/med-safety/rxnorm.ts';

/**
 * The med-safety reference service on its own (no HTTP): its vocabulary, the two code readers, and
 * its cards against the cohort's truth. Requests are built the way the cds-hooks adapter builds them.
 */

const SEED = 606;
const flawed = createMedSafetyService();
const flawFree = createMedSafetyService({ flawFree: true });
const SMX_TMP = '10831';

function cardsFor(service: typeof flawed, bundle: Bundle): CdsCard[] {
  const request = CdsRequest.parse(orderSignRequest(bundle, PREFETCH, { hook: 'order-sign', hookInstance: 'test' }));
  return service.evaluate({ ...request, prefetch: request.prefetch! });
}
const alerts = (cards: readonly CdsCard[]) => cards.some((c) => c.indicator !== 'info');

const rx = (code: string, display?: string, text?: string): CodeableConcept => ({
  coding: [{ system: RXNORM_SYSTEM, code, ...(display ? { display } : {}) }],
  ...(text ? { text } : {}),
});

describe('RxNorm vocabulary and readers', () => {
  it('lists every code of the conflict table and of the cohort, with SMX/TMP as a MIN', () => {
    const codes = new Set<string>();
    for (const rule of CONFLICT_TABLE) {
      if (rule.kind === 'allergy') [...rule.allergens, ...rule.drugs].forEach((c) => codes.add(c));
      else if (rule.kind === 'interaction') [...rule.a, ...rule.b].forEach((c) => codes.add(c));
      else rule.drugs.forEach((c) => codes.add(c));
    }
    for (const d of Object.values(DRUGS)) codes.add(d.rxnorm);
    for (const code of codes) expect(VOCABULARY.has(code), code).toBe(true);
    expect(VOCABULARY.get(SMX_TMP)).toMatchObject({ tty: 'MIN', ingredients: ['10180', '10829'] });
  });

  it('flawed: ingredients only — a MIN becomes its INs, an unlisted code is dropped', () => {
    expect(ingredientKeys(rx('5640'))).toEqual(['5640']);
    expect(ingredientKeys(rx(SMX_TMP))).toEqual(['10180', '10829']);
    expect(ingredientKeys(rx('198335', 'sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet'))).toEqual([]);
    expect(ingredientKeys({ text: 'ibuprofen 400 mg' })).toEqual([]);
  });

  it('flaw-free: the code at both levels, and ingredient names of unlisted codes', () => {
    expect(conceptKeys(rx('5640'))).toEqual(['5640']);
    expect(conceptKeys(rx(SMX_TMP)).sort()).toEqual(['10180', '10829', SMX_TMP].sort());
    expect(conceptKeys(rx('198335', 'sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet')).sort()).toEqual(['10180', '10829', SMX_TMP].sort());
    expect(conceptKeys(rx('999999', 'Potassium Chloride 20 MEQ Extended Release Oral Tablet'))).toEqual(['8591']);
    expect(conceptKeys({ text: 'ibuprofen 400 mg' })).toEqual(['5640']);
    expect(conceptKeys({ coding: [{ system: 'http://hl7.org/fhir/sid/ndc', code: '0000', display: 'Warfarin Sodium 5 MG Oral Tablet' }] })).toEqual(['11289']);
    expect(conceptKeys(null)).toEqual([]);
  });
});

describe('med-safety service on 2,000 generated orders', () => {
  const cases = Array.from({ length: 2000 }, (_, i) => tasks['med-safety'].generate({ seed: SEED }, i));

  it('flaw-free: alerts on exactly the orders with a contraindicated or major conflict', () => {
    for (const c of cases) expect(alerts(cardsFor(flawFree, c.bundle)), `case ${c.index}`).toBe(c.truth.label === 1);
  });

  it('flawed: misses exactly the orders whose significant conflicts all involve SMX/TMP (MIN 10831), no false alerts', () => {
    let missed = 0;
    for (const c of cases) {
      const significant = (c.truth.conflicts ?? []).filter((x) => isSignificant(x.severity));
      const draft = c.bundle.entry!.map((e) => e.resource).find((r): r is MedicationRequest => r?.resourceType === 'MedicationRequest' && r.status === 'draft')!;
      const viaMin = (x: (typeof significant)[number]) => x.with === SMX_TMP || draft.medicationCodeableConcept?.coding?.[0]?.code === SMX_TMP;
      const expected = significant.length > 0 && !significant.every(viaMin);
      const got = alerts(cardsFor(flawed, c.bundle));
      expect(got, `case ${c.index}`).toBe(expected);
      if (significant.length > 0 && !got) missed++;
    }
    const positives = cases.filter((c) => c.truth.label === 1).length;
    expect(missed / positives).toBeGreaterThan(0.08);
    expect(missed / positives).toBeLessThan(0.25);
  });

  it('answers valid, deterministic cards: info for caution conflicts, a removal suggestion on alerts', () => {
    let caution = 0;
    for (const c of cases.slice(0, 600)) {
      const cards = cardsFor(flawFree, c.bundle);
      expect(cardsFor(flawFree, c.bundle)).toEqual(cards);
      for (const card of cards) {
        expect(Card.safeParse(card).success).toBe(true);
        expect(card.summary.length).toBeLessThanOrEqual(140);
        if (card.indicator === 'info') expect(card.suggestions).toBeUndefined();
        else expect(card.suggestions?.[0]?.actions[0]).toMatchObject({ type: 'delete', resourceId: expect.stringMatching(/^MedicationRequest\//) });
      }
      if ((c.truth.conflicts ?? []).some((x) => x.severity === 'caution')) {
        caution++;
        expect(cards.some((k) => k.indicator === 'info')).toBe(true);
      }
    }
    expect(caution).toBeGreaterThan(0);
  });

  it('compares a lab only in the rule’s unit', () => {
    const c = cases.find((x) => x.truth.conflicts?.some((k) => k.kind === 'drug-lab' && k.with === '2823-3'))!;
    expect(alerts(cardsFor(flawFree, c.bundle))).toBe(true);
    const mEq: Bundle = {
      ...c.bundle,
      entry: c.bundle.entry!.map((e) =>
        e.resource?.resourceType === 'Observation' && e.resource.code.coding?.[0]?.code === '2823-3'
          ? { ...e, resource: { ...e.resource, valueQuantity: { ...e.resource.valueQuantity, unit: 'meq/L', code: 'meq/L' } } }
          : e,
      ),
    };
    const kCards = cardsFor(flawFree, mEq).filter((k) => k.source.topic.code.endsWith('hyperkalemia'));
    expect(kCards).toEqual([]);
  });
});
