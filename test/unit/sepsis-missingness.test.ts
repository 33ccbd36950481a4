import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import { ageAt } from '../../simulator/cohort/group.ts';
import { sepsisTask } from '../../simulator/cohort/sepsis/index.ts';
import { CONDITION_CODES, LAB_CODES } from '../../simulator/cohort/sepsis/codes.ts';
import { INFECTION_COMPLAINTS, OTHER_COMPLAINTS, isAbdominalComplaint } from '../../simulator/cohort/sepsis/complaint.ts';
import { interceptFor } from '../../simulator/cohort/sepsis/calibrate.ts';
import { COMORBIDITIES, drawSepsisPatient, type Comorbidities, type SepsisPatient } from '../../simulator/cohort/sepsis/model.ts';
import { orderLabs, orderProbabilities, type OrderingInput } from '../../simulator/cohort/sepsis/ordering.ts';
import { logistic, riskTerms } from '../../simulator/cohort/sepsis/risk.ts';
import { noteText, observations, patientOf } from '../../simulator/fhir/bundle-access.ts';
import { patientStream } from '../../simulator/random.ts';

/**
 * Baseline missingness of the sepsis cohort (ordering.ts, docs/cohorts.md "Baseline missingness"):
 * what is in the bundle is what was ordered, the truth reads the full physiology, and the ordering
 * decisions depend only on data the bundle shows (missing at random).
 */

const SEED = 5150;
const N = 20_000;
const value = (b: Bundle, loinc: string): number | undefined => observations(b, loinc)[0]?.valueQuantity?.value;

interface Row {
  readonly p: SepsisPatient;
  readonly bundle: Bundle;
  readonly label: number;
  readonly risk: number;
}
let rows: Row[];

beforeAll(() => {
  rows = Array.from({ length: N }, (_, i) => {
    const c = sepsisTask.generate({ seed: SEED }, i);
    return { p: drawSepsisPatient(patientStream(SEED, 'sepsis', i)), bundle: c.bundle, label: c.truth.label!, risk: c.truth.risk! };
  });
});

