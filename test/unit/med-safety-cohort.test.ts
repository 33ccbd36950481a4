import { counting } from './counting-rng.ts';
import { describe, expect, it } from 'vitest';
import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  FhirResource,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
} from 'fhir/r4.js';
import type { Case, Conflict } from '../../simulator/case.ts';
import { ageAt } from '../../simulator/cohort/group.ts';
import { CONFLICT_TABLE, ConflictRule, findConflicts } from '../../simulator/cohort/med-safety/conflicts.ts';
import { draftOrderOf, medSafetyTask } from '../../simulator/cohort/med-safety/index.ts';
import { DEFAULT_PREVALENCE, DRAWS_PER_PATIENT, drawMedSafetyPatient } from '../../simulator/cohort/med-safety/model.ts';
import { patientStream, type Rng } from '../../simulator/random.ts';

const SEED = 20261124;
const cohort = { seed: SEED };
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

function generate(index: number, overrides?: Parameters<typeof medSafetyTask.generate>[2], prevalence?: number): Case {
  return medSafetyTask.generate(prevalence === undefined ? cohort : { ...cohort, prevalence }, index, overrides);
}

/** One cohort shared by the statistical tests (generation is fast; 20,000 patients ≈ 1 s). */
const N = 20_000;
const COHORT: Case[] = Array.from({ length: N }, (_, i) => generate(i));

function ofType<T extends FhirResource['resourceType']>(bundle: Bundle, type: T): Extract<FhirResource, { resourceType: T }>[] {
  return (bundle.entry ?? []).map((e) => e.resource!).filter((r) => r.resourceType === type) as Extract<FhirResource, { resourceType: T }>[];
}

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

// ---------------------------------------------------------------------------------------------
// Independent reading of a bundle: written here from the FHIR structure, not from the generator.

interface Chart {
  draft: string;
  active: string[];
  allergies: string[];
  labs: Map<string, { value: number; unit: string }>;
  conditions: Set<string>;
  age: number;
  gender: string;
}

const rx = (concept: { coding?: { system?: string; code?: string }[] } | undefined): string[] =>
  (concept?.coding ?? []).filter((c) => c.system === RXNORM).map((c) => c.code!);

const charts = new WeakMap<Bundle, Chart>();

function chartOf(bundle: Bundle): Chart {
  let chart = charts.get(bundle);
  if (!chart) charts.set(bundle, (chart = readChart(bundle)));
  return chart;
}

function readChart(bundle: Bundle): Chart {
  const drafts = ofType(bundle, 'MedicationRequest').filter((m) => m.status === 'draft');
  expect(drafts).toHaveLength(1);
  const active = [
    ...ofType(bundle, 'MedicationRequest').filter((m) => m.status === 'active'),
    ...ofType(bundle, 'MedicationStatement').filter((m) => m.status === 'active'),
  ].flatMap((m) => rx(m.medicationCodeableConcept));
  const allergies = ofType(bundle, 'AllergyIntolerance')
    .filter((a) => a.clinicalStatus?.coding?.[0]?.code === 'active')
    .flatMap((a) => rx(a.code));
  const labs = new Map<string, { value: number; unit: string }>();
  for (const o of ofType(bundle, 'Observation')) {
    const loinc = o.code.coding!.find((c) => c.system === LOINC)!.code!;
    labs.set(loinc, { value: o.valueQuantity!.value!, unit: o.valueQuantity!.code! });
  }
  const conditions = new Set(ofType(bundle, 'Condition').map((c) => c.code!.coding?.[0]?.code ?? c.code!.text!));
  const patient = ofType(bundle, 'Patient')[0]!;
  return {
    draft: rx(drafts[0]!.medicationCodeableConcept)[0]!,
    active,
    allergies,
    labs,
    conditions,
    age: ageAt(patient.birthDate, bundle.timestamp)!,
    gender: patient.gender!,
  };
}

