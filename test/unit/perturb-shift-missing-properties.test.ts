/**
 * Properties every shift and missing kind must have, on the real generators of all three tasks:
 * deterministic per (seed, arm, position, case), pure, a fixed number of draws per case, the
 * declared truth effect, no-ops where the targeted data are absent, provenance paths the
 * realized-shift metric reads.
 */
import { counting } from './counting-rng.ts';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../simulator/case.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { CohortOptions, TaskDefinition } from '../../simulator/cohort/task.ts';
import { applyArm } from '../../simulator/perturb/apply.ts';
import type { Change, PerturbContext, PerturbationDefinition } from '../../simulator/perturb/perturbation.ts';
import { definitionOf, registry, type PerturbationKind } from '../../simulator/perturb/registry.ts';
import { perturbationStream, type Rng } from '../../simulator/random.ts';
import { deepFreeze } from './perturb-fixtures.ts';

const cohort: CohortOptions = { seed: 20261124 };
const TASKS = Object.values(tasks);
const KINDS = (Object.keys(registry) as PerturbationKind[]).filter((k) => k.startsWith('shift.') || k.startsWith('missing.'));

/** Parameters each kind is exercised with: its example, and variants reaching every task's data. */
const VARIANTS: Record<string, unknown[]> = {
  'shift.age': [{ mean: 30, sd: 5 }],
  'shift.sex': [{ female: 0 }, { female: 1 }],
  'shift.raceEthnicity': [{ mix: { '2054-5': 1 } }, { mix: { '2106-3': 1, '2028-9': 1 }, hispanic: 0 }],
  'shift.prevalence': [{ rate: 0.9 }, { rate: 0 }],
  'shift.labBias': [{ loinc: '2823-3', offset: 0.4 }, { loinc: '8867-4', factor: 1.2 }, { loinc: '98979-8', factor: 0.9, offset: -3 }],
  'shift.units': [{ loinc: '2823-3', to: 'meq/L' }, { loinc: '8310-5', to: '[degF]' }, { loinc: '98979-8', to: 'mL/s/{1.73_m2}' }],
  'shift.localCodes': [{}, { loinc: '2823-3' }],
  'shift.noise': [{ cv: 0.05 }, { loinc: ['2823-3', '6301-6'], sd: 0.2 }, { loinc: '8867-4', sd: 5, cv: 0.05 }],
  'missing.mcar': [{ loinc: ['2823-3', '8867-4', '6690-2'], rate: 0.5 }],
  'missing.mar': [
    { loinc: '2823-3', rate: 0.9, dependsOn: { variable: '98979-8', above: 60 } },
    { loinc: ['8867-4', '9279-1'], rate: 0.7, dependsOn: { variable: 'age', above: 30, below: 60 }, otherwiseRate: 0.2 },
  ],
  'missing.mnar': [{ loinc: '2823-3', rate: 0.8, when: 'high', threshold: 4.5 }, { loinc: '59408-5', rate: 1, when: 'low', threshold: 95, otherwiseRate: 0.1 }],
  'missing.dropResource': [{ type: ['AllergyIntolerance', 'MedicationStatement', 'MedicationRequest'], rate: 0.5 }, { type: 'DocumentReference' }],
  'missing.notYetResulted': [{ loinc: ['2823-3', '6301-6'] }, { loinc: '2160-0', rate: 0.5, mode: 'late' }],
};

function paramSets(kind: PerturbationKind): Record<string, unknown>[] {
  const def = definitionOf(kind);
  return [def.example, ...(VARIANTS[kind] ?? [])].map((p) => def.params.parse(p) as Record<string, unknown>);
}

const caseCache = new Map<string, Case>();
function generated(task: TaskDefinition, i: number): Case {
  const key = `${task.name}:${i}`;
  let c = caseCache.get(key);
  if (!c) caseCache.set(key, (c = deepFreeze(task.generate(cohort, i))));
  return c;
}

