import { describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import type { ModelInput } from '../../adapters/adapter.ts';
import { fillTemplate } from '../../adapters/request-template.ts';
import { Target } from '../../simulator/targets/index.ts';
import { formatIssues } from '../../simulator/cli/issue-path.ts';

const bundle: Bundle = { resourceType: 'Bundle', id: 'b-7', type: 'collection', entry: [] };
const input: ModelInput = {
  task: 'sepsis',
  caseIndex: 7,
  bundle,
  features: { columns: ['age_years', 'sex', 'lactate'], values: [71, 'female', null] },
};

function parse(body: unknown) {
  return Target.safeParse({ adapter: 'http-json', url: 'http://127.0.0.1:9/predict', request: { body } });
}

describe('request body template: validation', () => {
  it('accepts JSON with whole-string placeholders anywhere, and none at all', () => {
    for (const body of [
      { inputs: ['{{features}}'], meta: { case: '{{caseIndex}}', task: '{{task}}' }, resource: '{{bundle}}' },
      '{{bundle}}',
      { prompt: 'Assess {sepsis} risk', n: 1, ok: true, none: null },
    ]) expect(parse(body).success).toBe(true);
  });

  it('names the field of an unknown placeholder and of a placeholder inside a longer string', () => {
    const result = parse({ a: { b: ['{{bundel}}'] }, c: 'case {{caseIndex}} of {{task}}', d: '{{ bundle }}' });
    expect(result.success).toBe(false);
    const text = formatIssues('x.scenario.ts', result.error!.issues.map((i) => ({ path: i.path, message: i.message })));
    expect(text).toContain('x.scenario.ts: request.body.a.b[0]: unknown placeholder {{bundel}}; use one of "{{bundle}}", "{{features}}", "{{caseIndex}}", "{{task}}"');
    expect(text).toContain('x.scenario.ts: request.body.c: a placeholder must be the whole string value');
    expect(text).toContain('x.scenario.ts: request.body.d: a placeholder must be the whole string value');
  });

  it('refuses what JSON cannot carry', () => {
    expect(parse({ when: new Date(0) }).success).toBe(false);
    expect(parse({ f: () => 1 }).success).toBe(false);
    expect(Target.safeParse({ adapter: 'http-json', url: 'http://127.0.0.1:9/p', request: { body: {}, headers: {} } }).success).toBe(false);
  });
});

describe('request body template: filling', () => {
  it('replaces whole-string placeholders by their values, keeps everything else', () => {
    const template = {
      instances: [{ row: '{{features}}' }],
      fhir: '{{bundle}}',
      id: '{{caseIndex}}',
      task: '{{task}}',
      keep: ['{{caseIndex}} as text', 3, false, null, { '{{task}}': 'key kept' }],
    };
    expect(fillTemplate(template, input)).toEqual({
      instances: [{ row: { age_years: 71, sex: 'female', lactate: null } }],
      fhir: bundle,
      id: 7,
      task: 'sepsis',
      keep: ['{{caseIndex}} as text', 3, false, null, { '{{task}}': 'key kept' }],
    });
    expect(template.fhir).toBe('{{bundle}}');
  });

  it('gives null features for a bundle too malformed to read', () => {
    const { features: _dropped, ...bare } = input;
    expect(fillTemplate({ x: '{{features}}' }, bare)).toEqual({ x: null });
  });
});
