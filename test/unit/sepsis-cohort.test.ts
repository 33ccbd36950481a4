import { counting } from './counting-rng.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Condition, DocumentReference, Encounter, FhirResource, Observation, Patient } from 'fhir/r4.js';
import type { Case } from '../../simulator/case.ts';
import { groupOf, ageAt } from '../../simulator/cohort/group.ts';
import { sepsisTask } from '../../simulator/cohort/sepsis/index.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { CONDITION_CODES, LAB_CODES, VITAL_CODES } from '../../simulator/cohort/sepsis/codes.ts';
import { COMORBIDITIES, DRAWS_PER_PATIENT, drawSepsisPatient } from '../../simulator/cohort/sepsis/model.ts';
import { interceptFor } from '../../simulator/cohort/sepsis/calibrate.ts';
import { logistic, riskTerms } from '../../simulator/cohort/sepsis/risk.ts';
import { LOINC, SNOMED, UCUM, noteText, observations, patientOf } from '../../simulator/fhir/bundle-access.ts';
import { patientStream, type Rng } from '../../simulator/random.ts';

const SEED = 20261124;
const cohort = { seed: SEED };

function generate(index: number, overrides?: Parameters<typeof sepsisTask.generate>[2]): Case {
  return sepsisTask.generate(cohort, index, overrides);
}

function ofType<T extends FhirResource['resourceType']>(bundle: Bundle, type: T): Extract<FhirResource, { resourceType: T }>[] {
  return (bundle.entry ?? []).map((e) => e.resource!).filter((r) => r.resourceType === type) as Extract<
    FhirResource,
    { resourceType: T }
  >[];
}

function value(bundle: Bundle, loinc: string): number {
  const [obs] = observations(bundle, loinc);
  return obs!.valueQuantity!.value!;
}

/** The value of a measurement the bundle may lack (not ordered, not documented). */
function maybe(bundle: Bundle, loinc: string): number | undefined {
  return observations(bundle, loinc)[0]?.valueQuantity?.value;
}

/** Mann–Whitney AUROC, ties count half. */
function auroc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let rankSum = 0;
  labels.forEach((y, i) => {
    if (y) {
      pos++;
      rankSum += ranks[i]!;
    }
  });
  const neg = labels.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** All `reference` strings anywhere in a value. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

function countingStream(seed: number, index: number): { rng: Rng; calls: () => number } {
  const { rng, draws } = counting(patientStream(seed, 'sepsis', index));
  return { rng, calls: draws };
}

describe('sepsis cohort: determinism', () => {
  it('the same seed and index give deep-equal cases and byte-identical serialisations', () => {
    for (const i of [0, 1, 17, 999]) {
      const a = generate(i);
      const b = generate(i);
      expect(a).toEqual(b);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
  });

  it('patient 5 is the same in a cohort of 10, a cohort of 1000, in reverse order, or alone', () => {
    const small = Array.from({ length: 10 }, (_, i) => generate(i));
    const large = Array.from({ length: 1000 }, (_, i) => generate(i));
    const reversed: Case[] = [];
    for (let i = 999; i >= 0; i--) reversed[i] = generate(i);
    const direct = JSON.stringify(generate(5));
    expect(JSON.stringify(small[5])).toBe(direct);
    expect(JSON.stringify(large[5])).toBe(direct);
    expect(JSON.stringify(reversed[5])).toBe(direct);
  });

  it('different seeds or indices give different patients and unique ids', () => {
    const a = generate(3);
    expect(JSON.stringify(sepsisTask.generate({ seed: SEED + 1 }, 3).bundle)).not.toBe(JSON.stringify(a.bundle));
    const ids = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const b = generate(i).bundle;
      for (const id of [b.id!, ...(b.entry ?? []).map((e) => e.resource!.id!)]) {
        expect(ids.has(id)).toBe(false);
        ids.add(id);
      }
    }
  });

  it('the task registry exposes the sepsis task', () => {
    expect(tasks.sepsis).toBe(sepsisTask);
    expect(sepsisTask.name).toBe('sepsis');
  });
});

