import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Patient } from 'fhir/r4.js';
import type { Case } from '../../simulator/case.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { US_CORE_PATIENT, validateProfile, vitalSignsProfiles } from '../../simulator/fhir/profile.ts';
import { unresolvedReferences } from '../../simulator/fhir/references.ts';
import { validateResource, warmUpValidator, type ValidationProblem } from '../../simulator/fhir/validate.ts';

/**
 * Conformance of every registered task's cohort: 1,000 patients per task, each bundle and every
 * resource in it valid against the HL7 FHIR R4 JSON schema, every Patient valid against US Core
 * Patient 5.0.1, every vital-sign Observation (of the first 200) valid against the FHIR R4 core
 * vital-signs profiles,
 * and every reference resolving inside its bundle. A task registered in `tasks` is covered as soon
 * as it is registered.
 */

const PATIENTS = 1000;
const VITAL_PATIENTS = 200;
const SEED = 20251124;

interface Found {
  readonly index: number;
  readonly problem: ValidationProblem;
}

/** First problems, as readable lines, so a failure shows what to fix. */
function summary(found: readonly Found[]): string[] {
  return found.slice(0, 15).map((f) => `patient ${f.index}: ${f.problem.path}: ${f.problem.message}`);
}

function patientsOf(bundle: Bundle): Patient[] {
  return (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Patient' ? [e.resource] : []));
}

beforeAll(() => {
  warmUpValidator();
});

describe.each(Object.values(tasks).filter((t) => t !== undefined).map((t) => [t.name, t] as const))('task %s', (_name, task) => {
  let cohort: Case[];

  beforeAll(() => {
    cohort = Array.from({ length: PATIENTS }, (_, i) => task.generate({ seed: SEED }, i));
  });

  it(`every resource of ${PATIENTS} patients validates against the FHIR R4 JSON schema`, () => {
    const found: Found[] = [];
    let resources = 0;
    for (const c of cohort) {
      resources += c.bundle.entry?.length ?? 0;
      for (const problem of validateResource(c.bundle)) found.push({ index: c.index, problem });
    }
    expect(resources).toBeGreaterThan(PATIENTS);
    expect(summary(found)).toEqual([]);
  });

  it('every Patient validates against the US Core Patient profile', () => {
    const found: Found[] = [];
    let patients = 0;
    for (const c of cohort) {
      for (const patient of patientsOf(c.bundle)) {
        patients++;
        for (const problem of validateProfile(patient, US_CORE_PATIENT)) found.push({ index: c.index, problem });
      }
    }
    expect(patients).toBe(PATIENTS);
    expect(summary(found)).toEqual([]);
  });

  // Medplum's profile validation costs ~4 ms per Observation and profile; the vital-sign codings and
  // structure are constants of the generators, so the first VITAL_PATIENTS patients cover them.
  it(`every vital-sign Observation of ${VITAL_PATIENTS} patients validates against the FHIR R4 core vital-signs profiles`, () => {
    const found: Found[] = [];
    for (const c of cohort.slice(0, VITAL_PATIENTS)) {
      for (const e of c.bundle.entry ?? []) {
        for (const profile of vitalSignsProfiles(e.resource)) {
          for (const problem of validateProfile(e.resource!, profile)) {
            found.push({ index: c.index, problem: { path: `${profile.split('/').pop()} ${problem.path}`, message: problem.message } });
          }
        }
      }
    }
    expect(summary(found)).toEqual([]);
  });

  it('every reference resolves inside its bundle, and fullUrls and ids are unique', () => {
    const found: Found[] = [];
    let references = 0;
    for (const c of cohort) {
      const text = JSON.stringify(c.bundle);
      references += (text.match(/"reference":/g) ?? []).length;
      for (const problem of unresolvedReferences(c.bundle)) found.push({ index: c.index, problem });
      const urls = (c.bundle.entry ?? []).map((e) => e.fullUrl).filter((u) => u !== undefined);
      if (new Set(urls).size !== urls.length) found.push({ index: c.index, problem: { path: 'Bundle.entry.fullUrl', message: 'duplicate fullUrl' } });
      const ids = (c.bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
      if (new Set(ids).size !== ids.length) found.push({ index: c.index, problem: { path: 'Bundle.entry.resource.id', message: 'duplicate id' } });
    }
    expect(references).toBeGreaterThan(PATIENTS);
    expect(summary(found)).toEqual([]);
  });
});
