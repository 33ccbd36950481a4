import { counting } from './counting-rng.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, FhirResource, Observation } from 'fhir/r4.js';
import type { Case } from '../../simulator/case.ts';
import { ageAt, groupOf } from '../../simulator/cohort/group.ts';
import { emergentShareOf, noteTriageTask } from '../../simulator/cohort/note-triage/index.ts';
import { CONDITION_CODES, HISTORY, VITAL_CODES } from '../../simulator/cohort/note-triage/codes.ts';
import { FAMILIES, MAX_FINDINGS } from '../../simulator/cohort/note-triage/families.ts';
import {
  FINDINGS,
  FINDING_IDS,
  RESOURCES,
  RESOURCE_IDS,
  type FindingId,
  type FindingState,
  type TriageFindings,
} from '../../simulator/cohort/note-triage/findings.ts';
import { DRAWS_PER_PATIENT, drawNoteTriagePatient, triageVitalsOf } from '../../simulator/cohort/note-triage/model.ts';
import { triageNote } from '../../simulator/cohort/note-triage/note.ts';
import {
  classOfNote,
  findingSpans,
  flipFinding,
  readTriageNote,
  vitalsOfNote,
} from '../../simulator/cohort/note-triage/read-note.ts';
import {
  baseLevelOf,
  inDangerZone,
  triageClassOf,
  triageLevelOf,
  type TriageClass,
  type TriageVitals,
} from '../../simulator/cohort/note-triage/triage.ts';
import { LOINC, SNOMED, UCUM, noteText, observations, patientOf } from '../../simulator/fhir/bundle-access.ts';
import { patientStream, type Rng } from '../../simulator/random.ts';

const SEED = 20261124;
const cohort = { seed: SEED };
const TASK = 'note-triage';

function generate(index: number, overrides?: Parameters<typeof noteTriageTask.generate>[2], prevalence?: number): Case {
  return noteTriageTask.generate(prevalence === undefined ? cohort : { ...cohort, prevalence }, index, overrides);
}

function draw(index: number, share = 0.25) {
  return drawNoteTriagePatient(patientStream(SEED, TASK, index), share);
}

function ofType<T extends FhirResource['resourceType']>(bundle: Bundle, type: T): Extract<FhirResource, { resourceType: T }>[] {
  return (bundle.entry ?? []).map((e) => e.resource!).filter((r) => r.resourceType === type) as Extract<
    FhirResource,
    { resourceType: T }
  >[];
}