/** Re-check against the table's rows, with matching written here. */
function recheck(chart: Chart): Conflict[] {
  const out: Conflict[] = [];
  for (const rule of CONFLICT_TABLE) {
    const push = (withCode: string): void => {
      if (!out.some((c) => c.description === rule.description && c.with === withCode)) {
        out.push({ kind: rule.kind, severity: rule.severity, with: withCode, description: rule.description });
      }
    };
    if (rule.kind === 'allergy') {
      if (rule.drugs.includes(chart.draft)) for (const a of chart.allergies) if (rule.allergens.includes(a)) push(a);
    } else if (rule.kind === 'interaction') {
      for (const m of chart.active) {
        if ((rule.a.includes(chart.draft) && rule.b.includes(m)) || (rule.b.includes(chart.draft) && rule.a.includes(m))) push(m);
      }
    } else if (rule.drugs.includes(chart.draft)) {
      const lab = chart.labs.get(rule.loinc);
      if (lab && lab.unit === rule.unit && (rule.comparator === '<' ? lab.value < rule.threshold : lab.value > rule.threshold)) push(rule.loinc);
    }
  }
  return out;
}

/**
 * The clinically significant conflicts of clinical-codes.md §6 (and the documented extensions),
 * hand-coded here from that sheet without the conflict table: does this chart warrant label 1?
 */
function significantByHand(c: Chart): boolean {
  const on = (...codes: string[]): boolean => c.active.some((m) => codes.includes(m));
  const allergic = (...codes: string[]): boolean => c.allergies.some((a) => codes.includes(a));
  const lab = (loinc: string): number | undefined => c.labs.get(loinc)?.value;
  const d = c.draft;
  const nsaid = d === '5640' || d === '7258';
  const ace = ['29046', '1998', '3827', '18867', '35208', '35296'];
  const cephalosporins = ['2231', '2193', '25037', '25033', '20489', '2191', '2180', '2176', '20481', '2189', '2194'];
  const egfr = lab('98979-8');
  const k = lab('2823-3');
  return (
    // allergy
    (['723', '733', '7984'].includes(d) && allergic('7984', '723', '733')) ||
    (d === '10831' && allergic('10831')) ||
    ((nsaid || d === '1191') && allergic('5640', '7258', '1191')) ||
    (cephalosporins.includes(d) && allergic(...cephalosporins)) ||
    (ace.includes(d) && allergic(...ace)) ||
    // interaction
    ((nsaid || d === '1191' || d === '10831') && on('11289')) ||
    (d === '11289' && on('5640', '7258', '1191', '10831')) ||
    (ace.includes(d) && on('9997', '8591')) ||
    (d === '9997' && on(...ace, '8591')) ||
    (d === '8591' && on(...ace, '9997')) ||
    (d === '36437' && on('8123', '190376')) ||
    ((d === '8123' || d === '190376') && on('36437')) ||
    (d === '21212' && on('36567')) ||
    (d === '36567' && on('21212')) ||
    ((d === '10831' || nsaid) && on('6851')) ||
    (d === '6851' && on('10831', '5640', '7258')) ||
    (d === '136411' && on('4917', '6058')) ||
    ((d === '4917' || d === '6058') && on('136411')) ||
    // drug-lab
    (d === '6809' && egfr !== undefined && egfr < 30) ||
    (nsaid && egfr !== undefined && egfr < 30) ||
    ((d === '8591' || d === '9997') && k !== undefined && k > 5.0)
  );
}

const key = (c: Conflict): string => `${c.kind}|${c.severity}|${c.with}|${c.description}`;

function countingStream(seed: number, index: number): { rng: Rng; calls: () => number } {
  const { rng, draws } = counting(patientStream(seed, 'med-safety', index));
  return { rng, calls: draws };
}

// ---------------------------------------------------------------------------------------------

