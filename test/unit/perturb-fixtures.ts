/**
 * Hand-built inputs for the perturbation unit tests: a sepsis-shaped bundle (the layout the sepsis
 * generator writes) and a small fake task whose truth depends on age, so shift.age can be tested
 * without the real generator.
 */
import type { TaskName } from '../../simulator/case.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { definitionOf, type PerturbationKind } from '../../simulator/perturb/registry.ts';
import type { Bundle, BundleEntry, Observation } from 'fhir/r4.js';
import type { Case } from '../../simulator/case.ts';
import type { CohortOptions, PatientOverrides, TaskDefinition } from '../../simulator/cohort/task.ts';
import { LOINC, UCUM } from '../../simulator/fhir/bundle-access.ts';
import { sepsisTable } from '../../simulator/cohort/sepsis/table.ts';
import { patientStream, perturbationStream, type Rng } from '../../simulator/random.ts';
import type { PerturbContext } from '../../simulator/perturb/perturbation.ts';

export const PREDICTION_TIME = '2026-03-14T10:00:00Z';

/** LOINC code → [display, UCUM code, value]. */
export const SEPSIS_MEASUREMENTS = {
  '8867-4': ['Heart rate', '/min', 112],
  '9279-1': ['Respiratory rate', '/min', 24],
  '8310-5': ['Body temperature', 'Cel', 38.6],
  '8480-6': ['Systolic blood pressure', 'mm[Hg]', 96],
  '59408-5': ['Oxygen saturation in Arterial blood by Pulse oximetry', '%', 93],
  '9269-2': ['Glasgow coma score total', '{score}', 14],
  '2524-7': ['Lactate [Moles/volume] in Serum or Plasma', 'mmol/L', 3.1],
  '6690-2': ['Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', 15.2],
  '2160-0': ['Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', 1.6],
  '777-3': ['Platelets [#/volume] in Blood by Automated count', '10*3/uL', 140],
  '1975-2': ['Bilirubin.total [Mass/volume] in Serum or Plasma', 'mg/dL', 1.4],
} as const satisfies Record<string, readonly [string, string, number]>;

export type SepsisLoinc = keyof typeof SEPSIS_MEASUREMENTS;

export function observation(id: string, loinc: string, display: string, code: string, value: number): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: loinc, display }] },
    subject: { reference: 'urn:uuid:patient-0' },
    effectiveDateTime: PREDICTION_TIME,
    valueQuantity: { value, unit: code, system: UCUM, code },
  };
}

export interface BundleOptions {
  birthDate?: string;
  values?: Partial<Record<SepsisLoinc, number>>;
  /** Codes to leave out. */
  omit?: readonly SepsisLoinc[];
  /** Extra entries appended at the end. */
  extra?: readonly BundleEntry[];
}

/** A bundle laid out like the sepsis generator's: Patient, Encounter, one Observation per measurement, Condition, note. */
export function sepsisBundle(options: BundleOptions = {}): Bundle {
  const entry: BundleEntry[] = [
    {
      fullUrl: 'urn:uuid:patient-0',
      resource: { resourceType: 'Patient', id: 'patient-0', gender: 'female', birthDate: options.birthDate ?? '1950-06-01' },
    },
    {
      fullUrl: 'urn:uuid:encounter-0',
      resource: {
        resourceType: 'Encounter',
        id: 'encounter-0',
        status: 'in-progress',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
        subject: { reference: 'urn:uuid:patient-0' },
      },
    },
  ];
  let n = 0;
  for (const [loinc, [display, code, value]] of Object.entries(SEPSIS_MEASUREMENTS)) {
    if (options.omit?.includes(loinc as SepsisLoinc)) continue;
    const v = options.values?.[loinc as SepsisLoinc] ?? value;
    entry.push({ fullUrl: `urn:uuid:obs-${n}`, resource: observation(`obs-${n}`, loinc, display, code, v) });
    n++;
  }
  entry.push(
    {
      fullUrl: 'urn:uuid:condition-0',
      resource: {
        resourceType: 'Condition',
        id: 'condition-0',
        subject: { reference: 'urn:uuid:patient-0' },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertensive disorder' }] },
      },
    },
    {
      fullUrl: 'urn:uuid:note-0',
      resource: {
        resourceType: 'DocumentReference',
        id: 'note-0',
        status: 'current',
        content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Fever and confusion.').toString('base64') } }],
      },
    },
    ...(options.extra ?? []),
  );
  return { resourceType: 'Bundle', type: 'collection', timestamp: PREDICTION_TIME, entry };
}