function obs(bundle: Bundle, loinc: string): Observation {
  const found = observations(bundle, loinc);
  expect(found).toHaveLength(1);
  return found[0]!;
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

function countingStream(index: number): { rng: Rng; calls: () => number } {
  const { rng, draws } = counting(patientStream(SEED, TASK, index));
  return { rng, calls: draws };
}

const sorted = (f: TriageFindings['findings']) => Object.entries(f).sort(([a], [b]) => a.localeCompare(b));

const SAFE: TriageVitals = { heartRate: 80, respiratoryRate: 16, temperatureC: 36.8, systolicBp: 128, spo2: 98 };
const record = (findings: Partial<Record<FindingId, FindingState>>, resources: TriageFindings['resources']): TriageFindings => ({
  findings,
  resources,
});

describe('note-triage cohort: determinism', () => {
  it('the same seed and index give deep-equal cases and byte-identical serialisations', () => {
    for (const i of [0, 1, 17, 999]) {
      const a = generate(i);
      const b = generate(i);
      expect(a).toEqual(b);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
  });

  it('patient 5 is the same generated directly, in a cohort of 10 or 1000, or in reverse order', () => {
    const direct = JSON.stringify(generate(5));
    const small = Array.from({ length: 10 }, (_, i) => generate(i));
    const large = Array.from({ length: 1000 }, (_, i) => generate(i));
    const reversed: Case[] = [];
    for (let i = 999; i >= 0; i--) reversed[i] = generate(i);
    expect(JSON.stringify(small[5])).toBe(direct);
    expect(JSON.stringify(large[5])).toBe(direct);
    expect(JSON.stringify(reversed[5])).toBe(direct);
  });

  it('different seeds or indices give different patients, and ids are unique', () => {
    expect(JSON.stringify(noteTriageTask.generate({ seed: SEED + 1 }, 3).bundle)).not.toBe(JSON.stringify(generate(3).bundle));
    const ids = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const b = generate(i).bundle;
      for (const id of [b.id!, ...(b.entry ?? []).map((e) => e.resource!.id!)]) {
        expect(ids.has(id)).toBe(false);
        ids.add(id);
      }
    }
  });

  it('the task definition: name, threshold, table', () => {
    expect(noteTriageTask.name).toBe('note-triage');
    expect(noteTriageTask.defaultThreshold).toBe(0.5);
    expect(generate(0).task).toBe('note-triage');
  });
});

describe('note-triage cohort: stream discipline, overrides and prevalence', () => {
  it('every patient consumes exactly DRAWS_PER_PATIENT uniforms, whatever the overrides or prevalence', () => {
    const overrideSets = [undefined, { sex: 'male' as const }, { ageYears: 95 }, { ageYears: 18, race: '2028-9', ethnicity: '2135-2' }];
    for (let i = 0; i < 300; i++) {
      for (const o of overrideSets) {
        for (const share of [0, 0.25, 1]) {
          const { rng, calls } = countingStream(i);
          drawNoteTriagePatient(rng, share, o);
          expect(calls()).toBe(DRAWS_PER_PATIENT);
        }
      }
    }
  });

  it('overriding sex keeps age, race, ethnicity, triage time, ids and the class', () => {
    for (let i = 0; i < 100; i++) {
      const a = generate(i);
      const sex = patientOf(a.bundle)!.gender === 'female' ? 'male' : 'female';
      const b = generate(i, { sex });
      expect(patientOf(b.bundle)!.gender).toBe(sex);
      expect(patientOf(b.bundle)!.birthDate).toBe(patientOf(a.bundle)!.birthDate);
      expect(patientOf(b.bundle)!.id).toBe(patientOf(a.bundle)!.id);
      expect(b.bundle.timestamp).toBe(a.bundle.timestamp);
      expect(groupOf(b.bundle)).toMatchObject({ race: groupOf(a.bundle).race, ethnicity: groupOf(a.bundle).ethnicity });
      expect(b.truth).toEqual(a.truth); // the class is drawn before and independently of demographics
    }
  });

  it('an override equal to the drawn value changes nothing; an age override sets the age', () => {
    const d = draw(11).demographics;
    expect(JSON.stringify(generate(11, { ageYears: d.ageYears, sex: d.sex, race: d.race, ethnicity: d.ethnicity }))).toBe(
      JSON.stringify(generate(11)),
    );
    for (let i = 0; i < 40; i++) {
      for (const age of [18, 42, 80, 100]) {
        const c = generate(i, { ageYears: age + 0.6 });
        expect(ageAt(patientOf(c.bundle)!.birthDate, c.bundle.timestamp)).toBe(age);
        expect(noteText(c.bundle)).toMatch(new RegExp(`\\b${age}(-year-old| y/o| yo)\\b`));
      }
    }
  });

  it('older patients get more falls and chest pain, younger ones more sprains and sore throats', () => {
    const count = (age: number, ids: string[]) => {
      let n = 0;
      for (let i = 0; i < 3000; i++) {
        const p = drawNoteTriagePatient(patientStream(SEED, TASK, i), 0.25, { ageYears: age });
        if (ids.includes(p.family.id)) n++;
      }
      return n;
    };
    expect(count(85, ['fall-hip-pain', 'chest-pain'])).toBeGreaterThan(2 * count(25, ['fall-hip-pain', 'chest-pain']));
    expect(count(25, ['ankle-sprain', 'sore-throat'])).toBeGreaterThan(2 * count(85, ['ankle-sprain', 'sore-throat']));
  });

  it('prevalence is the emergent share; raising it only turns other notes emergent', () => {
    expect(emergentShareOf({ seed: 1 })).toBe(0.25);
    for (const bad of [-0.1, 1.5, Number.NaN]) expect(() => generate(0, undefined, bad)).toThrow(RangeError);
    let emergent = 0;
    for (let i = 0; i < 4000; i++) {
      const low = generate(i);
      const high = generate(i, undefined, 0.5);
      if (high.truth.class === 'emergent') emergent++;
      if (low.truth.class === 'emergent') expect(JSON.stringify(high)).toBe(JSON.stringify(low));
      else if (high.truth.class !== 'emergent') expect(JSON.stringify(high)).toBe(JSON.stringify(low));
    }
    expect(Math.abs(emergent / 4000 - 0.5)).toBeLessThan(0.025);
    for (let i = 0; i < 200; i++) {
      expect(generate(i, undefined, 0).truth.class).not.toBe('emergent');
      expect(generate(i, undefined, 1).truth.class).toBe('emergent');
    }
  });
});

describe('note-triage cohort: truth', () => {
  const N = 10_000;
  let base: Case[];

  beforeAll(() => {
    base = Array.from({ length: N }, (_, i) => generate(i));
  });

  it(`class mix of ${N} patients is 25% / 45% / 30% ± 1.5 points; label = emergent`, () => {
    const n: Record<string, number> = {};
    for (const c of base) {
      n[c.truth.class!] = (n[c.truth.class!] ?? 0) + 1;
      expect(c.truth.label).toBe(c.truth.class === 'emergent' ? 1 : 0);
      expect(Object.keys(c.truth).sort()).toEqual(['class', 'label']);
    }
    expect(Object.keys(n).sort()).toEqual(['emergent', 'non-urgent', 'urgent']);
    expect(Math.abs(n.emergent! / N - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(n.urgent! / N - 0.45)).toBeLessThan(0.015);
    expect(Math.abs(n['non-urgent']! / N - 0.3)).toBeLessThan(0.015);
  });

  it('every ESI level occurs, in plausible shares, and every family with its documented classes', () => {
    const levels = [0, 0, 0, 0, 0, 0];
    const seen = new Map<string, Set<TriageClass>>();
    for (let i = 0; i < N; i++) {
      const p = draw(i);
      levels[triageLevelOf(p.findings, triageVitalsOf(p))]!++;
      const s = seen.get(p.family.id) ?? new Set();
      s.add(p.targetClass);
      seen.set(p.family.id, s);
    }
    expect(levels[1]! / N).toBeGreaterThan(0.005);
    expect(levels[1]! / N).toBeLessThan(0.04);
    expect(levels[5]! / N).toBeGreaterThan(0.05);
    for (const f of FAMILIES) {
      const expected = (['emergent', 'urgent', 'non-urgent'] as const).filter((c) => f.weights[c] > 0);
      expect([...(seen.get(f.id) ?? [])].sort(), f.id).toEqual([...expected].sort());
    }
  });

  it('the class read back from the note text alone equals the truth, for every one of 2,000 patients', () => {
    for (let i = 0; i < 2000; i++) {
      const c = base[i]!;
      const text = noteText(c.bundle)!;
      expect(classOfNote(text), text).toBe(c.truth.class);
      const p = draw(i);
      expect(triageNote(p)).toBe(text);
      expect(p.targetClass).toBe(c.truth.class);
      const read = readTriageNote(text)!;
      expect(sorted(read.findings.findings)).toEqual(sorted(p.findings.findings));
      expect(read.findings.resources).toEqual(p.findings.resources);
      expect(triageClassOf(p.findings, triageVitalsOf(p))).toBe(c.truth.class);
    }
  });

  it('the danger-zone rule is exercised: emergent notes whose findings alone give ESI 3', () => {
    let byDanger = 0;
    const only = { heartRate: 0, respiratoryRate: 0, spo2: 0 };
    for (let i = 0; i < N; i++) {
      const p = draw(i);
      const v = triageVitalsOf(p);
      const base3 = baseLevelOf(p.findings) === 3;
      if (p.targetClass === 'urgent') {
        expect(base3).toBe(true);
        expect(inDangerZone(v)).toBe(false);
      }
      if (p.targetClass === 'non-urgent') expect(baseLevelOf(p.findings)).toBeGreaterThanOrEqual(4);
      if (p.targetClass !== 'emergent') {
        expect(v.systolicBp).toBeGreaterThanOrEqual(100);
        expect(inDangerZone(v)).toBe(false);
      }
      if (p.targetClass === 'emergent' && base3) {
        expect(p.path).toBe('danger');
        expect(inDangerZone(v)).toBe(true);
        // The same note with safe vitals would be urgent: the vitals alone make it emergent.
        expect(triageClassOf(p.findings, SAFE)).toBe('urgent');
        byDanger++;
        const hr = v.heartRate > 100;
        const rr = v.respiratoryRate > 20;
        const sat = v.spo2 < 92;
        if (hr && !rr && !sat) only.heartRate++;
        if (!hr && rr && !sat) only.respiratoryRate++;
        if (!hr && !rr && sat) only.spo2++;
      }
    }
    expect(byDanger / N).toBeGreaterThan(0.05);
    expect(only.heartRate).toBeGreaterThan(50);
    expect(only.respiratoryRate).toBeGreaterThan(20);
    expect(only.spo2).toBeGreaterThan(20);
  });

  it('notes carry negatable material: denied findings, and pertinent negatives of danger signs', () => {
    let withAbsent = 0;
    let deniedHighRisk = 0;
    const phrases = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const p = draw(i);
      if (p.stated.some((s) => s.state === 'absent')) withAbsent++;
      if (p.stated.some((s) => s.state === 'absent' && FINDINGS[s.id].level > 0 && s.id !== 'confusion')) deniedHighRisk++;
      for (const s of p.stated) phrases.add(s.phrase);
    }
    expect(withAbsent / 2000).toBeGreaterThan(0.8);
    expect(deniedHighRisk / 2000).toBeGreaterThan(0.15);
    for (const p of ['no facial droop', 'denies chest pain', 'no arm weakness', 'no drooling', 'denies shortness of breath']) {
      expect(phrases.has(p), p).toBe(true);
    }
  });
});

describe('note-triage: triageClassOf', () => {
  it('maps ESI levels to classes: 1–2 emergent, 3 urgent, 4–5 non-urgent', () => {
    expect(triageLevelOf(record({ stridor: 'present' }, []), SAFE)).toBe(1);
    expect(triageClassOf(record({ stridor: 'present' }, []), SAFE)).toBe('emergent');
    expect(triageLevelOf(record({ 'facial-droop': 'present' }, ['labs', 'imaging']), SAFE)).toBe(2);
    expect(triageClassOf(record({ 'facial-droop': 'absent' }, ['labs', 'imaging']), SAFE)).toBe('urgent');
    expect(triageLevelOf(record({ nausea: 'present' }, ['labs']), SAFE)).toBe(4);
    expect(triageLevelOf(record({}, []), SAFE)).toBe(5);
    expect(triageClassOf(record({}, []), SAFE)).toBe('non-urgent');
    // Distinct kinds count: two lab phrases are one resource.
    expect(triageLevelOf(record({}, ['labs', 'labs']), SAFE)).toBe(4);
  });

  it('applies the danger zone (HR > 100, RR > 20, SpO2 < 92) to ESI 3 only, at the exact thresholds', () => {
    const esi3 = record({}, ['labs', 'xray']);
    const cases: [Partial<TriageVitals>, TriageClass][] = [
      [{ heartRate: 100 }, 'urgent'],
      [{ heartRate: 101 }, 'emergent'],
      [{ respiratoryRate: 20 }, 'urgent'],
      [{ respiratoryRate: 21 }, 'emergent'],
      [{ spo2: 92 }, 'urgent'],
      [{ spo2: 91 }, 'emergent'],
      [{ systolicBp: 85, temperatureC: 39.5 }, 'urgent'],
    ];
    for (const [v, expected] of cases) expect(triageClassOf(esi3, { ...SAFE, ...v }), JSON.stringify(v)).toBe(expected);
    const danger = { ...SAFE, heartRate: 130, respiratoryRate: 28, spo2: 85 };
    expect(triageLevelOf(record({}, ['labs']), danger)).toBe(4);
    expect(triageLevelOf(record({}, []), danger)).toBe(5);
    expect(triageLevelOf(record({ stridor: 'present' }, ['labs', 'xray']), danger)).toBe(1);
  });

  it('flipping a stated finding in the text recomputes the class from the findings', () => {
    let changed = 0;
    let unchanged = 0;
    for (let i = 0; i < 1500; i++) {
      const p = draw(i);
      const text = triageNote(p);
      const v = triageVitalsOf(p);
      for (const span of findingSpans(text)) {
        const flipped = flipFinding(text, span);
        const expectedFindings = { ...p.findings.findings, [span.id]: span.state === 'present' ? 'absent' : 'present' };
        const expected = triageClassOf({ findings: expectedFindings, resources: p.findings.resources }, v);
        expect(sorted(readTriageNote(flipped)!.findings.findings)).toEqual(sorted(expectedFindings));
        expect(classOfNote(flipped)).toBe(expected);
        if (expected === p.targetClass) unchanged++;
        else changed++;
      }
    }
    expect(changed).toBeGreaterThan(200);
    expect(unchanged).toBeGreaterThan(1000);
  });

  it('a finding stated both ways counts as present', () => {
    const p = draw(0);
    const text = `${triageNote(p)} Slurred speech. No slurred speech.`;
    expect(readTriageNote(text)!.findings.findings['slurred-speech']).toBe('present');
    expect(classOfNote(text)).toBe('emergent');
  });
});

describe('note-triage: catalog', () => {
  it('every phrase reads back as exactly its own finding and state; phrases are lower case', () => {
    for (const id of FINDING_IDS) {
      for (const state of ['present', 'absent'] as const) {
        for (const phrase of FINDINGS[id][state]) {
          expect(phrase).toBe(phrase.toLowerCase());
          const spans = findingSpans(`Note. ${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}. End.`);
          expect(spans.map((s) => [s.id, s.state]), phrase).toEqual([[id, state]]);
        }
      }
    }
  });

  it('families are well formed', () => {
    const ids = new Set<string>();
    for (const f of FAMILIES) {
      expect(ids.has(f.id)).toBe(false);
      ids.add(f.id);
      expect(f.findings.length).toBeLessThanOrEqual(MAX_FINDINGS);
      expect(new Set(f.findings.map((x) => x.id)).size).toBe(f.findings.length);
      for (const r of f.resources) expect(RESOURCES[r.id] as readonly string[]).toContain(r.text);
      const base = baseLevelOf({ findings: {}, resources: f.resources.map((r) => r.id) });
      if (f.weights.urgent > 0) expect(base, f.id).toBe(3);
      if (f.weights['non-urgent'] > 0) expect(base, f.id).toBeGreaterThanOrEqual(4);
      if (f.weights.emergent > 0) {
        const keys = f.findings.filter((x) => x.key);
        for (const k of keys) expect(FINDINGS[k.id].level, `${f.id} ${k.id}`).toBeGreaterThan(0);
        expect(f.complaintFinding !== undefined || keys.length > 0 || (base === 3 && f.pKey < 1), f.id).toBe(true);
      }
      for (const complaint of f.complaints) {
        const spans = findingSpans(complaint);
        if (f.complaintFinding) expect(spans.map((s) => [s.id, s.state])).toEqual([[f.complaintFinding, 'present']]);
        else expect(spans, complaint).toEqual([]);
      }
      for (const d of f.durations) expect(findingSpans(d)).toEqual([]);
    }
    expect(RESOURCE_IDS.length).toBeGreaterThan(4);
  });
});

describe('note-triage cohort: FHIR layout', () => {
  const sample = Array.from({ length: 400 }, (_, i) => generate(i));

  it('bundle: collection, timestamp = triage time, resources in the documented order', () => {
    for (const { bundle } of sample) {
      expect(bundle.resourceType).toBe('Bundle');
      expect(bundle.type).toBe('collection');
      expect(bundle.timestamp).toMatch(/^2025-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      const types = bundle.entry!.map((e) => e.resource!.resourceType);
      const conditions = types.filter((t) => t === 'Condition').length;
      expect(types).toEqual(['Patient', 'Encounter', ...Array(5).fill('Observation'), ...Array(conditions).fill('Condition'), 'DocumentReference']);
      const encounter = ofType(bundle, 'Encounter')[0]!;
      expect(encounter.status).toBe('in-progress');
      expect(encounter.class).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'emergency' });
      const arrival = Date.parse(encounter.period!.start!);
      const triage = Date.parse(bundle.timestamp!);
      expect(triage - arrival).toBeGreaterThanOrEqual(180_000);
      expect(triage - arrival).toBeLessThanOrEqual(1_500_000);
      const doc = ofType(bundle, 'DocumentReference')[0]!;
      expect(doc.date).toBe(bundle.timestamp);
      for (const o of ofType(bundle, 'Observation')) expect(o.effectiveDateTime).toBe(bundle.timestamp);
    }
  });

  it('every note states exactly the values of its vital-sign Observations (LOINC, UCUM)', () => {
    let fahrenheit = 0;
    for (const { bundle } of sample) {
      const v = vitalsOfNote(noteText(bundle)!)!;
      expect(v).toBeDefined();
      for (const def of VITAL_CODES) {
        const o = obs(bundle, def.loinc);
        expect(o.status).toBe('final');
        expect(o.code.coding![0]).toEqual({ system: LOINC, code: def.loinc, display: def.display });
        expect(o.code.coding!.slice(1)).toEqual(
          def.loinc === '59408-5' ? [{ system: LOINC, code: '2708-6', display: 'Oxygen saturation in Arterial blood' }] : [],
        );
        expect(o.category![0]!.coding![0]!.code).toBe('vital-signs');
        const q = o.valueQuantity!;
        expect(q.system).toBe(UCUM);
        expect(q.unit).toBe(q.code);
        if (def.key === 'temperature') {
          expect(q.value).toBe(v.temperature);
          expect(q.code).toBe(v.temperatureUnit);
          if (q.code === '[degF]') fahrenheit++;
          else expect(q.code).toBe('Cel');
        } else {
          expect(q.code).toBe(def.ucum);
          expect(q.value).toBe(v[def.key]);
          expect(Number.isInteger(q.value)).toBe(true);
        }
      }
    }
    expect(fahrenheit).toBeGreaterThan(50);
    expect(fahrenheit).toBeLessThan(150);
  });

  it('history Conditions are SNOMED CT coded and named in the note; the note has an assessment', () => {
    for (const { bundle } of sample) {
      const text = noteText(bundle)!;
      const codes = ofType(bundle, 'Condition').map((c) => {
        expect(c.code!.coding![0]!.system).toBe(SNOMED);
        expect(c.clinicalStatus!.coding![0]!.code).toBe('active');
        return c.code!.coding![0]!.code!;
      });
      for (const h of HISTORY) {
        const has = codes.includes(CONDITION_CODES[h].snomed);
        expect(text.includes(CONDITION_CODES[h].noteText), `${h}: ${text}`).toBe(has);
      }
      expect(text).toMatch(/(Assessment|A\/P): anticipated resources: [^.]+\.$/);
      expect(text).not.toMatch(/ESI|emergent|urgent|triage level/i);
    }
  });

  it('DocumentReference: current, LOINC 54094-8, UTF-8 text in base64', () => {
    for (const { bundle } of sample) {
      const doc = ofType(bundle, 'DocumentReference')[0]!;
      expect(doc.status).toBe('current');
      expect(doc.type!.coding![0]).toMatchObject({ system: LOINC, code: '54094-8', display: 'Emergency department Triage note' });
      const att = doc.content[0]!.attachment;
      expect(att.contentType).toBe('text/plain; charset=utf-8');
      expect(Buffer.from(att.data!, 'base64').toString('base64')).toBe(att.data);
      expect(noteText(bundle)!.length).toBeGreaterThan(100);
    }
  });

  it('every reference resolves inside the bundle; fullUrls are urn:uuid of v4-shaped ids', () => {
    for (const { bundle } of sample) {
      const fullUrls = new Set<string>();
      for (const e of bundle.entry!) {
        expect(e.fullUrl).toBe(`urn:uuid:${e.resource!.id}`);
        expect(e.resource!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        fullUrls.add(e.fullUrl!);
      }
      const refs = references(bundle.entry);
      expect(refs.length).toBeGreaterThan(10);
      for (const r of refs) expect(fullUrls.has(r), r).toBe(true);
    }
  });

  it('Patient: US Core race, ethnicity and birth sex extensions, MRN, groupOf reads them', () => {
    for (const { bundle } of sample.slice(0, 50)) {
      const p = patientOf(bundle)!;
      expect(p.extension!.map((e) => e.url)).toEqual([
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
      ]);
      expect(p.identifier![0]!.value).toMatch(/^\d{8}$/);
      const g = noteTriageTask.groupOf(bundle);
      expect(g.sex).toBe(p.gender);
      expect(g.race).not.toBe('unknown');
    }
  });

  it('shared codings are frozen: mutating one throws instead of changing other patients', () => {
    const o = obs(sample[0]!.bundle, '8867-4');
    expect(() => {
      (o.code.coding![0] as { code: string }).code = 'x';
    }).toThrow(TypeError);
  });
});

describe('note-triage: tabular view', () => {
  const table = noteTriageTask.table;

  it('columns', () => {
    expect(table.features).toEqual(['age_years', 'sex_female', 'heart_rate', 'resp_rate', 'temp_c', 'sbp_mmhg', 'spo2_pct', 'note_chars']);
    expect(table.truth).toEqual(['class', 'label']);
  });

  it('values are read from the bundle; temperature charted in °F is converted to °C', () => {
    let converted = 0;
    for (let i = 0; i < 300; i++) {
      const c = generate(i);
      const p = draw(i);
      const row = table.featuresOf(c.bundle);
      expect(row).toHaveLength(table.features.length);
      const temp = obs(c.bundle, '8310-5').valueQuantity!;
      if (temp.code === '[degF]') {
        converted++;
        expect(temp.value).not.toBe(p.vitals.temperature);
        expect(Math.abs((temp.value! - 32) * (5 / 9) - p.vitals.temperature)).toBeLessThan(0.03);
      }
      // A note charted in °F gives back the °C value it was converted from (1 decimal).
      expect(row).toEqual([
        p.demographics.ageYears,
        p.demographics.sex === 'female' ? 1 : 0,
        p.vitals.heartRate,
        p.vitals.respiratoryRate,
        p.vitals.temperature,
        p.vitals.systolicBp,
        p.vitals.spo2,
        noteText(c.bundle)!.length,
      ]);
      expect(table.truthOf(c.truth)).toEqual([c.truth.class, c.truth.label]);
    }
    expect(converted).toBeGreaterThan(30);
  });

  it('missing, malformed, unitless or unknown-unit values are null', () => {
    const c = generate(3);
    const drop = (loinc: string) => (e: BundleEntry) =>
      !(e.resource?.resourceType === 'Observation' && e.resource.code.coding?.[0]?.code === loinc);
    const without = { ...c.bundle, entry: c.bundle.entry!.filter(drop('8867-4')) };
    expect(table.featuresOf(without)[2]).toBeNull();
    const kpa = {
      ...c.bundle,
      entry: c.bundle.entry!.map((e) =>
        e.resource?.resourceType === 'Observation' && e.resource.code.coding?.[0]?.code === '8480-6'
          ? { ...e, resource: { ...e.resource, valueQuantity: { value: 16, unit: 'kPa', system: UCUM, code: 'kPa' } } }
          : e.resource?.resourceType === 'Observation' && e.resource.code.coding?.[0]?.code === '59408-5'
            ? { ...e, resource: { ...e.resource, valueQuantity: { value: 97, unit: 'furlongs', system: UCUM, code: 'furlongs' } } }
            : e,
      ),
    };
    const row = table.featuresOf(kpa);
    expect(row[5]).toBe(120); // 16 kPa = 120.01 mm[Hg], at the column's precision
    expect(row[6]).toBeNull();
    const unitless = {
      ...c.bundle,
      entry: c.bundle.entry!.map((e) =>
        e.resource?.resourceType === 'Observation' && e.resource.code.coding?.[0]?.code === '9279-1'
          ? { ...e, resource: { ...e.resource, valueQuantity: { value: 18 } } }
          : e,
      ),
    };
    expect(table.featuresOf(unitless)[3]).toBeNull();
    expect(table.featuresOf({ resourceType: 'Bundle', type: 'collection' })).toEqual(Array(8).fill(null));
    expect(table.featuresOf({ resourceType: 'Bundle', type: 'collection', entry: [null, {}, { resource: 7 }] } as never)).toEqual(
      Array(8).fill(null),
    );
    expect(table.truthOf({})).toEqual([null, null]);
  });
});