describe('med-safety cohort: determinism', () => {
  it('the same seed and index give byte-identical cases', () => {
    for (const i of [0, 1, 17, 999]) expect(JSON.stringify(generate(i))).toBe(JSON.stringify(COHORT[i]));
  });

  it('patient 5 generated directly is the one generated in sequence, in a larger cohort or in reverse order', () => {
    const direct = JSON.stringify(generate(5));
    const reversed: Case[] = [];
    for (let i = 999; i >= 0; i--) reversed[i] = generate(i);
    expect(JSON.stringify(COHORT[5])).toBe(direct);
    expect(JSON.stringify(reversed[5])).toBe(direct);
  });

  it('different seeds give different patients; ids are unique across patients', () => {
    expect(JSON.stringify(medSafetyTask.generate({ seed: SEED + 1 }, 3).bundle)).not.toBe(JSON.stringify(COHORT[3]!.bundle));
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const b = COHORT[i]!.bundle;
      for (const id of [b.id!, ...(b.entry ?? []).map((e) => e.resource!.id!)]) {
        expect(ids.has(id)).toBe(false);
        ids.add(id);
      }
    }
  });

  it('every patient consumes exactly DRAWS_PER_PATIENT uniforms, whatever the prevalence or overrides', () => {
    const overrideSets = [undefined, { sex: 'male' as const }, { ageYears: 95 }, { ageYears: 18, race: '2028-9', ethnicity: '2135-2' }];
    for (let i = 0; i < 300; i++) {
      for (const o of overrideSets) {
        for (const prevalence of [0, DEFAULT_PREVALENCE, 1]) {
          const { rng, calls } = countingStream(SEED, i);
          drawMedSafetyPatient(rng, prevalence, o);
          expect(calls()).toBe(DRAWS_PER_PATIENT);
        }
      }
    }
  });

  it('overrides replace demographics after drawing: ids, times and the design uniforms stay', () => {
    for (let i = 0; i < 200; i++) {
      const base = drawMedSafetyPatient(patientStream(SEED, 'med-safety', i), DEFAULT_PREVALENCE);
      const same = generate(i, {
        ageYears: base.demographics.ageYears,
        sex: base.demographics.sex,
        race: base.demographics.race,
        ethnicity: base.demographics.ethnicity,
      });
      expect(JSON.stringify(same)).toBe(JSON.stringify(COHORT[i]));

      const flipped = base.demographics.sex === 'female' ? 'male' : 'female';
      const over = drawMedSafetyPatient(patientStream(SEED, 'med-safety', i), DEFAULT_PREVALENCE, { sex: flipped });
      expect(over.demographics.sex).toBe(flipped);
      expect(over.uuidWords).toEqual(base.uuidWords);
      expect(over.orderMs).toBe(base.orderMs);
      expect(over.design.conflict).toBe(base.design.conflict);

      const old = generate(i, { ageYears: 90 });
      const patient = ofType(old.bundle, 'Patient')[0]!;
      expect(ageAt(patient.birthDate, old.bundle.timestamp)).toBe(90);
      expect(old.bundle.id).toBe(COHORT[i]!.bundle.id);
      expect(old.truth.label).toBe(COHORT[i]!.truth.label);
    }
  });

  it('raising the prevalence only turns safe cases into conflict cases, leaving the others byte-identical', () => {
    let changed = 0;
    for (let i = 0; i < 1000; i++) {
      const low = generate(i, undefined, 0.2);
      const high = generate(i, undefined, 0.5);
      if (low.truth.label === 1) expect(JSON.stringify(high)).toBe(JSON.stringify(low));
      else if (high.truth.label === 0) expect(JSON.stringify(high)).toBe(JSON.stringify(low));
      else changed++;
    }
    expect(changed).toBeGreaterThan(200);
  });
});