function ctx(task: TaskDefinition, arm: string, i: number, rng?: Rng): PerturbContext {
  return { rng: rng ?? perturbationStream(cohort.seed, arm, 0, i), task, cohort };
}

/** A stream that counts what it hands out. */
const PATH = /^(Observation\[\d{1,7}-\d\]\.(value|code|issued)|age|sex|race|ethnicity|truth\.(label|risk|class)|count\([A-Za-z]+\)|Patient\.birthDate)$/;
const isScalar = (v: unknown) => v === null || typeof v === 'number' || typeof v === 'string';

describe.each(KINDS)('%s', (kind) => {
  const def = definitionOf(kind) as PerturbationDefinition<Record<string, unknown>>;

  it('has an example that parses, a description and a declared expectation and truth effect', () => {
    for (const p of paramSets(kind)) {
      expect(def.describe(p)).toMatch(/\S/);
      expect(['invariant', 'directional', 'degrading']).toContain(def.expectation(p).kind);
    }
    expect(['preserved', 'recomputed']).toContain(def.truthEffect);
    expect(def.family).toBe(kind.split('.')[0]);
  });

  it.each(TASKS.map((t) => [t.name, t] as const))('on %s: deterministic, pure, fixed draws, declared truth effect, readable provenance', (_name, task) => {
    for (const params of paramSets(kind)) {
      const draws = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const base = generated(task, i);
        const snapshot = structuredClone(base);
        const counted = counting(perturbationStream(cohort.seed, 'arm', 0, i));
        const a = def.apply(base, params, ctx(task, 'arm', i, counted.rng));
        draws.add(counted.draws());
        const b = def.apply(base, params, ctx(task, 'arm', i));
        expect(base).toEqual(snapshot); // pure: the (frozen) input did not change
        expect(a).toEqual(b); // deterministic for the same stream
        expect(a.case.index).toBe(i);
        expect(a.case.task).toBe(task.name);
        if (def.truthEffect === 'preserved') expect(a.case.truth).toBe(base.truth);
        if (a.case === base) expect(a.changes.every((ch) => JSON.stringify(ch.before) === JSON.stringify(ch.after))).toBe(true);
        for (const ch of a.changes) {
          if (kind === 'shift.units') {
            expect(ch.path).toMatch(/^Observation\[\d{1,7}-\d\]\.valueQuantity$/);
            continue;
          }
          expect(ch.path, JSON.stringify(ch)).toMatch(PATH);
          expect(isScalar(ch.before) && isScalar(ch.after), JSON.stringify(ch)).toBe(true);
        }
      }
      // The same number of draws whatever the case holds: the stream is position-independent.
      expect([...draws], JSON.stringify(params)).toHaveLength(1);
    }
  });

  it('depends on the arm, position and case only through its stream (applyArm)', () => {
    const task = tasks['med-safety'];
    for (const params of paramSets(kind)) {
      const arm = [{ kind, params }];
      for (let i = 0; i < 10; i++) {
        const base = generated(task, i);
        const one = applyArm(base, 'x', arm, task, cohort);
        const again = applyArm(structuredClone(base), 'x', arm, task, cohort);
        expect(one).toEqual(again);
        expect(one.provenance[0]!.changes).toEqual(def.apply(base, params, ctx(task, 'x', i)).changes);
      }
    }
  });

  it('declares `regenerates` exactly when it regenerates the patient', () => {
    const regenerating = ['shift.age', 'shift.sex', 'shift.raceEthnicity', 'shift.prevalence'];
    expect(def.regenerates === true).toBe(regenerating.includes(kind));
  });
});

