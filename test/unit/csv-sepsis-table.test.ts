import { describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, Observation } from 'fhir/r4.js';
import type { Case } from '../../simulator/case.ts';
import { tableHeader } from '../../simulator/cohort/csv.ts';
import { drawSepsisPatient } from '../../simulator/cohort/sepsis/model.ts';
import { sepsisTask } from '../../simulator/cohort/sepsis/index.ts';
import { SEPSIS_MEASUREMENT_COLUMNS } from '../../simulator/cohort/sepsis/table.ts';
import { LOINC, UCUM } from '../../simulator/fhir/bundle-access.ts';
import { patientStream, perturbationStream } from '../../simulator/random.ts';
import { missingMcar } from '../../simulator/perturb/missing/mcar.ts';
import { shiftUnits } from '../../simulator/perturb/shift/units.ts';
import { UNIT_TABLE, unitsFor } from '../../simulator/perturb/ucum.ts';
import type { PerturbContext } from '../../simulator/perturb/perturbation.ts';

const table = sepsisTask.table;
const cohort = { seed: 99 };
const ctx = (i: number): PerturbContext => ({ rng: perturbationStream(cohort.seed, 'arm', 0, i), task: sepsisTask, cohort });

const COLUMNS = [
  'case',
  'age_years',
  'sex_female',
  'heart_rate',
  'resp_rate',
  'temp_c',
  'sbp_mmhg',
  'spo2_pct',
  'gcs',
  'lactate_mmol_l',
  'wbc_10e9_l',
  'creatinine_mg_dl',
  'platelets_10e9_l',
  'bilirubin_mg_dl',
  'label',
  'risk',
];

function row(c: Case) {
  const cells = [...table.featuresOf(c.bundle), ...table.truthOf(c.truth)];
  return Object.fromEntries(COLUMNS.slice(1).map((name, i) => [name, cells[i]]));
}

function mapObservations(bundle: Bundle, f: (o: Observation) => Observation | null): Bundle {
  const entry: BundleEntry[] = [];
  for (const e of bundle.entry ?? []) {
    if (e.resource?.resourceType !== 'Observation') {
      entry.push(e);
      continue;
    }
    const next = f(e.resource);
    if (next) entry.push({ ...e, resource: next });
  }
  return { ...bundle, entry };
}

const loincOf = (o: Observation) => o.code.coding?.[0]?.code;

const hasObservation = (c: Case, loinc: string) =>
  (c.bundle.entry ?? []).some((e) => e.resource?.resourceType === 'Observation' && loincOf(e.resource) === loinc);

/**
 * The first patient from index `from` on whose bundle has every one of `loincs`: not every lab is
 * ordered for every patient (baseline missingness), and these tests need the Observation present.
 */
function patientWith(loincs: readonly string[], from: number): Case {
  for (let i = from; i < from + 1000; i++) {
    const c = sepsisTask.generate(cohort, i);
    if (loincs.every((l) => hasObservation(c, l))) return c;
  }
  throw new Error(`no patient with ${loincs.join(', ')}`);
}