describe('med-safety cohort: prevalence and mix', () => {
  it('the realised share of label 1 is the target prevalence (default 0.35)', () => {
    expect(DEFAULT_PREVALENCE).toBe(0.35);
    const share = COHORT.filter((c) => c.truth.label === 1).length / N;
    expect(Math.abs(share - 0.35)).toBeLessThan(0.015); // sd ≈ 0.0034
  });

  it('honours other prevalences, including 0 and 1, and rejects invalid ones', () => {
    const share = (p: number, n: number): number => {
      let pos = 0;
      for (let i = 0; i < n; i++) pos += generate(i, undefined, p).truth.label!;
      return pos / n;
    };
    expect(Math.abs(share(0.1, 10_000) - 0.1)).toBeLessThan(0.012);
    expect(share(0, 2000)).toBe(0);
    expect(share(1, 2000)).toBe(1);
    expect(() => generate(0, undefined, 1.5)).toThrow(RangeError);
    expect(() => generate(0, undefined, Number.NaN)).toThrow(RangeError);
  });

  it('conflicts are balanced across allergy, interaction and drug-lab', () => {
    const positives = COHORT.filter((c) => c.truth.label === 1);
    for (const kind of ['allergy', 'interaction', 'drug-lab'] as const) {
      const share = positives.filter((c) => c.truth.conflicts!.some((x) => x.kind === kind && x.severity !== 'caution' && x.severity !== 'moderate')).length / positives.length;
      expect(share).toBeGreaterThan(0.27);
      expect(share).toBeLessThan(0.45);
    }
  });

  it('the draft alone does not give the label away: most drafts occur in both labels', () => {
    const byDraft = new Map<string, [number, number]>();
    for (const c of COHORT) {
      const d = chartOf(c.bundle).draft;
      const e = byDraft.get(d) ?? [0, 0];
      e[c.truth.label!]++;
      byDraft.set(d, e);
    }
    let best = 0;
    for (const [neg, pos] of byDraft.values()) best += Math.max(neg, pos);
    // Knowing only the drug ordered, the best guess is barely better than "no conflict" (0.65).
    expect(best / N).toBeLessThan(0.72);
    for (const drug of ['5640', '7258', '10831', '8591', '6809', '723', '9997', '21212', '190376', '136411']) {
      const [neg, pos] = byDraft.get(drug) ?? [0, 0];
      expect(neg, `drug ${drug}`).toBeGreaterThan(20);
      expect(pos, `drug ${drug}`).toBeGreaterThan(20);
    }
  });
});

describe('med-safety cohort: truth re-checked from the bundle', () => {
  it('the conflicts in the truth are exactly those a re-check of the bundle against the table finds', () => {
    for (const c of COHORT) {
      const found = recheck(chartOf(c.bundle)).map(key).sort();
      expect(c.truth.conflicts!.map(key).sort()).toEqual(found);
    }
  });

  it('every label-1 draft truly conflicts, and no label-0 case has a significant conflict (by hand-coded §6 rules)', () => {
    let caution = 0;
    for (const c of COHORT) {
      const chart = chartOf(c.bundle);
      expect(significantByHand(chart), `case ${c.index}`).toBe(c.truth.label === 1);
      if (c.truth.label === 1) {
        expect(c.truth.conflicts!.some((x) => x.severity === 'contraindicated' || x.severity === 'major')).toBe(true);
      } else {
        // Label 0: at most the documented penicillin-allergy/cephalosporin caution.
        for (const x of c.truth.conflicts!) {
          expect(x.severity).toBe('caution');
          expect(x.kind).toBe('allergy');
          caution++;
        }
      }
    }
    expect(caution).toBeGreaterThan(100);
  });

  it('the caution case: a penicillin allergy and a cephalexin order is label 0 with one caution conflict', () => {
    const cases = COHORT.filter((c) => {
      const chart = chartOf(c.bundle);
      return chart.draft === '2231' && chart.allergies.includes('7984');
    });
    expect(cases.length).toBeGreaterThan(50);
    for (const c of cases) {
      expect(c.truth.label).toBe(0);
      expect(c.truth.conflicts).toEqual([expect.objectContaining({ kind: 'allergy', severity: 'caution', with: '7984' })]);
      // Only non-severe penicillin reactions precede a cephalosporin order.
      const allergy = ofType(c.bundle, 'AllergyIntolerance').find((a) => rx(a.code).includes('7984'))!;
      expect(allergy.reaction![0]!.manifestation[0]!.coding![0]!.code).not.toMatch(/^(39579001|402387002)$/);
    }
  });

  it('findConflicts reproduces textbook cases', () => {
    const labs = {};
    expect(findConflicts({ draft: '5640', active: ['11289'], allergies: [], labs }).map((c) => [c.kind, c.severity, c.with])).toEqual([
      ['interaction', 'major', '11289'],
    ]);
    expect(findConflicts({ draft: '161', active: ['11289'], allergies: [], labs })).toEqual([]);
    expect(findConflicts({ draft: '723', active: [], allergies: ['7984'], labs })[0]!.severity).toBe('contraindicated');
    expect(findConflicts({ draft: '2193', active: [], allergies: ['7984'], labs })[0]!.severity).toBe('caution');
    expect(findConflicts({ draft: '6809', active: [], allergies: [], labs: { '98979-8': 29 } })[0]!.with).toBe('98979-8');
    expect(findConflicts({ draft: '6809', active: [], allergies: [], labs: { '98979-8': 30 } })).toEqual([]);
    expect(findConflicts({ draft: '6809', active: [], allergies: [], labs: {} })).toEqual([]);
    expect(findConflicts({ draft: '4917', active: ['136411'], allergies: [], labs })[0]!.severity).toBe('contraindicated');
  });

  it('the conflict table is valid data and covers every §6 row', () => {
    for (const rule of CONFLICT_TABLE) expect(() => ConflictRule.parse(rule)).not.toThrow();
    const sources = CONFLICT_TABLE.map((r) => r.source).join(' ');
    for (let row = 1; row <= 19; row++) expect(sources, `§6 #${row}`).toMatch(new RegExp(`§6 #${row}\\b`));
    expect(new Set(CONFLICT_TABLE.map((r) => r.id)).size).toBe(CONFLICT_TABLE.length);
    expect(() => {
      (CONFLICT_TABLE[0] as { severity: string }).severity = 'moderate';
    }).toThrow(TypeError);
  });
});

