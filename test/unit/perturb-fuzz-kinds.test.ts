/**
 * The fuzz kinds on the real generators of all three tasks: deterministic, pure, fixed draws, truth
 * preserved, and their outputs really are what they claim (invalid codes, impossible values,
 * schema-invalid types, no entries, duplicate ids). The harness's own readers must survive them.
 */
import { counting } from './counting-rng.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Case, TaskName } from '../../simulator/case.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { CohortOptions } from '../../simulator/cohort/task.ts';
import { LOINC, SNOMED } from '../../simulator/fhir/bundle-access.ts';
import type { Resource } from 'fhir/r4.js';
import { validateProfile } from '../../simulator/fhir/profile.ts';
import { validateResource, warmUpValidator } from '../../simulator/fhir/validate.ts';
import { applyArm } from '../../simulator/perturb/apply.ts';
import { fuzz } from '../../simulator/perturb/families.ts';
import { EXTREME_VALUES, fuzzExtremeValues } from '../../simulator/perturb/fuzz/extreme-values.ts';
import { fuzzDuplicateResources } from '../../simulator/perturb/fuzz/duplicate-resources.ts';
import { fuzzEmptyBundle } from '../../simulator/perturb/fuzz/empty-bundle.ts';
import { fuzzInvalidCodes, invalidCode, RXNORM, verhoeffCheckDigit, verhoeffValid } from '../../simulator/perturb/fuzz/invalid-codes.ts';
import { dateAsNumber, fuzzWrongTypes, WRONG_TYPE_KINDS } from '../../simulator/perturb/fuzz/wrong-types.ts';
import { loincCheckDigit } from '../../simulator/perturb/missing/mcar.ts';
import type { Change, PerturbContext, PerturbationDefinition } from '../../simulator/perturb/perturbation.ts';
import { definitionOf, registry, type PerturbationKind } from '../../simulator/perturb/registry.ts';
import { perturbationStream, type Rng } from '../../simulator/random.ts';
import { caseCache, paramSetsOf } from './perturb-fixtures.ts';

const cohort: CohortOptions = { seed: 1357 };
const TASK_NAMES: readonly TaskName[] = ['sepsis', 'note-triage', 'med-safety'];
const KINDS = (Object.keys(registry) as PerturbationKind[]).filter((k) => k.startsWith('fuzz.'));

const VARIANTS: Record<string, unknown[]> = {
  'fuzz.invalidCodes': [{ rate: 0.5 }, { systems: ['rxnorm'] }, { systems: ['snomed', 'loinc'], rate: 0.3 }],
  'fuzz.extremeValues': [{}, { loinc: ['2823-3', '6301-6'] }, { value: -40 }],
  'fuzz.wrongTypes': [{ kinds: ['number-as-string'] }, { kinds: ['date-as-number', 'array-as-object'] }, { kinds: ['object-as-array'] }],
  'fuzz.emptyBundle': [{ form: 'no-entry' }],
  'fuzz.duplicateResources': [{}, { count: 50 }, { resourceType: 'Observation', count: 3 }, { resourceType: 'MedicationRequest' }],
};

const paramSets = (kind: PerturbationKind) => paramSetsOf(kind, VARIANTS);
const generated = caseCache(cohort);

function ctx(task: TaskName, i: number, arm = 'arm', rng?: Rng): PerturbContext {
  return { rng: rng ?? perturbationStream(cohort.seed, arm, 0, i), task: tasks[task], cohort };
}

/** The value at a `Bundle.entry[i].resource.a.b[0].c` path. */
function at(root: unknown, path: string): unknown {
  let cur = root;
  for (const part of path.replace(/^Bundle\.?/, '').match(/[^.[\]]+/g) ?? []) {
    cur = Array.isArray(cur) ? cur[Number(part)] : (cur as Record<string, unknown> | undefined)?.[part];
  }
  return cur;
}