describe('sepsis cohort: stream discipline and overrides', () => {
  it('every patient consumes exactly DRAWS_PER_PATIENT uniforms, with or without overrides', () => {
    const overrideSets = [undefined, { sex: 'male' as const }, { ageYears: 95 }, { ageYears: 18, race: '2028-9', ethnicity: '2135-2' }];
    for (let i = 0; i < 300; i++) {
      for (const o of overrideSets) {
        const { rng, calls } = countingStream(SEED, i);
        drawSepsisPatient(rng, o);
        expect(calls()).toBe(DRAWS_PER_PATIENT);
      }
    }
  });

  it('overriding sex keeps age, race, ethnicity, times, ids and the label uniform', () => {
    for (let i = 0; i < 50; i++) {
      const base = drawSepsisPatient(patientStream(SEED, 'sepsis', i));
      const flipped = base.demographics.sex === 'female' ? 'male' : 'female';
      const over = drawSepsisPatient(patientStream(SEED, 'sepsis', i), { sex: flipped });
      expect(over.demographics.sex).toBe(flipped);
      expect(over.demographics.ageYears).toBe(base.demographics.ageYears);
      expect(over.demographics.race).toBe(base.demographics.race);
      expect(over.demographics.ethnicity).toBe(base.demographics.ethnicity);
      expect(over.predictionMs).toBe(base.predictionMs);
      expect(over.uuidWords).toEqual(base.uuidWords);
      expect(over.noteDraws).toEqual(base.noteDraws);
      expect(over.labelDraw).toBe(base.labelDraw);
      expect(over.orderDraws).toEqual(base.orderDraws);

      const a = generate(i);
      const b = generate(i, { sex: flipped });
      expect(patientOf(b.bundle)!.gender).toBe(flipped);
      expect(patientOf(b.bundle)!.birthDate).toBe(patientOf(a.bundle)!.birthDate);
      expect(b.bundle.timestamp).toBe(a.bundle.timestamp);
      expect(groupOf(b.bundle).race).toBe(groupOf(a.bundle).race);
      expect(groupOf(b.bundle).ethnicity).toBe(groupOf(a.bundle).ethnicity);
      expect(groupOf(b.bundle).ageBand).toBe(groupOf(a.bundle).ageBand);
    }
  });

  it('an override equal to the drawn value changes nothing', () => {
    const a = generate(11);
    const d = drawSepsisPatient(patientStream(SEED, 'sepsis', 11)).demographics;
    const b = generate(11, { ageYears: d.ageYears, sex: d.sex, race: d.race, ethnicity: d.ethnicity });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('an age override sets the age at the prediction time, and physiology follows it', () => {
    for (let i = 0; i < 40; i++) {
      for (const age of [18, 42, 79, 80, 100]) {
        const c = generate(i, { ageYears: age + 0.7 });
        expect(ageAt(patientOf(c.bundle)!.birthDate, c.bundle.timestamp)).toBe(age);
      }
    }
    // Older patients: more comorbidity, higher risk on average (same uniforms, new demographics).
    let young = 0;
    let old = 0;
    let youngRisk = 0;
    let oldRisk = 0;
    for (let i = 0; i < 2000; i++) {
      const y = generate(i, { ageYears: 30 });
      const o = generate(i, { ageYears: 85 });
      young += ofType(y.bundle, 'Condition').length;
      old += ofType(o.bundle, 'Condition').length;
      youngRisk += y.truth.risk!;
      oldRisk += o.truth.risk!;
    }
    expect(old).toBeGreaterThan(3 * young);
    expect(oldRisk).toBeGreaterThan(2 * youngRisk);
  });

  it('race and ethnicity overrides show in the US Core extensions and the group', () => {
    const c = generate(2, { race: '2054-5', ethnicity: '2135-2' });
    expect(groupOf(c.bundle)).toMatchObject({ race: 'Black or African American', ethnicity: 'Hispanic or Latino' });
  });
});

describe('sepsis cohort: truth', () => {
  const N = 20_000;
  let base: Case[];

  beforeAll(() => {
    base = Array.from({ length: N }, (_, i) => generate(i));
  });

  it(`realised prevalence of ${N} patients is 0.07 ± 0.01 by default`, () => {
    const positives = base.reduce((s, c) => s + c.truth.label!, 0);
    expect(positives / N).toBeGreaterThan(0.06);
    expect(positives / N).toBeLessThan(0.08);
    const meanRisk = base.reduce((s, c) => s + c.truth.risk!, 0) / N;
    expect(Math.abs(meanRisk - 0.07)).toBeLessThan(0.01);
  });

  it('realised prevalence is 0.2 ± 0.01 when asked, with the same data', () => {
    let positives = 0;
    for (let i = 0; i < N; i++) {
      const c = sepsisTask.generate({ seed: SEED, prevalence: 0.2 }, i);
      positives += c.truth.label!;
      if (i < 50) expect(JSON.stringify(c.bundle)).toBe(JSON.stringify(base[i]!.bundle));
    }
    expect(Math.abs(positives / N - 0.2)).toBeLessThan(0.01);
  });

  it('the intercept is deterministic and monotone in the prevalence', () => {
    expect(interceptFor(0.07)).toBe(interceptFor(0.07));
    expect(interceptFor(0.2)).toBeGreaterThan(interceptFor(0.07));
    expect(() => interceptFor(0)).toThrow(RangeError);
  });

  it('the true risk discriminates well but not perfectly (AUROC 0.85–0.93)', () => {
    const a = auroc(
      base.map((c) => c.truth.risk!),
      base.map((c) => c.truth.label!),
    );
    expect(a).toBeGreaterThan(0.85);
    expect(a).toBeLessThan(0.93);
  });

  it('lactate matters: a score that reads lactate wrongly loses AUROC and sensitivity', () => {
    const labels: number[] = [];
    const truth: number[] = [];
    const blind: number[] = [];
    const b0 = interceptFor(0.07);
    for (let i = 0; i < N; i++) {
      const p = drawSepsisPatient(patientStream(SEED, 'sepsis', i));
      const { vitals, labs } = p.physiology;
      const risk = logistic(b0 + riskTerms(vitals, labs, p.comorbidities));
      labels.push(p.labelDraw < risk ? 1 : 0);
      truth.push(risk);
      // A model that sees every lactate as normal (e.g. a missed unit or a failed parse).
      blind.push(logistic(b0 + riskTerms(vitals, { ...labs, lactate: 1.2 }, p.comorbidities)));
    }
    expect(labels).toEqual(base.map((c) => c.truth.label));
    expect(auroc(truth, labels) - auroc(blind, labels)).toBeGreaterThan(0.04);
    const sensitivity = (scores: number[]) =>
      scores.filter((s, i) => labels[i] && s >= sepsisTask.defaultThreshold).length / labels.filter(Boolean).length;
    expect(sensitivity(truth) - sensitivity(blind)).toBeGreaterThan(0.05);
  });

  it('risk and label rise with lactate, hypotension and altered mentation', () => {
    const high = base.filter((c) => (maybe(c.bundle, '2524-7') ?? 0) >= 4);
    const low = base.filter((c) => (maybe(c.bundle, '2524-7') ?? 2) < 2);
    const rate = (cs: Case[]) => cs.reduce((s, c) => s + c.truth.label!, 0) / cs.length;
    expect(high.length).toBeGreaterThan(100);
    expect(rate(high)).toBeGreaterThan(4 * rate(low));
    const hypotensive = base.filter((c) => value(c.bundle, '8480-6') <= 100);
    expect(rate(hypotensive)).toBeGreaterThan(2 * rate(base));
    const confused = base.filter((c) => (maybe(c.bundle, '9269-2') ?? 15) < 15);
    expect(rate(confused)).toBeGreaterThan(2 * rate(base));
  });

  it('comorbidities are coded with SNOMED CT and rise with age', () => {
    const byBand = new Map<string, { n: number; conditions: number }>();
    for (const c of base.slice(0, 5000)) {
      const band = groupOf(c.bundle).ageBand;
      const s = byBand.get(band) ?? { n: 0, conditions: 0 };
      s.n++;
      s.conditions += ofType(c.bundle, 'Condition').length;
      byBand.set(band, s);
    }
    const per = (band: string) => byBand.get(band)!.conditions / byBand.get(band)!.n;
    expect(per('18-39')).toBeLessThan(per('40-64'));
    expect(per('40-64')).toBeLessThan(per('65-79'));
    expect(per('65-79')).toBeLessThan(per('80+'));
    expect([...byBand.keys()].sort()).toEqual(['18-39', '40-64', '65-79', '80+']);
  });

  it('CKD raises creatinine and cirrhosis raises bilirubin', () => {
    const has = (c: Case, snomed: string) => ofType(c.bundle, 'Condition').some((x) => x.code!.coding![0]!.code === snomed);
    const mean = (cs: Case[], loinc: string) => {
      const values = cs.map((c) => maybe(c.bundle, loinc)).filter((v): v is number => v !== undefined);
      return values.reduce((s, v) => s + v, 0) / values.length;
    };
    const ckd = base.filter((c) => has(c, '709044004'));
    const noCkd = base.filter((c) => !has(c, '709044004'));
    expect(mean(ckd, '2160-0')).toBeGreaterThan(1.6 * mean(noCkd, '2160-0'));
    const cirr = base.filter((c) => has(c, '19943007'));
    const noCirr = base.filter((c) => !has(c, '19943007'));
    expect(mean(cirr, '1975-2')).toBeGreaterThan(2 * mean(noCirr, '1975-2'));
  });
});

describe('sepsis cohort: FHIR layout', () => {
  const sample = Array.from({ length: 300 }, (_, i) => generate(i));
  const MEASUREMENTS = [...VITAL_CODES, ...LAB_CODES];
  const EXPECTED: Record<string, string> = {
    '8867-4': '/min',
    '9279-1': '/min',
    '8310-5': 'Cel',
    '8480-6': 'mm[Hg]',
    '59408-5': '%',
    '9269-2': '{score}',
    '2524-7': 'mmol/L',
    '6690-2': '10*3/uL',
    '2160-0': 'mg/dL',
    '777-3': '10*3/uL',
    '1975-2': 'mg/dL',
  };
  /** Maximum decimals of each value as written. */
  const DECIMALS: Record<string, number> = {
    '8867-4': 0,
    '9279-1': 0,
    '8310-5': 1,
    '8480-6': 0,
    '59408-5': 0,
    '9269-2': 0,
    '2524-7': 1,
    '6690-2': 1,
    '2160-0': 2,
    '777-3': 0,
    '1975-2': 1,
  };
  const RANGES: Record<string, [number, number]> = {
    '8867-4': [30, 220],
    '9279-1': [6, 60],
    '8310-5': [32, 43],
    '8480-6': [50, 250],
    '59408-5': [60, 100],
    '9269-2': [3, 15],
    '2524-7': [0.3, 20],
    '6690-2': [0.1, 80],
    '2160-0': [0.2, 15],
    '777-3': [3, 1000],
    '1975-2': [0.1, 35],
  };

  it('bundle: collection with an ISO timestamp in the reference year, resources in the documented order', () => {
    for (const { bundle } of sample) {
      expect(bundle.resourceType).toBe('Bundle');
      expect(bundle.type).toBe('collection');
      expect(bundle.timestamp).toMatch(/^2025-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      const types = bundle.entry!.map((e) => e.resource!.resourceType);
      const conditions = types.filter((t) => t === 'Condition').length;
      const measured = ofType(bundle, 'Observation').length;
      expect(measured).toBeGreaterThanOrEqual(5); // the five vitals other than GCS are always charted
      expect(types).toEqual([
        'Patient',
        'Encounter',
        ...Array(measured).fill('Observation'),
        ...Array(conditions).fill('Condition'),
        'DocumentReference',
      ]);
      // The measured ones, in the documented order.
      const loincs = ofType(bundle, 'Observation').map((o) => o.code.coding![0]!.code);
      expect(loincs).toEqual(MEASUREMENTS.map((m) => m.loinc).filter((l) => loincs.includes(l)));
    }
  });

  it('every Observation has its LOINC code, UCUM unit, category, plausible value and sensible decimals', () => {
    expect(Object.fromEntries(MEASUREMENTS.map((m) => [m.loinc, m.ucum]))).toEqual(EXPECTED);
    for (const { bundle } of sample) {
      const encounter = ofType(bundle, 'Encounter')[0]!;
      const start = Date.parse(encounter.period!.start!);
      const end = Date.parse(bundle.timestamp!);
      for (const obs of ofType(bundle, 'Observation')) {
        const coding = obs.code.coding!;
        // SpO2 also carries 2708-6, which the FHIR R4 oxygen saturation profile requires.
        expect(coding).toHaveLength(coding[0]!.code === '59408-5' ? 2 : 1);
        expect(coding[0]!.system).toBe(LOINC);
        const loinc = coding[0]!.code!;
        const q = obs.valueQuantity!;
        expect(q.system).toBe(UCUM);
        expect(q.code).toBe(EXPECTED[loinc]);
        expect(q.unit).toBe(EXPECTED[loinc]);
        expect(obs.status).toBe('final');
        const category = obs.category![0]!.coding![0]!;
        expect(category.system).toBe('http://terminology.hl7.org/CodeSystem/observation-category');
        expect(category.code).toBe(VITAL_CODES.some((v) => v.loinc === loinc) ? 'vital-signs' : 'laboratory');
        const v = q.value!;
        expect(v).toBeGreaterThanOrEqual(RANGES[loinc]![0]);
        expect(v).toBeLessThanOrEqual(RANGES[loinc]![1]);
        const decimals = (String(v).split('.')[1] ?? '').length;
        expect(decimals).toBeLessThanOrEqual(DECIMALS[loinc]!);
        const t = Date.parse(obs.effectiveDateTime!);
        expect(t).toBeGreaterThan(start);
        expect(t).toBeLessThan(end);
        expect(obs.subject!.reference).toBe(`urn:uuid:${patientOf(bundle)!.id}`);
        expect(obs.encounter!.reference).toBe(`urn:uuid:${encounter.id}`);
      }
    }
  });

  it('every reference resolves to an entry of the same bundle; fullUrls are urn:uuid of the ids', () => {
    for (const { bundle } of sample) {
      const fullUrls = new Set<string>();
      for (const e of bundle.entry!) {
        expect(e.fullUrl).toBe(`urn:uuid:${e.resource!.id}`);
        expect(e.resource!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        fullUrls.add(e.fullUrl!);
      }
      expect(fullUrls.size).toBe(bundle.entry!.length);
      const refs = references(bundle.entry!.map((e) => e.resource));
      expect(refs.length).toBeGreaterThan(bundle.entry!.length);
      for (const r of refs) expect(fullUrls.has(r)).toBe(true);
    }
  });

  it('Patient: MRN, name, gender, birthDate consistent with the age band, US Core extensions', () => {
    for (const { bundle } of sample) {
      const p = patientOf(bundle) as Patient;
      expect(p.identifier![0]!.system).toBe('https://clinsim.example/fhir/mrn');
      expect(p.identifier![0]!.value).toMatch(/^\d{8}$/);
      expect(p.name![0]!.family).toBeTruthy();
      expect(p.name![0]!.given![0]).toBeTruthy();
      expect(['female', 'male']).toContain(p.gender);
      expect(p.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const age = ageAt(p.birthDate, bundle.timestamp)!;
      expect(age).toBeGreaterThanOrEqual(18);
      expect(age).toBeLessThanOrEqual(100);
      const urls = p.extension!.map((e) => e.url);
      expect(urls).toEqual([
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
      ]);
      const race = p.extension![0]!.extension!;
      expect(race[0]!.valueCoding!.system).toBe('urn:oid:2.16.840.1.113883.6.238');
      expect(['2106-3', '2054-5', '2028-9', '1002-5', '2076-8']).toContain(race[0]!.valueCoding!.code);
      expect(race[1]).toEqual({ url: 'text', valueString: race[0]!.valueCoding!.display });
      expect(['2135-2', '2186-5']).toContain(p.extension![1]!.extension![0]!.valueCoding!.code);
      expect(p.extension![2]!.valueCode).toBe(p.gender === 'female' ? 'F' : 'M');
    }
  });

  it('Encounter, Conditions and the triage DocumentReference follow the layout', () => {
    for (const { bundle } of sample) {
      const enc = ofType(bundle, 'Encounter')[0] as Encounter;
      expect(enc.status).toBe('in-progress');
      expect(enc.class).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'emergency' });
      expect(Date.parse(enc.period!.start!)).toBeLessThan(Date.parse(bundle.timestamp!));
      for (const c of ofType(bundle, 'Condition') as Condition[]) {
        expect(c.clinicalStatus!.coding![0]!.code).toBe('active');
        expect(c.verificationStatus!.coding![0]!.code).toBe('confirmed');
        expect(c.category![0]!.coding![0]!.code).toBe('problem-list-item');
        expect(c.code!.coding![0]!.system).toBe(SNOMED);
        expect(Object.values(CONDITION_CODES).map((x) => x.snomed)).toContain(c.code!.coding![0]!.code);
      }
      const doc = ofType(bundle, 'DocumentReference')[0] as DocumentReference;
      expect(doc.status).toBe('current');
      expect(doc.type!.coding![0]).toMatchObject({ system: LOINC, code: '54094-8', display: 'Emergency department Triage note' });
      expect(doc.content[0]!.attachment.contentType).toBe('text/plain; charset=utf-8');
      expect(Buffer.from(doc.content[0]!.attachment.data!, 'base64').toString('base64')).toBe(doc.content[0]!.attachment.data);
    }
  });

  it('the triage note agrees with the vitals and the comorbidities, and names no lab value', () => {
    for (const { bundle } of sample) {
      const note = noteText(bundle)!;
      expect(note).toContain(`HR ${value(bundle, '8867-4')},`);
      expect(note).toContain(`RR ${value(bundle, '9279-1')},`);
      expect(note).toContain(`SBP ${value(bundle, '8480-6')},`);
      expect(note).toContain(`Temp ${value(bundle, '8310-5').toFixed(1)} C`);
      expect(note).toContain(`SpO2 ${value(bundle, '59408-5')}%`);
      const gcs = maybe(bundle, '9269-2');
      if (gcs === undefined) expect(note).not.toMatch(/GCS|Alert|Confused|Drowsy|Responds to pain/);
      else expect(note).toContain(`GCS ${gcs}.`);
      const age = ageAt(patientOf(bundle)!.birthDate, bundle.timestamp)!;
      expect(note).toMatch(new RegExp(`(^|\\D)${age}(-year-old| y/o| yo)`));
      const present = new Set(ofType(bundle, 'Condition').map((c) => c.code!.coding![0]!.code));
      for (const c of COMORBIDITIES) {
        const { snomed, noteText: phrase } = CONDITION_CODES[c];
        expect(note.includes(phrase)).toBe(present.has(snomed));
      }
      if (present.size === 0) expect(note).toContain('No significant past medical history.');
      expect(note.includes('Alert and oriented')).toBe(gcs === 15);
      expect(note.includes('febrile')).toBe(value(bundle, '8310-5') >= 38);
      expect(note.includes('hypotensive')).toBe(value(bundle, '8480-6') <= 90);
      expect(note).not.toMatch(/lactate|creatinine|platelet|bilirubin|WBC/i);
    }
  });

  it('group: attributes of generated bundles, and unknown for what a perturbation removed', () => {
    const { bundle } = sample[0]!;
    const g = sepsisTask.groupOf(bundle);
    expect(g.sex).toBe(patientOf(bundle)!.gender);
    expect(['18-39', '40-64', '65-79', '80+']).toContain(g.ageBand);
    const noPatient = { ...bundle, entry: bundle.entry!.filter((e) => e.resource!.resourceType !== 'Patient') };
    expect(groupOf(noPatient)).toEqual({ sex: 'unknown', ageBand: 'unknown', race: 'unknown', ethnicity: 'unknown' });
    const patient = patientOf(bundle)!;
    const bare: Bundle = {
      ...bundle,
      timestamp: undefined,
      entry: [{ fullUrl: 'urn:uuid:x', resource: { ...patient, extension: undefined, gender: undefined } as Patient }],
    };
    expect(groupOf(bare)).toEqual({ sex: 'unknown', ageBand: 'unknown', race: 'unknown', ethnicity: 'unknown' });
    expect(groupOf({ resourceType: 'Bundle', type: 'collection', entry: 'garbage' } as unknown as Bundle).sex).toBe('unknown');
  });

  it('shared constant codings are frozen, so a mutating perturbation fails loudly', () => {
    const a = generate(0).bundle;
    const obs = ofType(a, 'Observation')[0] as Observation;
    expect(Object.isFrozen(obs.code)).toBe(true);
    expect(() => {
      obs.code.coding![0]!.code = 'local-1';
    }).toThrow(TypeError);
    // A copy is free to change, and later patients are unaffected.
    const copy = structuredClone(obs);
    copy.code.coding![0]!.code = 'local-1';
    expect(observations(generate(1).bundle, '8867-4')).toHaveLength(1);
  });
});