describe('no-ops where the targeted data are absent', () => {
  // note-triage bundles carry vitals only; sepsis bundles have no potassium, allergies or medications.
  const absent: [PerturbationKind, Record<string, unknown>, TaskDefinition][] = [
    ['shift.labBias', { loinc: '2524-7', offset: 1 }, tasks['note-triage']],
    ['shift.units', { loinc: '2524-7', to: 'mg/dL' }, tasks['note-triage']],
    ['shift.localCodes', { loinc: '2823-3' }, tasks.sepsis],
    ['shift.noise', { loinc: '2823-3', cv: 0.2 }, tasks.sepsis],
    ['missing.mcar', { loinc: '2823-3', rate: 1 }, tasks.sepsis],
    ['missing.mar', { loinc: '2823-3', rate: 1, dependsOn: { variable: 'age', above: 0 } }, tasks.sepsis],
    ['missing.mnar', { loinc: '2524-7', rate: 1, when: 'high', threshold: 0 }, tasks['note-triage']],
    ['missing.dropResource', { type: ['AllergyIntolerance', 'MedicationStatement'] }, tasks.sepsis],
    ['missing.notYetResulted', { loinc: '2524-7' }, tasks['med-safety']],
    ['missing.notYetResulted', { loinc: '2524-7', mode: 'late' }, tasks['note-triage']],
  ];
  it.each(absent.map(([k, p, t]) => [k, t.name, p, t] as const))('%s on %s', (kind, _name, raw, task) => {
    const def = definitionOf(kind);
    const params = def.params.parse(raw);
    for (let i = 0; i < 30; i++) {
      const base = generated(task, i);
      const out = def.apply(base, params, ctx(task, 'absent', i));
      expect(out.case).toBe(base);
      expect(out.changes).toEqual([]);
    }
  });
});

describe('invariant kinds never change the truth (500 cases of each task)', () => {
  const invariant = KINDS.filter((k) => paramSets(k).some((p) => definitionOf(k).expectation(p).kind === 'invariant'));
  it('the invariant kinds are units and localCodes', () => {
    expect(invariant.sort()).toEqual(['shift.localCodes', 'shift.units']);
  });
  const units: Record<string, Record<string, unknown>> = {
    sepsis: { loinc: '2524-7', to: 'mg/dL' },
    'note-triage': { loinc: '8310-5', to: '[degF]' },
    'med-safety': { loinc: '2823-3', to: 'meq/L' },
  };
  it.each(TASKS.map((t) => [t.name, t] as const))('%s', (_name, task) => {
    const cases: [PerturbationKind, Record<string, unknown>][] = [
      ['shift.units', units[task.name]!],
      ['shift.localCodes', {}],
    ];
    for (const [kind, raw] of cases) {
      const def = definitionOf(kind);
      const params = def.params.parse(raw);
      let changed = 0;
      for (let i = 0; i < 500; i++) {
        const base = generated(task, i);
        const out = def.apply(base, params, ctx(task, 'invariant', i));
        expect(out.case.truth).toBe(base.truth);
        if (out.changes.length > 0) changed++;
      }
      expect(changed, `${kind} on ${task.name}`).toBeGreaterThan(100);
    }
  });
});

describe('provenance paths', () => {
  it('every recorded change is a scalar variable the realized-shift metric can read', () => {
    const seen = new Set<string>();
    for (const kind of KINDS) {
      for (const params of paramSets(kind)) {
        for (const task of TASKS) {
          for (let i = 0; i < 5; i++) {
            const out = definitionOf(kind).apply(generated(task, i), params, ctx(task, 'paths', i));
            out.changes.forEach((ch: Change) => seen.add(`${kind} ${ch.path.replace(/\[[^\]]+\]/, '[*]')}`));
          }
        }
      }
    }
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        'missing.dropResource count(AllergyIntolerance)',
        'missing.mar Observation[*].value',
        'missing.mcar Observation[*].value',
        'missing.mnar Observation[*].value',
        'missing.notYetResulted Observation[*].issued',
        'missing.notYetResulted Observation[*].value',
        'shift.age age',
        'shift.labBias Observation[*].value',
        'shift.localCodes Observation[*].code',
        'shift.noise Observation[*].value',
        'shift.prevalence truth.label',
        'shift.raceEthnicity race',
        'shift.sex sex',
      ]),
    );
  });
});