const issues = <P>(def: PerturbationDefinition<P>, v: unknown) => def.params.safeParse(v).error?.issues ?? [];

beforeAll(() => warmUpValidator());

describe('fuzz kinds are registered', () => {
  it('all five, with their declarations', () => {
    expect([...KINDS].sort()).toEqual(['fuzz.duplicateResources', 'fuzz.emptyBundle', 'fuzz.extremeValues', 'fuzz.invalidCodes', 'fuzz.wrongTypes']);
    for (const kind of KINDS) {
      const def = definitionOf(kind);
      expect(def.family).toBe('fuzz');
      expect(def.truthEffect).toBe('preserved');
      for (const p of paramSets(kind)) {
        expect(def.expectation(p)).toEqual({ kind: 'degrading' });
        expect(def.describe(p)).toMatch(/\S/);
      }
    }
    expect(fuzz.emptyBundle({})).toEqual({ kind: 'fuzz.emptyBundle', params: {} });
    expect(fuzz.wrongTypes({ kinds: ['date-as-number'] })).toEqual({ kind: 'fuzz.wrongTypes', params: { kinds: ['date-as-number'] } });
  });
});

describe.each(KINDS)('%s', (kind) => {
  const def = definitionOf(kind) as PerturbationDefinition<Record<string, unknown>>;

  it.each(TASK_NAMES)('on %s: deterministic, pure, fixed draws, truth preserved, readers survive', (task) => {
    for (const params of paramSets(kind)) {
      const draws = new Set<number>();
      for (let i = 0; i < 30; i++) {
        const base = generated(task, i);
        const snapshot = structuredClone(base);
        const counted = counting(perturbationStream(cohort.seed, 'arm', 0, i));
        const a = def.apply(base, params, ctx(task, i, 'arm', counted.rng));
        draws.add(counted.draws());
        const b = def.apply(base, params, ctx(task, i));
        expect(base).toEqual(snapshot);
        expect(a).toEqual(b);
        expect(a.case.truth).toBe(base.truth);
        expect(a.case.index).toBe(i);
        if (a.changes.length === 0) expect(a.case).toBe(base);
        // The harness reads perturbed bundles for subgroups and the table: it must not throw.
        expect(() => tasks[task].groupOf(a.case.bundle)).not.toThrow();
        expect(() => tasks[task].table.featuresOf(a.case.bundle)).not.toThrow();
        // A notes kind after a fuzz kind must not throw either.
        const arm = applyArm(base, 'mixed', [{ kind, params }, { kind: 'notes.phiBait', params: {} }, { kind: 'notes.typos', params: { rate: 0.3 } }], tasks[task], cohort);
        expect(arm.provenance).toHaveLength(3);
        expect(JSON.parse(JSON.stringify(arm.case.bundle))).toBeDefined();
      }
      expect([...draws], JSON.stringify(params)).toHaveLength(1);
    }
  });
});

