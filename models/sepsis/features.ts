import { toTrainingUnit, type Measure } from './units.ts';

/**
 * Feature extraction for the reference sepsis model: from a FHIR R4 Bundle (any JSON, read
 * defensively: a malformed resource is skipped, never thrown on) to measurements in training units,
 * then to the model's terms. Shared by the model and by its fitting script, so both see the same
 * numbers.
 */

export type Variant = 'flawed' | 'flaw-free';

export const MEASURES = [
  'hr',
  'rr',
  'temp',
  'sbp',
  'spo2',
  'gcs',
  'lactate',
  'wbc',
  'creatinine',
  'platelets',
  'bilirubin',
] as const satisfies readonly Measure[];

/** Measurements in training units; undefined = not in the bundle, or unreadable. */
export type Measurements = { ageYears?: number; male?: 0 | 1 } & { [M in Measure]?: number };
/** Measurements with every value present (after imputation). */
export type CompleteMeasurements = { ageYears: number; male: 0 | 1 } & { [M in Measure]: number };

const LOINC_SYSTEM = 'http://loinc.org';

interface CodeEntry {
  readonly measure: Measure;
  /** Unit assumed when the quantity has none. */
  readonly unit: string;
}

/** LOINC codes both variants read (the sepsis task's codes, clinical-codes.md §1). */
const BASE_CODES: Readonly<Record<string, CodeEntry>> = {
  '8867-4': { measure: 'hr', unit: '/min' },
  '9279-1': { measure: 'rr', unit: '/min' },
  '8310-5': { measure: 'temp', unit: 'Cel' },
  '8480-6': { measure: 'sbp', unit: 'mm[Hg]' },
  '59408-5': { measure: 'spo2', unit: '%' },
  '9269-2': { measure: 'gcs', unit: '{score}' },
  '2524-7': { measure: 'lactate', unit: 'mmol/L' },
  '6690-2': { measure: 'wbc', unit: '10*3/uL' },
  '2160-0': { measure: 'creatinine', unit: 'mg/dL' },
  '777-3': { measure: 'platelets', unit: '10*3/uL' },
  '1975-2': { measure: 'bilirubin', unit: 'mg/dL' },
};

/**
 * Codes only the flaw-free variant maps: other lactate specimens and the mass concentration, and
 * the method-less WBC / platelet codes. The flawed variant knows lactate only as 2524-7 (flaw c),
 * so lactate sent under these codes is missing to it, and then imputed as normal (flaw a).
 */
const EXTRA_CODES: Readonly<Record<string, CodeEntry>> = {
  '32693-4': { measure: 'lactate', unit: 'mmol/L' }, // blood
  '2518-9': { measure: 'lactate', unit: 'mmol/L' }, // arterial blood
  '59032-3': { measure: 'lactate', unit: 'mg/dL' }, // mass concentration, blood
  '26464-8': { measure: 'wbc', unit: '10*3/uL' },
  '26515-7': { measure: 'platelets', unit: '10*3/uL' },
};

/** Plausible ranges in training units; values are clipped into them so the score stays finite. */
export const CLIP: Readonly<Record<Measure | 'ageYears', readonly [number, number]>> = {
  ageYears: [18, 110],
  hr: [20, 250],
  rr: [4, 70],
  temp: [30, 44],
  sbp: [40, 260],
  spo2: [50, 100],
  gcs: [3, 15],
  lactate: [0.1, 40],
  wbc: [0.1, 150],
  creatinine: [0.1, 25],
  platelets: [1, 2000],
  bilirubin: [0.1, 60],
};

