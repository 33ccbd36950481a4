import { describe, expect, it } from 'vitest';
import { registry } from '../../simulator/perturb/registry.ts';
import { Scenario } from '../../simulator/scenario.ts';
import { formatIssues, formatPath } from '../../simulator/cli/issue-path.ts';

const good = {
  name: 'sepsis-shift',
  task: 'sepsis',
  cohort: { size: 20, seed: 20261124 },
  arms: {
    baseline: [],
    older: [{ kind: 'shift.age', params: { mean: 80, sd: 8 } }],
    'lactate-mg-dl': [{ kind: 'shift.units', params: { loinc: '2524-7', to: 'mg/dL' } }],
  },
  gates: { 'auroc[baseline]': '>= 0.80', 'auroc.drop[*]': '<= 0.05', 'safety.critical-miss': '== 0' },
};

/** The issues of an input that must fail, as [path, message] pairs. */
function issues(input: unknown): Array<[PropertyKey[], string]> {
  const parsed = Scenario.safeParse(input);
  if (parsed.success) throw new Error('expected the scenario to be rejected');
  return parsed.error.issues.map((i) => [i.path, i.message]);
}

/** The single issue of an input that must fail. */
function only(input: unknown): [PropertyKey[], string] {
  const all = issues(input);
  expect(all).toHaveLength(1);
  return all[0]!;
}

const withArm = (arm: unknown[]) => ({ ...good, arms: { baseline: [], x: arm } });

describe('Scenario schema: valid input', () => {
  it('fills the defaults: repeats 1, gates {}, target omitted', () => {
    const { gates: _gates, ...noGates } = good;
    const parsed = Scenario.parse(noGates);
    expect(parsed.repeats).toBe(1);
    expect(parsed.gates).toEqual({});
    expect(parsed.target).toBeUndefined();
    expect(parsed.threshold).toBeUndefined();
    expect(parsed.cohort).toEqual({ size: 20, seed: 20261124 });
  });

  it('keeps arms in order with their perturbations resolved', () => {
    const parsed = Scenario.parse(good);
    expect(Object.keys(parsed.arms)).toEqual(['baseline', 'older', 'lactate-mg-dl']);
    expect(parsed.arms.older).toEqual([{ kind: 'shift.age', params: { mean: 80, sd: 8 } }]);
    expect(parsed.arms['lactate-mg-dl']).toEqual([{ kind: 'shift.units', params: { loinc: '2524-7', to: 'mg/dL' } }]);
    expect(parsed.gates).toEqual(good.gates);
  });

  it('fills the call policy defaults of a target', () => {
    const parsed = Scenario.parse({ ...good, target: { adapter: 'http-json', url: 'https://model.example/predict' } });
    expect(parsed.target).toEqual({
      adapter: 'http-json',
      url: 'https://model.example/predict',
      timeoutMs: 10_000,
      concurrency: 8,
      retries: 2,
    });
  });

  it('keeps an explicit policy, and accepts an in-process function', () => {
    const predict = () => ({ score: 0.5 });
    const parsed = Scenario.parse({ ...good, target: { adapter: 'in-process', predict, retries: 0, timeoutMs: 50 } });
    expect(parsed.target).toEqual({ adapter: 'in-process', predict, retries: 0, timeoutMs: 50, concurrency: 8 });
  });

  it('allows shift.age first in an arm, before other perturbations', () => {
    const parsed = Scenario.parse(
      withArm([
        { kind: 'shift.age', params: { mean: 70, sd: 5 } },
        { kind: 'missing.mcar', params: { loinc: '2524-7', rate: 0.5 } },
      ]),
    );
    expect(parsed.arms.x!.map((p) => p.kind)).toEqual(['shift.age', 'missing.mcar']);
  });
});