describe('fuzz.invalidCodes', () => {
  it('the check digits: LOINC (Luhn) and SNOMED CT (Verhoeff) of the generated codes are valid', () => {
    const codes = { [LOINC]: new Set<string>(), [SNOMED]: new Set<string>(), [RXNORM]: new Set<string>() };
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.system === 'string' && typeof o.code === 'string' && o.system in codes) codes[o.system as keyof typeof codes].add(o.code);
        Object.values(o).forEach(walk);
      }
    };
    for (const task of TASK_NAMES) for (let i = 0; i < 200; i++) walk(generated(task, i % 30).bundle), walk(tasks[task].generate(cohort, i).bundle);
    for (const code of codes[LOINC]) expect(Number(code.split('-')[1]), code).toBe(loincCheckDigit(code.split('-')[0]!));
    for (const code of codes[SNOMED]) expect(verhoeffValid(code), code).toBe(true);
    for (const code of codes[RXNORM]) expect(code).toMatch(/^\d+$/);
    expect(codes[SNOMED].size).toBeGreaterThan(15);
    expect(codes[RXNORM].size).toBeGreaterThan(15);
    // Known Verhoeff values.
    expect(verhoeffCheckDigit('236')).toBe(3);
    expect(verhoeffValid('38341003')).toBe(true);
    expect(verhoeffValid('38341004')).toBe(false);
  });

  it('every replaced code is invalid for its system, and the bundle still passes the JSON schema', () => {
    const styles = { nearMiss: 0, garbage: 0 };
    for (const task of TASK_NAMES) {
      for (let i = 0; i < 30; i++) {
        const base = generated(task, i);
        const out = fuzzInvalidCodes.apply(base, {}, ctx(task, i));
        expect(out.changes.length).toBeGreaterThan(0);
        for (const ch of out.changes) {
          expect(at(out.case.bundle, ch.path)).toBe(ch.after);
          expect(at(base.bundle, ch.path)).toBe(ch.before);
          const system = at(out.case.bundle, ch.path.replace(/\.code$/, '.system')) as string;
          const code = ch.after as string;
          if (code.startsWith('INVALID-')) styles.garbage++;
          else styles.nearMiss++;
          if (system === LOINC) {
            const m = /^(\d{1,7})-(\d)$/.exec(code);
            expect(m === null || loincCheckDigit(m[1]!) !== Number(m[2])).toBe(true);
          } else if (system === SNOMED) expect(verhoeffValid(code)).toBe(false);
          else expect(system).toBe(RXNORM), expect(code).not.toMatch(/^\d+$/);
        }
        // Every targeted coding was replaced at rate 1.
        const targeted = JSON.stringify(base.bundle).match(/"system":"(http:\/\/loinc\.org|http:\/\/snomed\.info\/sct|http:\/\/www\.nlm\.nih\.gov\/research\/umls\/rxnorm)","code":/g);
        expect(out.changes).toHaveLength(targeted!.length);
        expect(validateResource(out.case.bundle)).toEqual([]);
      }
    }
    expect(styles.nearMiss).toBeGreaterThan(100);
    expect(styles.garbage).toBeGreaterThan(100);
  });

  it('near misses: a wrong check digit (LOINC, SNOMED CT), a letter appended (RxNorm)', () => {
    expect(invalidCode('loinc', '2524-7', 0.1, 0, 'ab')).toBe('2524-8');
    expect(invalidCode('loinc', '2524-7', 0.1, 0.99, 'ab')).toBe('2524-6');
    expect(invalidCode('snomed', '38341003', 0.1, 0, 'ab')).toBe('38341004');
    expect(invalidCode('rxnorm', '723', 0.1, 0, 'ab')).toBe('723X');
    expect(invalidCode('rxnorm', '723', 0.9, 0, '0badc0de')).toBe('INVALID-0badc0de');
  });

  it('systems and rate select what is replaced', () => {
    let replaced = 0;
    let total = 0;
    for (let i = 0; i < 30; i++) {
      const base = generated('med-safety', i);
      const rx = fuzzInvalidCodes.apply(base, { systems: ['rxnorm'] }, ctx('med-safety', i));
      for (const ch of rx.changes) expect(at(rx.case.bundle, ch.path.replace(/\.code$/, '.system'))).toBe(RXNORM);
      const all = fuzzInvalidCodes.apply(base, {}, ctx('med-safety', i));
      const half = fuzzInvalidCodes.apply(base, { rate: 0.5 }, ctx('med-safety', i));
      total += all.changes.length;
      replaced += half.changes.length;
    }
    expect(Math.abs(replaced / total - 0.5)).toBeLessThan(0.1);
  });

  it('validates params and names the field', () => {
    expect(issues(fuzzInvalidCodes, { rate: 3 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues(fuzzInvalidCodes, { systems: ['icd10'] })).toEqual([expect.objectContaining({ path: ['systems', 0], message: expect.stringMatching(/loinc, snomed, rxnorm/) })]);
    expect(issues(fuzzInvalidCodes, { systems: [] })).toEqual([expect.objectContaining({ path: ['systems'] })]);
  });
});