describe('med-safety cohort: FHIR layout', () => {
  it('bundles are collections of urn:uuid entries whose references all resolve inside the bundle', () => {
    for (const c of COHORT.slice(0, 3000)) {
      const b = c.bundle;
      expect(b.resourceType).toBe('Bundle');
      expect(b.type).toBe('collection');
      const fullUrls = new Set<string>();
      for (const e of b.entry!) {
        expect(e.fullUrl).toBe(`urn:uuid:${e.resource!.id}`);
        expect(e.resource!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        fullUrls.add(e.fullUrl!);
      }
      expect(fullUrls.size).toBe(b.entry!.length);
      const refs = references(b.entry);
      expect(refs.length).toBeGreaterThan(2);
      for (const r of refs) expect(fullUrls.has(r), r).toBe(true);
    }
  });

  it('the draft order is the order being signed: draftOrderOf finds it, at the bundle timestamp', () => {
    for (const c of COHORT.slice(0, 3000)) {
      const draft = draftOrderOf(c.bundle)!;
      expect(draft.status).toBe('draft');
      expect(['order', 'proposal']).toContain(draft.intent);
      expect(draft.authoredOn).toBe(c.bundle.timestamp);
      expect(draft.encounter?.reference).toBe(`urn:uuid:${ofType(c.bundle, 'Encounter')[0]!.id}`);
      expect(rx(draft.medicationCodeableConcept)).toHaveLength(1);
      expect(draft.reasonCode?.[0]?.text).toBeTruthy();
      expect(draft.dosageInstruction?.[0]?.text).toBeTruthy();
      expect(c.bundle.entry!.at(-1)!.resource).toBe(draft);
    }
    expect(draftOrderOf({ resourceType: 'Bundle', type: 'collection' })).toBeUndefined();
  });

  it('resources have the documented shape: allergies, medications, labs, conditions', () => {
    const reactionCodes = new Set(['39579001', '247472004', '271807003', '402387002', '418290006', '267036007', '49727002', '237849008']);
    const labUnits: Record<string, string> = { '2823-3': 'mmol/L', '6301-6': '{INR}', '98979-8': 'mL/min/{1.73_m2}', '2160-0': 'mg/dL' };
    let allergies = 0;
    let statements = 0;
    for (const c of COHORT.slice(0, 5000)) {
      for (const a of ofType(c.bundle, 'AllergyIntolerance') as AllergyIntolerance[]) {
        allergies++;
        expect(a.clinicalStatus!.coding![0]!.code).toBe('active');
        expect(a.verificationStatus!.coding![0]!.code).toBe('confirmed');
        expect(a.category).toEqual(['medication']);
        expect(['allergy', 'intolerance']).toContain(a.type);
        expect(rx(a.code)).toHaveLength(1);
        const manifestation = a.reaction![0]!.manifestation[0]!.coding![0]!;
        expect(manifestation.system).toBe(SNOMED);
        expect(reactionCodes.has(manifestation.code!)).toBe(true);
      }
      for (const m of ofType(c.bundle, 'MedicationRequest') as MedicationRequest[]) {
        if (m.status === 'draft') continue;
        expect(m.status).toBe('active');
        expect(m.intent).toBe('order');
        expect(rx(m.medicationCodeableConcept)).toHaveLength(1);
      }
      for (const m of ofType(c.bundle, 'MedicationStatement') as MedicationStatement[]) {
        statements++;
        expect(m.status).toBe('active');
        expect(rx(m.medicationCodeableConcept)).toHaveLength(1);
      }
      for (const o of ofType(c.bundle, 'Observation') as Observation[]) {
        expect(o.status).toBe('final');
        expect(o.category![0]!.coding![0]!.code).toBe('laboratory');
        const loinc = o.code.coding![0]!;
        expect(loinc.system).toBe(LOINC);
        expect(o.valueQuantity!.system).toBe(UCUM);
        expect(o.valueQuantity!.code).toBe(labUnits[loinc.code!]);
        expect(o.valueQuantity!.unit).toBe(o.valueQuantity!.code);
        expect(Date.parse(o.effectiveDateTime!)).toBeLessThan(Date.parse(c.bundle.timestamp!));
      }
      for (const cond of ofType(c.bundle, 'Condition') as Condition[]) {
        expect(cond.clinicalStatus!.coding![0]!.code).toBe('active');
        expect(cond.code!.text).toBeTruthy();
      }
      const patient = ofType(c.bundle, 'Patient')[0] as Patient;
      expect(patient.extension!.map((e) => e.url)).toEqual([
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
      ]);
    }
    expect(allergies).toBeGreaterThan(1000);
    expect(statements).toBeGreaterThan(500);
  });

  it('eGFR is the CKD-EPI 2021 value of the reported creatinine', () => {
    for (const c of COHORT.slice(0, 5000)) {
      const chart = chartOf(c.bundle);
      const creatinine = chart.labs.get('2160-0')?.value;
      const egfr = chart.labs.get('98979-8')?.value;
      expect(creatinine === undefined).toBe(egfr === undefined);
      if (creatinine === undefined || egfr === undefined) continue;
      const female = chart.gender === 'female';
      const kappa = female ? 0.7 : 0.9;
      const alpha = female ? -0.241 : -0.302;
      const expected =
        142 * Math.min(creatinine / kappa, 1) ** alpha * Math.max(creatinine / kappa, 1) ** -1.2 * 0.9938 ** chart.age * (female ? 1.012 : 1);
      expect(egfr).toBe(Math.round(expected));
    }
  });

  it('medication lists are clinically coherent', () => {
    const requires: [string, string[]][] = [
      ['11289', ['49436004']], // warfarin: atrial fibrillation
      ['36437', ['35489007']], // sertraline: depression
      ['8123', ['35489007']], // phenelzine: depression
      ['6851', ['69896004']], // methotrexate: rheumatoid arthritis
      ['6809', ['44054006']], // metformin: type 2 diabetes
      ['274783', ['44054006']], // insulin glargine: type 2 diabetes
      ['4917', ['53741008']], // nitroglycerin: coronary disease
      ['136411', ['Erectile dysfunction', 'Pulmonary arterial hypertension']],
      ['29046', ['38341003', '42343007']], // lisinopril: hypertension or heart failure
      ['9997', ['38341003', '42343007']], // spironolactone
      ['4603', ['42343007']], // furosemide: heart failure
    ];
    for (const c of COHORT) {
      const chart = chartOf(c.bundle);
      expect(chart.active).not.toContain(chart.draft);
      expect(new Set(chart.active).size).toBe(chart.active.length);
      for (const [drug, conditions] of requires) {
        if (chart.active.includes(drug)) expect(conditions.some((x) => chart.conditions.has(x)), `${drug} in case ${c.index}`).toBe(true);
      }
      if (chart.active.includes('11289')) expect(chart.labs.get('6301-6')!.value).toBeGreaterThanOrEqual(1.3);
      if (chart.active.includes('6809')) expect(chart.labs.get('98979-8')?.value ?? 30).toBeGreaterThanOrEqual(30);
      if (chart.gender === 'female') expect(chart.conditions.has('Erectile dysfunction')).toBe(false);
      const egfr = chart.labs.get('98979-8')?.value;
      if (egfr !== undefined) expect(chart.conditions.has('709044004')).toBe(egfr < 60);
      const betaBlockers = chart.active.filter((m) => m === '6918' || m === '20352');
      expect(betaBlockers.length).toBeLessThanOrEqual(1);
    }
  });

  it('shared codings are frozen: mutating one throws instead of changing other patients', () => {
    const draft = draftOrderOf(COHORT[0]!.bundle)!;
    expect(() => {
      draft.medicationCodeableConcept!.coding![0]!.code = '0';
    }).toThrow(TypeError);
  });
});

describe('med-safety cohort: task definition and table', () => {
  it('exposes the task contract', () => {
    expect(medSafetyTask.name).toBe('med-safety');
    expect(medSafetyTask.defaultThreshold).toBe(0.5);
    expect(medSafetyTask.table.features).toEqual([
      'age_years',
      'sex_female',
      'draft_rxnorm',
      'active_rxnorm_count',
      'allergy_count',
      'potassium_mmol_l',
      'inr',
      'egfr',
      'creatinine_mg_dl',
    ]);
    expect(medSafetyTask.table.truth).toEqual(['label', 'conflict_kinds']);
    const g = medSafetyTask.groupOf(COHORT[0]!.bundle);
    expect(['female', 'male']).toContain(g.sex);
    expect(g.ageBand).not.toBe('unknown');
  });

  it('feature rows are read from the bundle', () => {
    for (const c of COHORT.slice(0, 3000)) {
      const chart = chartOf(c.bundle);
      const row = medSafetyTask.table.featuresOf(c.bundle);
      expect(row).toEqual([
        chart.age,
        chart.gender === 'female' ? 1 : 0,
        chart.draft,
        chart.active.length,
        ofType(c.bundle, 'AllergyIntolerance').length,
        chart.labs.get('2823-3')?.value ?? null,
        chart.labs.get('6301-6')?.value ?? null,
        chart.labs.get('98979-8')?.value ?? null,
        chart.labs.get('2160-0')?.value ?? null,
      ]);
    }
  });

  it('missing data gives nulls, not errors', () => {
    const b = COHORT.find((c) => chartOf(c.bundle).labs.size > 0)!.bundle;
    const stripped: Bundle = { ...b, entry: b.entry!.filter((e) => !['Observation', 'Patient', 'MedicationRequest'].includes(e.resource!.resourceType)) };
    const row = medSafetyTask.table.featuresOf(stripped);
    expect(row[0]).toBeNull();
    expect(row[1]).toBeNull();
    expect(row[2]).toBeNull();
    expect(row.slice(5)).toEqual([null, null, null, null]);
    expect(medSafetyTask.table.featuresOf({ resourceType: 'Bundle', type: 'collection' })).toEqual([null, null, null, 0, 0, null, null, null, null]);
  });

  it('truth columns: label and the kinds of its significant conflicts', () => {
    for (const c of COHORT) {
      const [label, kinds] = medSafetyTask.table.truthOf(c.truth);
      expect(label).toBe(c.truth.label);
      expect(kinds === '').toBe(label === 0);
      const expected = ['allergy', 'interaction', 'drug-lab'].filter((k) =>
        c.truth.conflicts!.some((x) => x.kind === k && (x.severity === 'contraindicated' || x.severity === 'major')),
      );
      expect(kinds).toBe(expected.join(';'));
    }
    expect(COHORT.some((c) => medSafetyTask.table.truthOf(c.truth)[1] === 'interaction;drug-lab')).toBe(true);
    expect(medSafetyTask.table.truthOf({})).toEqual([null, null]);
  });
});