/** Statuses whose value must not be used. */
const VOID_STATUS = new Set(['entered-in-error', 'cancelled']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function timeOf(value: unknown): number | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/** The resources of a bundle-shaped value, skipping anything that is not an object with a resourceType. */
export function resourcesOf(bundle: unknown): Record<string, unknown>[] {
  if (!isRecord(bundle)) return [];
  const out: Record<string, unknown>[] = [];
  for (const entry of list(bundle.entry)) {
    if (isRecord(entry) && isRecord(entry.resource) && typeof entry.resource.resourceType === 'string') {
      out.push(entry.resource);
    }
  }
  return out;
}

/**
 * Prediction time: Bundle.timestamp, else the Encounter's period start, else the latest
 * observation time. Never the wall clock, so a score is a function of the bundle alone.
 */
function referenceTime(bundle: unknown, resources: readonly Record<string, unknown>[]): number | undefined {
  const stamp = isRecord(bundle) ? timeOf(bundle.timestamp) : undefined;
  if (stamp !== undefined) return stamp;
  for (const r of resources) {
    if (r.resourceType === 'Encounter' && isRecord(r.period)) {
      const start = timeOf(r.period.start);
      if (start !== undefined) return start;
    }
  }
  let latest: number | undefined;
  for (const r of resources) {
    if (r.resourceType !== 'Observation') continue;
    const t = observationTime(r);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

function observationTime(obs: Record<string, unknown>): number | undefined {
  return timeOf(obs.effectiveDateTime) ?? timeOf(obs.effectiveInstant) ??
    (isRecord(obs.effectivePeriod) ? timeOf(obs.effectivePeriod.end) ?? timeOf(obs.effectivePeriod.start) : undefined) ??
    timeOf(obs.issued);
}

const YEAR_MS = 365.2425 * 86_400_000;

function demographics(resources: readonly Record<string, unknown>[], at: number | undefined): Pick<Measurements, 'ageYears' | 'male'> {
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (!patient) return {};
  const out: Pick<Measurements, 'ageYears' | 'male'> = {};
  const gender = str(patient.gender);
  if (gender === 'male' || gender === 'female') out.male = gender === 'male' ? 1 : 0;
  const birth = str(patient.birthDate);
  if (birth !== undefined && at !== undefined && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(birth)) {
    const age = (at - Date.parse(birth.length === 4 ? `${birth}-07-01` : birth.length === 7 ? `${birth}-15` : birth)) / YEAR_MS;
    if (Number.isFinite(age) && age >= 0 && age <= 130) out.ageYears = age;
  }
  return out;
}

/**
 * The measurement an Observation carries, in training units, per the variant's code map and unit
 * handling: undefined when the code is not one the variant reads, `value: undefined` when it is but
 * the value or its unit cannot be used.
 */
function readObservation(
  obs: Record<string, unknown>,
  variant: Variant,
): { measure: Measure; value: number | undefined } | undefined {
  if (VOID_STATUS.has(str(obs.status) ?? '')) return undefined;
  const codings = isRecord(obs.code) ? list(obs.code.coding) : [];
  let entry: CodeEntry | undefined;
  for (const coding of codings) {
    if (!isRecord(coding) || coding.system !== LOINC_SYSTEM) continue;
    const code = str(coding.code);
    if (code === undefined) continue;
    entry = (Object.hasOwn(BASE_CODES, code) ? BASE_CODES[code] : undefined) ??
      (variant === 'flaw-free' && Object.hasOwn(EXTRA_CODES, code) ? EXTRA_CODES[code] : undefined);
    if (entry) break;
  }
  if (!entry) return undefined;
  const { measure } = entry;
  const q = obs.valueQuantity;
  if (!isRecord(q) || typeof q.value !== 'number' || !Number.isFinite(q.value)) return { measure, value: undefined };
  const unit = str(q.code) ?? str(q.unit) ?? entry.unit;
  // Flaw (b): the flawed variant takes any lactate value as mmol/L, whatever its unit says.
  const value = measure === 'lactate' && variant === 'flawed' ? q.value : toTrainingUnit(measure, q.value, unit);
  return { measure, value: value !== undefined && Number.isFinite(value) ? value : undefined };
}

export interface Extracted {
  /** Usable measurements, in training units. */
  readonly values: Measurements;
  /** Measures that had an Observation the variant recognised but could not use (no value, unknown unit). */
  readonly unreadable: ReadonlySet<Measure>;
}

/**
 * Measurements of a bundle as a variant reads them. Where a measure appears more than once, the most
 * recent usable observation wins (bundle order breaks ties and undated ones).
 */
export function extractMeasurements(bundle: unknown, variant: Variant): Extracted {
  const resources = resourcesOf(bundle);
  const values: Measurements = demographics(resources, referenceTime(bundle, resources));
  const unreadable = new Set<Measure>();
  const when: Partial<Record<Measure, number>> = {};
  for (const r of resources) {
    if (r.resourceType !== 'Observation') continue;
    const read = readObservation(r, variant);
    if (!read) continue;
    if (read.value === undefined) {
      unreadable.add(read.measure);
      continue;
    }
    const t = observationTime(r) ?? -Infinity;
    const seen = when[read.measure];
    if (seen !== undefined && t < seen) continue;
    when[read.measure] = t;
    values[read.measure] = read.value;
  }
  return { values, unreadable };
}

const clip = (key: Measure | 'ageYears', v: number): number => {
  const [lo, hi] = CLIP[key];
  return Math.min(hi, Math.max(lo, v));
};

/** Fills gaps from `impute` and clips every value into its plausible range. */
export function complete(m: Measurements, impute: CompleteMeasurements): CompleteMeasurements {
  const out = { ageYears: clip('ageYears', m.ageYears ?? impute.ageYears), male: m.male ?? impute.male } as CompleteMeasurements;
  for (const k of MEASURES) out[k] = clip(k, m[k] ?? impute[k]);
  return out;
}

/**
 * Model terms, with the clinical thresholds they approximate (clinical-codes.md §3a). All are 0 for
 * a textbook-normal adult of 65 except the log-lab terms, which are 0 at 1 unit.
 */
export const TERMS = {
  age10: (m: CompleteMeasurements) => (m.ageYears - 65) / 10,
  male: (m: CompleteMeasurements) => m.male,
  hr10: (m: CompleteMeasurements) => (m.hr - 80) / 10,
  tachycardia: (m: CompleteMeasurements) => (m.hr > 90 ? 1 : 0),
  rr: (m: CompleteMeasurements) => m.rr - 16,
  tachypnoea: (m: CompleteMeasurements) => (m.rr >= 22 ? 1 : 0),
  tempDeviation: (m: CompleteMeasurements) => Math.abs(m.temp - 37),
  hypothermia: (m: CompleteMeasurements) => (m.temp < 36 ? 1 : 0),
  sbp10: (m: CompleteMeasurements) => (m.sbp - 120) / 10,
  sbpBelow100: (m: CompleteMeasurements) => Math.max(0, 100 - m.sbp) / 10,
  spo2Deficit: (m: CompleteMeasurements) => Math.max(0, 96 - m.spo2),
  gcsDeficit: (m: CompleteMeasurements) => 15 - m.gcs,
  alteredMentation: (m: CompleteMeasurements) => (m.gcs < 15 ? 1 : 0),
  lnLactate: (m: CompleteMeasurements) => Math.log(m.lactate),
  lactateAbove2: (m: CompleteMeasurements) => Math.max(0, m.lactate - 2),
  wbcDeviation: (m: CompleteMeasurements) => Math.abs(Math.log(m.wbc / 8)),
  lnCreatinine: (m: CompleteMeasurements) => Math.log(m.creatinine),
  plateletsBelow150: (m: CompleteMeasurements) => Math.max(0, 150 - m.platelets) / 50,
  lnBilirubin: (m: CompleteMeasurements) => Math.log(m.bilirubin),
} as const satisfies Record<string, (m: CompleteMeasurements) => number>;

export type TermName = keyof typeof TERMS;
export const TERM_NAMES = Object.keys(TERMS) as TermName[];
/** Terms that read lactate; the no-lactate model leaves them out. */
export const LACTATE_TERMS: readonly TermName[] = ['lnLactate', 'lactateAbove2'];

export function termValues(m: CompleteMeasurements, names: readonly TermName[]): number[] {
  return names.map((name) => TERMS[name](m));
}