describe('fuzz.extremeValues', () => {
  it('writes impossible values, still valid JSON numbers and valid against the schema', () => {
    const seen = new Set<number>();
    for (const task of TASK_NAMES) {
      for (let i = 0; i < 30; i++) {
        const base = generated(task, i);
        const out = fuzzExtremeValues.apply(base, {}, ctx(task, i));
        const measured = base.bundle.entry!.filter((e) => e.resource?.resourceType === 'Observation' && typeof e.resource.valueQuantity?.value === 'number');
        expect(out.changes).toHaveLength(measured.length);
        for (const ch of out.changes) {
          expect(EXTREME_VALUES).toContain(ch.after);
          expect(at(out.case.bundle, ch.path)).toBe(ch.after);
          seen.add(ch.after as number);
        }
        const json = JSON.stringify(out.case.bundle);
        expect(JSON.parse(json)).toEqual(out.case.bundle);
        expect(validateResource(out.case.bundle)).toEqual([]);
      }
    }
    expect(seen).toEqual(new Set(EXTREME_VALUES));
  });

  it('loinc restricts the Observations; value fixes the number', () => {
    const base = generated('sepsis', 4);
    const out = fuzzExtremeValues.apply(base, fuzzExtremeValues.params.parse({ loinc: '8867-4', value: -5 }), ctx('sepsis', 4));
    expect(out.changes).toEqual([{ path: expect.stringMatching(/^Bundle\.entry\[\d+\]\.resource\.valueQuantity\.value$/), before: expect.any(Number), after: -5 }]);
    const entry = at(out.case.bundle, out.changes[0]!.path.replace(/\.resource\.valueQuantity\.value$/, '')) as { resource: { code: { coding: { code: string }[] } } };
    expect(entry.resource.code.coding[0]!.code).toBe('8867-4');
    expect(fuzzExtremeValues.apply(base, fuzzExtremeValues.params.parse({ loinc: '2823-3' }), ctx('sepsis', 4)).changes).toEqual([]);
  });

  it('validates params and names the field', () => {
    expect(issues(fuzzExtremeValues, { loinc: '8867-5' })).toEqual([expect.objectContaining({ path: ['loinc'], message: expect.stringMatching(/8867-4/) })]);
    expect(issues(fuzzExtremeValues, { value: Number.NaN })).toEqual([expect.objectContaining({ path: ['value'] })]);
    expect(issues(fuzzExtremeValues, { value: Number.POSITIVE_INFINITY })).toEqual([expect.objectContaining({ path: ['value'] })]);
    expect(issues(fuzzExtremeValues, { value: '1e9' })).toEqual([expect.objectContaining({ path: ['value'] })]);
  });
});