export function sepsisCase(index = 0, options: BundleOptions = {}): Case {
  return { task: 'sepsis', index, bundle: sepsisBundle(options), truth: { label: 1, risk: 0.4 } };
}

/** Recursively freezes a value; a perturbation that mutates its input then throws (ESM is strict mode). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * A fake task: age mixture, birthDate from completed age plus a birthday offset (like the sepsis
 * generator), lactate and risk rising with age, label drawn from the risk. Overrides replace the
 * drawn age after it is drawn, so the rest of the stream is unchanged.
 */
export const fakeTask: TaskDefinition = {
  name: 'sepsis',
  defaultThreshold: 0.5,
  generate(options: CohortOptions, index: number, overrides?: PatientOverrides): Case {
    const rng = patientStream(options.seed, 'fake', index);
    let age = 18 + Math.floor(rng() * 60);
    const offsetDays = Math.floor(rng() * 365);
    const u = rng();
    if (overrides?.ageYears !== undefined) age = Math.floor(overrides.ageYears);
    const t = new Date(PREDICTION_TIME);
    const birth = new Date(Date.UTC(t.getUTCFullYear() - age, t.getUTCMonth(), t.getUTCDate() - offsetDays));
    const risk = Math.min(0.95, 0.02 + (age - 18) / 100);
    const lactate = Math.round((1 + (age - 18) / 40) * 10) / 10;
    return {
      task: 'sepsis',
      index,
      bundle: sepsisBundle({ birthDate: birth.toISOString().slice(0, 10), values: { '2524-7': lactate } }),
      truth: { label: u < risk ? 1 : 0, risk },
    };
  },
  groupOf: () => ({ sex: 'female', ageBand: 'unknown', race: 'unknown', ethnicity: 'unknown' }),
  table: sepsisTable,
};

export const COHORT: CohortOptions = { seed: 20261124 };

/** A perturbation context on the stream for (arm, position 0, case index). */
export function context(index: number, arm = 'arm', task: TaskDefinition = fakeTask, rng?: Rng): PerturbContext {
  return { rng: rng ?? perturbationStream(COHORT.seed, arm, 0, index), task, cohort: COHORT };
}

/** Continuous age in years between a FHIR date and the prediction time. */
export function continuousAge(birthDate: string, at = PREDICTION_TIME): number {
  return (Date.parse(at) - Date.parse(`${birthDate}T00:00:00Z`)) / (365.2425 * 86_400_000);
}

/** Each kind's example parameters and the file's extra variants, parsed by the kind's schema. */
export function paramSetsOf(kind: PerturbationKind, variants: Readonly<Record<string, unknown[]>>): Record<string, unknown>[] {
  const def = definitionOf(kind);
  return [def.example, ...(variants[kind] ?? [])].map((p) => def.params.parse(p) as Record<string, unknown>);
}

/** Frozen generated cases of a cohort, generated once per (task, index). */
export function caseCache(cohort: CohortOptions): (task: TaskName, i: number) => Case {
  const cache = new Map<string, Case>();
  return (task, i) => {
    const key = `${task}:${i}`;
    let c = cache.get(key);
    if (!c) cache.set(key, (c = deepFreeze(tasks[task].generate(cohort, i))));
    return c;
  };
}
