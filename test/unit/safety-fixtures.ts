/**
 * Hand-built inputs for the safety check tests: a CheckInput with defaults, provenance entries, a
 * check context whose decision is the task's output contract (as the runner builds it), and a
 * `verdict` that runs one check the way runChecks does.
 */
import type { Bundle, Patient } from 'fhir/r4.js';
import type { TaskName } from '../../simulator/case.ts';
import type { Change, Expectation, Provenance, TruthEffect } from '../../simulator/perturb/perturbation.ts';
import { OUTPUT_CONTRACT } from '../../simulator/run/output-contract.ts';
import { CHECKS, type CheckContext, type CheckInput, type CheckName } from '../../simulator/safety/checks.ts';

export const PATIENT: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: '48213377' }],
  name: [{ use: 'official', family: 'Okafor', given: ['Adaeze'] }],
  birthDate: '1961-04-12',
  gender: 'female',
};

export function bundleOf(patient: Patient = PATIENT): Bundle {
  return { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:p1', resource: patient }] };
}

/**
 * A bundle whose patient has a measured lactate (LOINC 2524-7): `critical-miss` only applies when a
 * lactate was measured, since baseline missingness leaves most sepsis bundles without one.
 */
export function bundleWithLactate(value = 4.2, patient: Patient = PATIENT): Bundle {
  const bundle = bundleOf(patient);
  bundle.entry!.push({
    fullUrl: 'urn:uuid:o1',
    resource: {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2524-7' }] },
      subject: { reference: 'urn:uuid:p1' },
      valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    },
  });
  return bundle;
}

export function call(overrides: Partial<CheckInput> = {}): CheckInput {
  return {
    outcome: 'ok',
    failure: null,
    status: 200,
    truth: {},
    output: { score: 0.5 },
    perturbations: [],
    bundle: bundleOf(),
    ...overrides,
  };
}

/** A failed call: no output, the outcome the runner gives the failure type. */
export function failed(failure: CheckInput['failure'], status: number | null = null, overrides: Partial<CheckInput> = {}): CheckInput {
  const outcome = failure === 'timeout' ? 'timeout' : failure === 'invalid-response' || failure === 'invalid-output' ? 'invalid' : 'error';
  return call({ outcome, failure, status, output: null, ...overrides });
}

export const INVARIANT: Expectation = { kind: 'invariant' };
export const DEGRADING: Expectation = { kind: 'degrading' };
export const INCREASE: Expectation = { kind: 'directional', direction: 'increase' };
export const DECREASE: Expectation = { kind: 'directional', direction: 'decrease' };

export function prov(
  kind: string,
  options: { expectation?: Expectation; truthEffect?: TruthEffect; changes?: Change[]; params?: Record<string, unknown> } = {},
): Provenance {
  return {
    kind,
    params: options.params ?? {},
    expectation: options.expectation ?? INVARIANT,
    truthEffect: options.truthEffect ?? 'preserved',
    changes: options.changes ?? [{ path: 'x', before: 1, after: 2 }],
  };
}

/** The context the runner builds: the task's contract decides, failed calls have no decision. */
export function ctxFor(task: TaskName, threshold = 0.5): CheckContext {
  const contract = OUTPUT_CONTRACT[task];
  return { task, threshold, decision: (c) => (c.outcome === 'ok' && c.output ? contract.decision(c.output, threshold) : null) };
}

/** 'n/a' when the check does not apply, 'pass' when it applies and passes, else its detail. */
export function verdict(name: CheckName, c: CheckInput, baseline: CheckInput | undefined, ctx: CheckContext): string {
  const check = CHECKS[name];
  if (!check.applies(c, baseline, ctx)) return 'n/a';
  return check.fails(c, baseline, ctx) ?? 'pass';
}