describe('fuzz.wrongTypes', () => {
  it.each(WRONG_TYPE_KINDS)('%s makes the bundle invalid FHIR, where it says', (kind) => {
    let applied = 0;
    for (const task of TASK_NAMES) {
      for (let i = 0; i < 20; i++) {
        const base = generated(task, i);
        expect(validateResource(base.bundle)).toEqual([]);
        const out = fuzzWrongTypes.apply(base, fuzzWrongTypes.params.parse({ kinds: [kind] }), ctx(task, i));
        if (out.changes.length === 0) {
          // Only when the case has no target (a med-safety case without a resulted lab).
          expect(kind).toBe('number-as-string');
          expect(out.case).toBe(base);
          continue;
        }
        applied++;
        expect(out.changes).toHaveLength(1);
        const ch = out.changes[0]!;
        // The official JSON schema does not require complex elements to be objects (its complex type
        // definitions have no "type": "object"): an array there is reported by Medplum's structure
        // validator instead ("Expected single value for property").
        const problems =
          kind === 'object-as-array'
            ? validateProfile(at(out.case.bundle, ch.path.replace(/\.[A-Za-z]+$/, '')) as Resource).map((p) => ({
                ...p,
                path: ch.path.replace(/\.[A-Za-z]+$/, '') + p.path.slice(p.path.indexOf('.')),
              }))
            : validateResource(out.case.bundle);
        expect(problems.length, `${task} ${i} ${JSON.stringify(ch)}`).toBeGreaterThan(0);
        // The schema names the changed element (or, for a number where a string is expected, the element itself).
        // (Medplum names a choice element by its base name: valueQuantity is value[x].)
        const named = ch.path.replace(/\.value[A-Z][A-Za-z]*$/, '.value[x]');
        expect(problems.some((p) => named.startsWith(p.path) || p.path.startsWith(named) || ch.path.startsWith(p.path)), JSON.stringify(problems)).toBe(true);
        const value = at(out.case.bundle, ch.path);
        if (kind === 'number-as-string') expect(typeof value).toBe('string');
        if (kind === 'date-as-number') expect(typeof value).toBe('number');
        if (kind === 'object-as-array') expect(Array.isArray(value)).toBe(true);
        if (kind === 'array-as-object') expect(value !== null && typeof value === 'object' && !Array.isArray(value)).toBe(true);
        // Only the edited entry is new.
        const kept = new Set(base.bundle.entry);
        expect(out.case.bundle.entry!.filter((e) => !kept.has(e))).toHaveLength(ch.path.startsWith('Bundle.entry[') ? 1 : 0);
      }
    }
    expect(applied).toBeGreaterThan(50);
  });

  it('all four at once', () => {
    const base = generated('sepsis', 1);
    const out = fuzzWrongTypes.apply(base, {}, ctx('sepsis', 1));
    expect(out.changes).toHaveLength(4);
    expect(validateResource(out.case.bundle).length).toBeGreaterThan(0);
    expect(dateAsNumber('1950-06-01')).toBe(19500601);
    expect(dateAsNumber('2025-01-01T00:00:00Z')).toBe(Date.UTC(2025, 0, 1));
  });

  it('falls back to Bundle.timestamp when no resource has a date', () => {
    const base = generated('sepsis', 1);
    const c: Case = { ...base, bundle: { ...base.bundle, entry: [] } };
    const out = fuzzWrongTypes.apply(c, { kinds: ['date-as-number'] }, ctx('sepsis', 1));
    expect(out.changes).toEqual([{ path: 'Bundle.timestamp', before: base.bundle.timestamp, after: Date.parse(base.bundle.timestamp!) }]);
    expect(typeof (out.case.bundle as unknown as Record<string, unknown>).timestamp).toBe('number');
    expect(validateResource(out.case.bundle)).toEqual([expect.objectContaining({ path: 'Bundle.timestamp' })]);
    expect(fuzzWrongTypes.apply(c, { kinds: ['object-as-array'] }, ctx('sepsis', 1))).toEqual({ case: c, changes: [] });
  });

  it('validates params and names the field', () => {
    expect(issues(fuzzWrongTypes, { kinds: ['string-as-number'] })).toEqual([expect.objectContaining({ path: ['kinds', 0] })]);
    expect(issues(fuzzWrongTypes, { kinds: [] })).toEqual([expect.objectContaining({ path: ['kinds'] })]);
    expect(issues(fuzzWrongTypes, { kind: 'x' })[0]?.message).toMatch(/"kind"/);
  });
});