describe('Scenario schema: invalid input names the field and the problem', () => {
  it('a wrong type', () => {
    expect(only({ ...good, cohort: { size: '20', seed: 1 } })).toEqual([
      ['cohort', 'size'],
      'Invalid input: expected number, received string',
    ]);
  });

  it('an unknown task', () => {
    const [path, message] = only({ ...good, task: 'cardiology' });
    expect(path).toEqual(['task']);
    expect(message).toContain('"sepsis"|"note-triage"|"med-safety"');
  });

  it('an unknown top-level key', () => {
    expect(only({ ...good, colour: 'red' })).toEqual([[], 'Unrecognized key: "colour"']);
  });

  it('an unknown perturbation kind, listing the known ones', () => {
    expect(only(withArm([{ kind: 'shift.height', params: {} }]))).toEqual([
      ['arms', 'x', 0, 'kind'],
      `unknown perturbation "shift.height"; known: ${Object.keys(registry).join(', ')}`,
    ]);
  });

  it('shift.units to a unit the LOINC code has no conversion to', () => {
    expect(only(withArm([{ kind: 'shift.units', params: { loinc: '2524-7', to: 'furlongs' } }]))).toEqual([
      ['arms', 'x', 0, 'params', 'to'],
      'no conversion to "furlongs" for LOINC 2524-7 (lactate); allowed units: mmol/L, mg/dL',
    ]);
  });

  it('shift.units on a LOINC code without conversions', () => {
    const [path, message] = only(withArm([{ kind: 'shift.units', params: { loinc: '9999-9', to: 'mg/dL' } }]));
    expect(path).toEqual(['arms', 'x', 0, 'params', 'loinc']);
    expect(message).toMatch(/^no unit conversions for LOINC 9999-9; codes with conversions: .*2524-7/);
  });

  it('missing.mcar with a rate outside 0..1', () => {
    expect(only(withArm([{ kind: 'missing.mcar', params: { loinc: '2524-7', rate: 2 } }]))).toEqual([
      ['arms', 'x', 0, 'params', 'rate'],
      'rate must be between 0 and 1',
    ]);
  });

  it('missing.mcar with a mistyped LOINC check digit', () => {
    expect(only(withArm([{ kind: 'missing.mcar', params: { loinc: '2524-8', rate: 0.5 } }]))).toEqual([
      ['arms', 'x', 0, 'params', 'loinc'],
      'LOINC 2524-8 has a wrong check digit (did you mean 2524-7?)',
    ]);
  });

  it('shift.age with a mean outside the adult range, under the arm it belongs to', () => {
    expect(
      only({
        ...good,
        arms: { baseline: [], young: [{ kind: 'shift.age', params: { mean: 80, sd: 8 } }, { kind: 'missing.mcar', params: { loinc: '2524-7', rate: 0.1 } }], kids: [{ kind: 'shift.age', params: { mean: 10, sd: 8 } }] },
      }),
    ).toEqual([['arms', 'kids', 0, 'params', 'mean'], 'mean must be between 18 and 100 years']);
  });

  it('an unknown parameter of a perturbation', () => {
    const [path, message] = only(withArm([{ kind: 'shift.age', params: { mean: 80, sd: 8, median: 3 } }]));
    expect(path).toEqual(['arms', 'x', 0, 'params']);
    expect(message).toBe('Unrecognized key: "median"');
  });

  it('shift.age anywhere but first in its arm', () => {
    expect(
      only(
        withArm([
          { kind: 'missing.mcar', params: { loinc: '2524-7', rate: 0.5 } },
          { kind: 'shift.age', params: { mean: 80, sd: 8 } },
        ]),
      ),
    ).toEqual([
      ['arms', 'x', 1, 'kind'],
      'shift.age regenerates the patient, which would discard the perturbations before it; put it first in the arm',
    ]);
  });

  it('a URL that is not http(s)', () => {
    for (const url of ['ftp://model.example/predict', 'not a url', 'file:///etc/passwd']) {
      expect(only({ ...good, target: { adapter: 'http-json', url } })).toEqual([
        ['target', 'url'],
        'must be an http:// or https:// URL',
      ]);
    }
  });

  it('an unknown adapter, naming the known ones', () => {
    const [path, message] = only({ ...good, target: { adapter: 'grpc', url: 'http://model.example' } });
    expect(path).toEqual(['target', 'adapter']);
    expect(message).toContain("'http-json' | 'in-process'");
  });

  it('an in-process target without a function', () => {
    expect(only({ ...good, target: { adapter: 'in-process', predict: 'model.onnx' } })).toEqual([
      ['target', 'predict'],
      'must be a function (input) => Prediction',
    ]);
  });

  it('a negative retry count and a zero timeout', () => {
    const all = issues({ ...good, target: { adapter: 'http-json', url: 'http://m', retries: -1, timeoutMs: 0 } });
    expect(all.map(([p]) => p)).toEqual([
      ['target', 'timeoutMs'],
      ['target', 'retries'],
    ]);
  });

  it('a negative or zero cohort size', () => {
    for (const size of [-5, 0]) {
      const [path, message] = only({ ...good, cohort: { size, seed: 1 } });
      expect(path).toEqual(['cohort', 'size']);
      expect(message).toBe('Too small: expected number to be >0');
    }
  });

  it('a non-integer or negative seed', () => {
    expect(only({ ...good, cohort: { size: 5, seed: 1.5 } })).toEqual([
      ['cohort', 'seed'],
      'Invalid input: expected int, received number',
    ]);
    expect(only({ ...good, cohort: { size: 5, seed: -1 } })[0]).toEqual(['cohort', 'seed']);
  });

  it('no arms at all', () => {
    expect(only({ ...good, arms: {}, gates: {} })).toEqual([['arms'], 'needs at least one arm']);
  });

  it('an arm name with spaces', () => {
    const [path] = only({ ...good, arms: { 'bad name': [] }, gates: {} });
    expect(path).toEqual(['arms', 'bad name']);
  });

  it('a scenario name with spaces, explaining the rule', () => {
    expect(only({ ...good, name: 'sepsis shift' })).toEqual([
      ['name'],
      'use letters, digits, ".", "_" or "-", starting with a letter or digit',
    ]);
  });

  it('a malformed gate key, under gates.<key>', () => {
    expect(only({ ...good, gates: { 'auroc[': '>= 0.8' } })).toEqual([
      ['gates', 'auroc['],
      'malformed gate key "auroc["; expected e.g. "auroc[baseline]" or "auroc.drop[*]"',
    ]);
  });

  it('a malformed gate expression', () => {
    expect(only({ ...good, gates: { 'auroc[baseline]': '=> 0.8' } })).toEqual([
      ['gates', 'auroc[baseline]'],
      'malformed expression "=> 0.8" for gate "auroc[baseline]"; expected e.g. ">= 0.8" or "== 0"',
    ]);
  });

  it('an unknown gate metric, including a safety check that does not exist', () => {
    const [path, message] = only({ ...good, gates: { 'aucroc[baseline]': '>= 0.8' } });
    expect(path).toEqual(['gates', 'aucroc[baseline]']);
    expect(message).toMatch(/^unknown metric "aucroc" in gate "aucroc\[baseline\]"; known: auroc,/);
    expect(only({ ...good, gates: { 'safety.overdose': '== 0' } })[0]).toEqual(['gates', 'safety.overdose']);
  });

  // KNOWN GAP (reported, not fixed here): the gate schema never compares selectors with the arm
  // names, so a typo validates and the gate fails on every run with "actual n/a". Remove `.fails`
  // once Scenario rejects it.
  it('a gate selecting an arm the scenario does not have', () => {
    const [path, message] = only({ ...good, gates: { 'auroc[baselnie]': '>= 0.8' } });
    expect(path).toEqual(['gates', 'auroc[baselnie]']);
    expect(message).toContain('baselnie');
  });

  it('reports every problem at once', () => {
    const all = issues({ ...good, cohort: { size: -1, seed: 0.5 }, gates: { nope: '>= 1' } });
    expect(all.map(([p]) => p)).toEqual([['cohort', 'size'], ['cohort', 'seed'], ['gates', 'nope']]);
  });
});

describe('formatPath', () => {
  it('renders paths as authors write them', () => {
    expect(formatPath(['arms', 'lactate-mg-dl', 0, 'params', 'to'])).toBe('arms.lactate-mg-dl[0].params.to');
    expect(formatPath(['cohort', 'size'])).toBe('cohort.size');
    expect(formatPath(['gates', 'auroc[baseline]'])).toBe('gates.auroc[baseline]');
    expect(formatPath([0, 'kind'])).toBe('[0].kind');
    expect(formatPath([2, 3])).toBe('[2][3]');
    expect(formatPath([])).toBe('(root)');
  });

  it('formats every issue on its own line, prefixed with where it came from', () => {
    const parsed = Scenario.safeParse({ ...good, cohort: { size: 0, seed: 1 }, arms: { x: [{ kind: 'nope', params: {} }] }, gates: {} });
    expect(parsed.success).toBe(false);
    expect(formatIssues('s.scenario.ts', parsed.error!.issues)).toBe(
      [
        's.scenario.ts: cohort.size: Too small: expected number to be >0',
        `s.scenario.ts: arms.x[0].kind: unknown perturbation "nope"; known: ${Object.keys(registry).join(', ')}`,
      ].join('\n'),
    );
  });
});