describe('sepsis tabular view', () => {
  it('has exactly the documented columns, in order', () => {
    expect(tableHeader(table)).toEqual(COLUMNS);
    expect(table.truth).toEqual(['label', 'risk']);
  });

  it('reads every value from the bundle as the generator drew it', () => {
    for (let i = 0; i < 300; i++) {
      const c = sepsisTask.generate(cohort, i);
      const p = drawSepsisPatient(patientStream(cohort.seed, 'sepsis', i));
      expect(row(c)).toEqual({
        age_years: p.demographics.ageYears,
        sex_female: p.demographics.sex === 'female' ? 1 : 0,
        heart_rate: p.vitals.heartRate,
        resp_rate: p.vitals.respiratoryRate,
        temp_c: p.vitals.temperature,
        sbp_mmhg: p.vitals.systolicBp,
        spo2_pct: p.vitals.spo2,
        gcs: p.vitals.gcs,
        lactate_mmol_l: p.labs.lactate,
        wbc_10e9_l: p.labs.wbc,
        creatinine_mg_dl: p.labs.creatinine,
        platelets_10e9_l: p.labs.platelets,
        bilirubin_mg_dl: p.labs.bilirubin,
        label: c.truth.label,
        risk: c.truth.risk,
      });
    }
  });

  it('a correctly converted unit change is invisible: every convertible unit of every column', () => {
    let checked = 0;
    let pairs = 0;
    for (const column of Object.values(SEPSIS_MEASUREMENT_COLUMNS)) {
      const loinc = column.loinc[0];
      for (const to of unitsFor(loinc)) {
        if (to === column.unit) continue;
        const params = shiftUnits.params.parse({ loinc, to });
        let converted = 0;
        for (let i = 0; i < 150; i++) {
          const c = sepsisTask.generate(cohort, i);
          const out = shiftUnits.apply(c, params, ctx(i));
          // A lab that was not ordered has nothing to convert (baseline missingness).
          const present = hasObservation(c, loinc);
          expect(out.changes).toHaveLength(present ? 1 : 0);
          expect(table.featuresOf(out.case.bundle)).toEqual(table.featuresOf(c.bundle));
          if (present) converted++;
        }
        // Even the least ordered lab (bilirubin, ~30%) is in dozens of the 150 bundles.
        expect(converted, `${loinc} → ${to}`).toBeGreaterThan(20);
        checked += converted;
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThanOrEqual(10);
    expect(checked).toBeGreaterThan(150 * pairs * 0.25);
  });

  it('an unknown unit, a missing unit, a non-UCUM system or a censored value leaves the cell empty', () => {
    const c = patientWith(['2524-7'], 3);
    expect(row(c).lactate_mmol_l).not.toBeNull();
    const cases: [string, (o: Observation) => Observation][] = [
      ['unknown unit', (o) => ({ ...o, valueQuantity: { ...o.valueQuantity, unit: 'furlongs', code: 'furlongs' } })],
      ['no unit', (o) => ({ ...o, valueQuantity: { value: o.valueQuantity!.value! } })],
      ['local system', (o) => ({ ...o, valueQuantity: { ...o.valueQuantity, system: 'urn:local:units' } })],
      ['comparator', (o) => ({ ...o, valueQuantity: { ...o.valueQuantity, comparator: '<' } })],
      ['no value', (o) => ({ ...o, valueQuantity: { unit: 'mmol/L', system: UCUM, code: 'mmol/L' } })],
      ['entered in error', (o) => ({ ...o, status: 'entered-in-error' })],
      ['local code', (o) => ({ ...o, code: { coding: [{ system: 'urn:local', code: 'LAC' }] } })],
    ];
    for (const [, change] of cases) {
      const bundle = mapObservations(c.bundle, (o) => (loincOf(o) === '2524-7' ? change(o) : o));
      const r = row({ ...c, bundle });
      expect(r.lactate_mmol_l).toBeNull();
      expect(r.heart_rate).toBe(row(c).heart_rate);
    }
  });

  it('a value in the unit of the column name (10*9/L) or a code missing only `code` is read', () => {
    const c = patientWith(['6690-2', '2160-0'], 4);
    const bundle = mapObservations(c.bundle, (o) => {
      if (loincOf(o) === '6690-2') return { ...o, valueQuantity: { value: 7.5, unit: '10*9/L', system: UCUM, code: '10*9/L' } };
      if (loincOf(o) === '2160-0') return { ...o, valueQuantity: { value: 97, unit: 'umol/L' } };
      return o;
    });
    const r = row({ ...c, bundle });
    expect(r.wbc_10e9_l).toBe(7.5);
    expect(r.creatinine_mg_dl).toBe(1.1); // 97 µmol/L × 113.1179 / 10000 = 1.0972 → 2 decimals
  });

  it('missing Observations (missing.mcar) are empty cells', () => {
    const c = patientWith(['2524-7', '9269-2'], 5);
    expect([row(c).lactate_mmol_l, row(c).gcs]).not.toContain(null);
    const params = missingMcar.params.parse({ loinc: ['2524-7', '9269-2'], rate: 1 });
    const out = missingMcar.apply(c, params, ctx(c.index));
    const r = row(out.case);
    expect(r.lactate_mmol_l).toBeNull();
    expect(r.gcs).toBeNull();
    expect(r.heart_rate).toBe(row(c).heart_rate);
  });

  it('takes the most recent usable Observation; alternative LOINC specimens feed the same column', () => {
    const c = patientWith(['2524-7'], 6);
    const lactate = (c.bundle.entry ?? []).map((e) => e.resource).find((r): r is Observation => r?.resourceType === 'Observation' && loincOf(r) === '2524-7')!;
    const at = Date.parse(lactate.effectiveDateTime!);
    const extra = (loinc: string, value: number, unit: string, dt: number): BundleEntry => ({
      resource: {
        ...lactate,
        id: `extra-${loinc}-${dt}`,
        code: { coding: [{ system: LOINC, code: loinc }] },
        effectiveDateTime: new Date(at + dt).toISOString(),
        valueQuantity: { value, unit, system: UCUM, code: unit },
      },
    });
    const later = { ...c, bundle: { ...c.bundle, entry: [...c.bundle.entry!, extra('32693-4', 4.4, 'mmol/L', 60_000)] } };
    expect(row(later).lactate_mmol_l).toBe(4.4);
    const earlier = { ...c, bundle: { ...c.bundle, entry: [...c.bundle.entry!, extra('32693-4', 4.4, 'mmol/L', -60_000)] } };
    expect(row(earlier).lactate_mmol_l).toBe(lactate.valueQuantity!.value);
    const laterUnusable = { ...c, bundle: { ...c.bundle, entry: [...c.bundle.entry!, extra('2524-7', 4.4, 'bogus', 60_000)] } };
    expect(row(laterUnusable).lactate_mmol_l).toBe(lactate.valueQuantity!.value);
    const laterMgDl = { ...c, bundle: { ...c.bundle, entry: [...c.bundle.entry!, extra('2518-9', 36, 'mg/dL', 60_000)] } };
    expect(row(laterMgDl).lactate_mmol_l).toBe(4); // 36 / 9.008 = 3.996 → 1 decimal
  });

  it('age at Bundle.timestamp; missing Patient, timestamp or gender give empty cells', () => {
    const c = sepsisTask.generate(cohort, 7);
    const noTimestamp: Bundle = { ...c.bundle };
    delete noTimestamp.timestamp;
    expect(row({ ...c, bundle: noTimestamp }).age_years).toBeNull();
    const noPatient = { ...c.bundle, entry: c.bundle.entry!.filter((e) => e.resource?.resourceType !== 'Patient') };
    const r = row({ ...c, bundle: noPatient });
    expect([r.age_years, r.sex_female]).toEqual([null, null]);
    const other = mapEntries(c.bundle, (e) => (e.resource?.resourceType === 'Patient' ? { ...e, resource: { ...e.resource, gender: 'other' } } : e));
    expect(row({ ...c, bundle: other }).sex_female).toBeNull();
    // One day before the birthday at the prediction time: still the younger age.
    const ts = new Date(c.bundle.timestamp!);
    const birth = new Date(Date.UTC(ts.getUTCFullYear() - 40, ts.getUTCMonth(), ts.getUTCDate() + 1)).toISOString().slice(0, 10);
    const birthday = mapEntries(c.bundle, (e) => (e.resource?.resourceType === 'Patient' ? { ...e, resource: { ...e.resource, birthDate: birth } } : e));
    expect(row({ ...c, bundle: birthday }).age_years).toBe(39);
  });

  it('never throws on malformed bundles (fuzzed shapes): the cells are empty', () => {
    const shapes: unknown[] = [
      {},
      { resourceType: 'Bundle' },
      { resourceType: 'Bundle', entry: 'x' },
      { resourceType: 'Bundle', entry: [null, 1, 'a', { resource: null }, { resource: { resourceType: 'Observation', code: 'x' } }] },
      { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Observation', code: { coding: [{ system: LOINC, code: '2524-7' }] }, valueQuantity: { value: '3', code: 'mmol/L' } } }] },
      { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Observation', code: { coding: [{ system: LOINC, code: '2524-7' }] }, valueQuantity: { value: 1e308, code: 'mg/dL' } } }] },
    ];
    for (const b of shapes) {
      const cells = table.featuresOf(b as Bundle);
      expect(cells).toHaveLength(table.features.length);
      for (const cell of cells) expect(cell === null || Number.isFinite(cell)).toBe(true);
    }
    expect(table.truthOf({})).toEqual([null, null]);
  });

  it('every unit the UCUM table knows for a column code converts to the column unit', () => {
    for (const column of Object.values(SEPSIS_MEASUREMENT_COLUMNS)) {
      for (const loinc of column.loinc) {
        expect(Object.hasOwn(UNIT_TABLE, loinc)).toBe(true);
        expect(unitsFor(loinc)).toContain(column.unit);
      }
    }
  });
});

function mapEntries(bundle: Bundle, f: (e: BundleEntry) => BundleEntry): Bundle {
  return { ...bundle, entry: (bundle.entry ?? []).map(f) };
}