describe('fuzz.emptyBundle', () => {
  it('removes every entry, keeping the shell', () => {
    for (const task of TASK_NAMES) {
      const base = generated(task, 0);
      const out = fuzzEmptyBundle.apply(base, {}, ctx(task, 0));
      expect(out.case.bundle).toEqual({ ...base.bundle, entry: [] });
      expect(out.changes).toEqual([{ path: 'Bundle.entry', before: { entries: base.bundle.entry!.length }, after: { entries: 0 } }]);
      const none = fuzzEmptyBundle.apply(base, { form: 'no-entry' }, ctx(task, 0));
      expect('entry' in none.case.bundle).toBe(false);
      expect(none.case.bundle.id).toBe(base.bundle.id);
      expect(validateResource(none.case.bundle)).toEqual([]);
    }
  });

  it('validates params and names the field', () => {
    expect(issues(fuzzEmptyBundle, { form: 'null' })).toEqual([expect.objectContaining({ path: ['form'] })]);
  });
});

describe('fuzz.duplicateResources', () => {
  it('duplicates entries with the same fullUrl and id, right after the original', () => {
    for (const task of TASK_NAMES) {
      for (let i = 0; i < 30; i++) {
        const base = generated(task, i);
        const out = fuzzDuplicateResources.apply(base, { count: 3 }, ctx(task, i));
        expect(out.case.bundle.entry).toHaveLength(base.bundle.entry!.length + 3);
        const urls = out.case.bundle.entry!.map((e) => e.fullUrl);
        expect(new Set(urls).size).toBe(base.bundle.entry!.length);
        for (const ch of out.changes) {
          const a = ch.after as { duplicateOf: string; id: string; fullUrl: string };
          const copy = at(out.case.bundle, ch.path) as { fullUrl: string; resource: { id: string } };
          const index = Number(/\[(\d+)\]$/.exec(ch.path)![1]);
          expect(copy).toEqual(out.case.bundle.entry![index - 1]);
          expect(copy).not.toBe(out.case.bundle.entry![index - 1]);
          expect(copy).toEqual(at(base.bundle, a.duplicateOf));
          expect([copy.fullUrl, copy.resource.id]).toEqual([a.fullUrl, a.id]);
        }
        expect(validateResource(out.case.bundle)).toEqual([]); // the schema does not see bdl-7
      }
    }
  });

  it('count larger than the bundle duplicates everything once; resourceType filters', () => {
    const base = generated('sepsis', 2);
    expect(fuzzDuplicateResources.apply(base, { count: 1000 }, ctx('sepsis', 2)).case.bundle.entry).toHaveLength(2 * base.bundle.entry!.length);
    const obs = fuzzDuplicateResources.apply(base, { count: 2, resourceType: 'Observation' }, ctx('sepsis', 2));
    expect(obs.changes.map((c) => (c.after as { resourceType: string }).resourceType)).toEqual(['Observation', 'Observation']);
    const none = fuzzDuplicateResources.apply(base, { resourceType: 'Immunization' }, ctx('sepsis', 2));
    expect(none).toEqual({ case: base, changes: [] });
  });

  it('validates params and names the field', () => {
    expect(issues(fuzzDuplicateResources, { count: 0 })).toEqual([expect.objectContaining({ path: ['count'] })]);
    expect(issues(fuzzDuplicateResources, { count: 2.5 })).toEqual([expect.objectContaining({ path: ['count'] })]);
    expect(issues(fuzzDuplicateResources, { resourceType: 'observation' })).toEqual([expect.objectContaining({ path: ['resourceType'] })]);
  });
});

describe('provenance', () => {
  it('paths are FHIRPath-like locations in the output bundle', () => {
    const paths: Change['path'][] = [];
    for (const kind of KINDS) {
      const def = definitionOf(kind) as PerturbationDefinition<Record<string, unknown>>;
      const out = def.apply(generated('med-safety', 3), def.params.parse(def.example), ctx('med-safety', 3));
      paths.push(...out.changes.map((c) => c.path));
    }
    for (const p of paths) expect(p).toMatch(/^Bundle\.(entry(\[\d+\](\.resource(\.[A-Za-z]+(\[\d+\])?)+)?)?|timestamp)$/);
  });
});