/** Everything the ordering may read, taken from the bundle alone (never from the drawn patient). */
function observedInput(bundle: Bundle): OrderingInput {
  const num = (loinc: string) => value(bundle, loinc)!;
  const codes = new Set(
    (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Condition' ? [e.resource.code!.coding![0]!.code!] : [])),
  );
  const comorbidities = Object.fromEntries(COMORBIDITIES.map((c) => [c, codes.has(CONDITION_CODES[c].snomed)])) as Comorbidities;
  const note = noteText(bundle)!;
  const complaints = [...Object.values(INFECTION_COMPLAINTS).flat(), ...OTHER_COMPLAINTS];
  const stated = complaints.filter((c) => note.includes(` ${c} `) || note.includes(` ${c},`));
  return {
    ageYears: ageAt(patientOf(bundle)!.birthDate, bundle.timestamp)!,
    vitals: {
      heartRate: num('8867-4'),
      respiratoryRate: num('9279-1'),
      temperature: num('8310-5'),
      systolicBp: num('8480-6'),
      spo2: num('59408-5'),
      // An undocumented GCS is never read (orderLabs only reads it when documented).
      gcs: value(bundle, '9269-2') ?? Number.NaN,
    },
    comorbidities,
    abdominalComplaint: stated.some(isAbdominalComplaint),
  };
}

describe('sepsis baseline missingness: what the bundle shows', () => {
  it('a measurement is in the bundle exactly when it was ordered (GCS: documented); the other vitals always are', () => {
    for (const { p, bundle } of rows.slice(0, 3000)) {
      for (const loinc of ['8867-4', '9279-1', '8310-5', '8480-6', '59408-5']) expect(observations(bundle, loinc)).toHaveLength(1);
      expect(observations(bundle, '9269-2')).toHaveLength(p.orders.gcs ? 1 : 0);
      expect(observations(bundle, '2524-7')).toHaveLength(p.orders.lactate ? 1 : 0);
      for (const loinc of ['6690-2', '2160-0', '777-3']) expect(observations(bundle, loinc)).toHaveLength(p.orders.bloodWork ? 1 : 0);
      expect(observations(bundle, '1975-2')).toHaveLength(p.orders.liver ? 1 : 0);
      // Lactate and liver tests are only drawn with the blood work.
      if (p.orders.lactate || p.orders.liver) expect(p.orders.bloodWork).toBe(true);
      // Reported values are the physiology's, or null.
      for (const m of LAB_CODES) {
        const key = m.key as keyof typeof p.labs;
        expect(p.labs[key]).toBe(value(bundle, m.loinc) ?? null);
        if (p.labs[key] !== null) expect(p.labs[key]).toBe(p.physiology.labs[key]);
      }
      expect(p.vitals.gcs).toBe(p.orders.gcs ? p.physiology.vitals.gcs : null);
    }
  });

  it('the true risk reads the full physiology, ordered or not', () => {
    const b0 = interceptFor();
    let unmeasuredHigh = 0;
    for (const { p, risk } of rows) {
      expect(risk).toBe(logistic(b0 + riskTerms(p.physiology.vitals, p.physiology.labs, p.comorbidities)));
      if (!p.orders.lactate && p.physiology.labs.lactate >= 4) unmeasuredHigh++;
    }
    // Some patients have a high lactate no one measured: their risk is high, the bundle does not show why.
    expect(unmeasuredHigh).toBeGreaterThan(10);
    const rate = (rs: Row[]) => rs.reduce((s, r) => s + r.label, 0) / rs.length;
    const hidden = rows.filter((r) => !r.p.orders.lactate && r.p.physiology.labs.lactate >= 3);
    expect(rate(hidden)).toBeGreaterThan(3 * rate(rows));
  });

  it('the triage note states a GCS and a mentation exactly when the GCS was documented', () => {
    for (const { p, bundle } of rows.slice(0, 3000)) {
      const note = noteText(bundle)!;
      expect(/GCS \d+\./.test(note)).toBe(p.orders.gcs);
      expect(/Alert and oriented|Confused\.|Drowsy|Responds to pain only/.test(note)).toBe(p.orders.gcs);
    }
  });
});

describe('sepsis baseline missingness: missing at random through the ordering decision', () => {
  it('every decision is reproduced from the bundle alone and the patient’s order uniforms', () => {
    for (const { p, bundle } of rows.slice(0, 5000)) {
      expect(orderLabs(observedInput(bundle), p.orderDraws)).toEqual(p.orders);
    }
  });

  it('given what the bundle shows, ordering does not depend on the label or the latent infection', () => {
    // Bin patients by the lactate probability computed from their bundle; within a bin the realised
    // ordering share agrees with the mean probability for septic and non-septic patients alike.
    const bins = [0, 0.1, 0.25, 0.5, 0.75, 1.0001];
    const pLactate = new Map<Row, number>();
    for (const r of rows) {
      const q = orderProbabilities(observedInput(r.bundle), r.p.orders.gcs);
      pLactate.set(r, q.bloodWork * q.lactateGivenBloodWork);
    }
    for (const split of [(r: Row) => r.label === 1, (r: Row) => r.p.latent.infected] as const) {
      for (const group of [true, false]) {
        const members = rows.filter((r) => split(r) === group);
        for (let b = 0; b + 1 < bins.length; b++) {
          let n = 0;
          let expected = 0;
          let ordered = 0;
          for (const r of members) {
            const q = pLactate.get(r)!;
            if (q < bins[b]! || q >= bins[b + 1]!) continue;
            n++;
            expected += q;
            ordered += r.p.orders.lactate ? 1 : 0;
          }
          if (n < 50) continue;
          const p = expected / n;
          const se = Math.sqrt((p * (1 - p)) / n);
          expect(Math.abs(ordered / n - p), `bin ${b} group ${group}: ${ordered}/${n} vs ${p.toFixed(3)}`).toBeLessThan(4 * se + 0.005);
        }
      }
    }
  });

  it('sicker-looking, older patients get more tests; septic patients have a lactate far more often', () => {
    const share = (rs: Row[], f: (r: Row) => boolean) => rs.filter(f).length / rs.length;
    const positives = rows.filter((r) => r.label === 1);
    const negatives = rows.filter((r) => r.label === 0);
    expect(share(positives, (r) => r.p.orders.lactate)).toBeGreaterThan(0.6);
    expect(share(negatives, (r) => r.p.orders.lactate)).toBeLessThan(0.4);
    expect(share(positives, (r) => r.p.orders.bloodWork)).toBeGreaterThan(share(negatives, (r) => r.p.orders.bloodWork));
    const hypotensive = rows.filter((r) => r.p.vitals.systolicBp <= 100);
    expect(share(hypotensive, (r) => r.p.orders.lactate)).toBeGreaterThan(0.6);
    const cirrhosis = rows.filter((r) => r.p.comorbidities.cirrhosis);
    expect(share(cirrhosis, (r) => r.p.orders.liver)).toBeGreaterThan(share(rows, (r) => r.p.orders.liver) + 0.2);
    // Same uniforms, older: more comorbidity and more tests.
    let young = 0;
    let old = 0;
    for (let i = 0; i < 2000; i++) {
      young += drawSepsisPatient(patientStream(SEED, 'sepsis', i), { ageYears: 30 }).orders.lactate ? 1 : 0;
      old += drawSepsisPatient(patientStream(SEED, 'sepsis', i), { ageYears: 85 }).orders.lactate ? 1 : 0;
    }
    expect(old).toBeGreaterThan(1.5 * young);
  });

  it('the prevalence changes neither what is ordered nor the bundles', () => {
    for (let i = 0; i < 200; i++) {
      expect(JSON.stringify(sepsisTask.generate({ seed: SEED, prevalence: 0.3 }, i).bundle)).toBe(JSON.stringify(rows[i]!.bundle));
    }
  });
});
