/**
 * UCUM unit conversion table for the labs and vitals the tasks emit, keyed by LOINC code.
 *
 * Sources (reference/clinical-codes.md beside DESIGN.md):
 * - §1 "LOINC codes and UCUM units": the LOINC codes and the UCUM code each one is reported in.
 * - §2 "Unit conversion factors": the rows Lactate (MW 90.08, lactic acid), Creatinine
 *   (MW 113.1179, NLM-FS), Bilirubin (MW 584.6621, NLM-FS), Glucose (MW 180.156, NLM-FS),
 *   Temperature (°F = °C × 9/5 + 32) and WBC / platelets (10*3/uL = 10*9/L, ×1).
 * - §2 row "Na, K": mmol/L ↔ mEq/L ×1 (monovalent ions; the sheet marks it "not confirmed here").
 *   The UCUM case-sensitive code of the milliequivalent is `meq` (UCUM `eq`, prefix `m`).
 * - Units not in that sheet come from the UCUM definitions themselves: `%` = 10*-2 (so `1` is the
 *   same fraction ×100 smaller), `mm[Hg]` = 0.1333220 kPa, `uL` = `mm3`, `min` = 60 `s`, and
 *   annotations in braces (`{beats}/min`, `{INR}`, `{1.73_m2}`) do not change a unit: `{INR}`,
 *   `{ratio}` and `1` are the same unity, and eGFR in `mL/min/{1.73_m2}` is ×1/60 in
 *   `mL/s/{1.73_m2}` (the SI form some laboratories report).
 *
 * Every factor is derived here from the molecular weight, never typed in as a rounded constant:
 * 1 mmol/L of a substance of molar mass MW g/mol is MW mg/L = MW/10 mg/dL, so
 * mmol/L → mg/dL is ×MW/10 and mg/dL → µmol/L is ×10000/MW.
 *
 * Precision rule (see `outputDecimals`): a converted value keeps the fewest decimals, but at least the
 * target unit's conventional ones, such that one step of its last decimal is at most 0.8 of one step
 * of the input's last decimal expressed in the target unit. Converting back and rounding to the
 * input's precision then gives the input exactly.
 */

/** Molar masses (g/mol) the factors are derived from. */
export const MOLECULAR_WEIGHTS = {
  /** Lactic acid, as used for lactate in clinical conversion (§2; NLM-FS gives the anion 89.0705). */
  lacticAcid: 90.08,
  /** NLM-FS Molecular_weight column (§2). */
  creatinine: 113.1179,
  /** NLM-FS Molecular_weight column (§2). */
  bilirubin: 584.6621,
  /** NLM-FS Molecular_weight column (§2). */
  glucose: 180.156,
} as const;

/** mmol/L → mg/dL factor for a molar mass: MW mg/L per mmol/L, divided by 10 for dL. */
function mgPerDlPerMmolPerL(mw: number): number {
  return mw / 10;
}

/** Pressure of 1 mm[Hg] in kPa, from UCUM's definition m[Hg] = 133.3220 kPa. */
const KPA_PER_MMHG = 0.133322;

/** A unit of one quantity: `canonical = (value − offset) × scale`. */
export interface UnitDef<C extends string = string> {
  /** UCUM case-sensitive code, as written in `valueQuantity.code`. */
  readonly code: C;
  /** Canonical units per one of this unit (after removing `offset`). */
  readonly scale: number;
  /** Zero point in this unit (only temperature has one). */
  readonly offset: number;
  /** Decimals this unit is conventionally reported with; the least a converted value keeps. */
  readonly decimals: number;
}

export interface QuantityDef<U extends readonly UnitDef[] = readonly UnitDef[]> {
  /** Short name used in descriptions, e.g. "lactate". */
  readonly name: string;
  /** The unit the cohort generators write; the first of `units`. */
  readonly canonical: U[0]['code'];
  readonly units: U;
}

function unit<const C extends string>(code: C, scale: number, decimals: number, offset = 0): UnitDef<C> {
  return { code, scale, offset, decimals };
}

function quantity<const U extends readonly [UnitDef, ...UnitDef[]]>(name: string, units: U): QuantityDef<U> {
  return { name, canonical: units[0].code, units };
}

const heartRate = quantity('heart rate', [unit('/min', 1, 0), unit('{beats}/min', 1, 0)]);
const respiratoryRate = quantity('respiratory rate', [unit('/min', 1, 0), unit('{breaths}/min', 1, 0)]);
const temperature = quantity('body temperature', [unit('Cel', 1, 1), unit('[degF]', 5 / 9, 1, 32)]);
const systolic = quantity('systolic blood pressure', [unit('mm[Hg]', 1, 0), unit('kPa', 1 / KPA_PER_MMHG, 1)]);
const spo2 = quantity('SpO2', [unit('%', 1, 0), unit('1', 100, 2)]);
const gcs = quantity('GCS total', [unit('{score}', 1, 0)]);
const lactate = quantity('lactate', [
  unit('mmol/L', 1, 1),
  unit('mg/dL', 1 / mgPerDlPerMmolPerL(MOLECULAR_WEIGHTS.lacticAcid), 0),
]);
const counts = (name: string, decimals: number) =>
  quantity(name, [
    unit('10*3/uL', 1, decimals),
    unit('10*9/L', 1, decimals),
    unit('10*3/mm3', 1, decimals),
    unit('/uL', 1 / 1000, 0),
  ]);
const wbc = counts('WBC', 1);
const platelets = counts('platelets', 0);
/** mg/dL canonical; 1 µmol/L = MW/10000 mg/dL. */
const massToMicromolar = (name: string, mw: number, decimals: number) =>
  quantity(name, [unit('mg/dL', 1, decimals), unit('umol/L', mw / 10000, 0)]);
const creatinine = massToMicromolar('creatinine', MOLECULAR_WEIGHTS.creatinine, 1);
const bilirubin = massToMicromolar('total bilirubin', MOLECULAR_WEIGHTS.bilirubin, 1);
const glucose = quantity('glucose', [
  unit('mg/dL', 1, 0),
  unit('mmol/L', mgPerDlPerMmolPerL(MOLECULAR_WEIGHTS.glucose), 1),
]);
/** Monovalent ions: 1 mmol/L carries 1 meq/L of charge (§2 "Na, K"). */
const monovalent = (name: string, decimals: number) => quantity(name, [unit('mmol/L', 1, decimals), unit('meq/L', 1, decimals)]);
const potassium = monovalent('potassium', 1);
const sodium = monovalent('sodium', 0);
/** eGFR: mL/min per 1.73 m² (§1), or the SI mL/s per 1.73 m² (1 min = 60 s). */
const egfr = quantity('eGFR', [unit('mL/min/{1.73_m2}', 1, 0), unit('mL/s/{1.73_m2}', 60, 2)]);
/** INR is a ratio: `{INR}` (§1), `{ratio}` and `1` are the same unity (annotations do not change a unit). */
const inr = quantity('INR', [unit('{INR}', 1, 1), unit('{ratio}', 1, 1), unit('1', 1, 1)]);

/** The conversion table, keyed by LOINC code (§1 of clinical-codes.md). */
export const UNIT_TABLE = {
  '8867-4': heartRate,
  '9279-1': respiratoryRate,
  '8310-5': temperature,
  '8480-6': systolic,
  '59408-5': spo2,
  '2708-6': spo2, // SaO2: the second coding of a pulse-oximetry Observation (§1)
  '9269-2': gcs,
  '2524-7': lactate, // serum/plasma (the sepsis task)
  '32693-4': lactate, // blood (Synthea's sepsis module)
  '2518-9': lactate, // arterial blood
  '6690-2': wbc,
  '26464-8': wbc,
  '777-3': platelets,
  '26515-7': platelets,
  '2160-0': creatinine,
  '1975-2': bilirubin,
  '2345-7': glucose, // serum/plasma
  '2339-0': glucose, // blood
  '2823-3': potassium, // serum/plasma (the med-safety task)
  '6298-4': potassium, // blood
  '2951-2': sodium, // serum/plasma
  '2947-0': sodium, // blood
  '98979-8': egfr, // CKD-EPI 2021, race-free (the med-safety task)
  '62238-1': egfr, // CKD-EPI 2009
  '33914-3': egfr, // MDRD
  '6301-6': inr, // platelet-poor plasma (the med-safety task)
  '34714-6': inr, // point of care
} as const;

export type UnitLoinc = keyof typeof UNIT_TABLE;
export type UnitCode = (typeof UNIT_TABLE)[UnitLoinc]['units'][number]['code'];

export const UNIT_LOINCS = Object.keys(UNIT_TABLE) as [UnitLoinc, ...UnitLoinc[]];

export class UnitConversionError extends Error {
  override readonly name = 'UnitConversionError';
}

export function isUnitLoinc(loinc: string): loinc is UnitLoinc {
  return Object.hasOwn(UNIT_TABLE, loinc);
}

/** The quantity behind a LOINC code; throws for a code the table does not know. */
export function quantityOf(loinc: string): QuantityDef {
  if (!isUnitLoinc(loinc)) {
    throw new UnitConversionError(
      `no unit conversions for LOINC ${loinc}; codes with conversions: ${UNIT_LOINCS.join(', ')}`,
    );
  }
  return UNIT_TABLE[loinc];
}

/** UCUM codes a LOINC code can be converted between (empty for an unknown code). */
export function unitsFor(loinc: string): string[] {
  return isUnitLoinc(loinc) ? UNIT_TABLE[loinc].units.map((u) => u.code) : [];
}

export function hasUnit(loinc: string, code: string): boolean {
  return unitsFor(loinc).includes(code);
}

function unitOf(loinc: string, code: string): UnitDef {
  const q = quantityOf(loinc);
  const u = q.units.find((x) => x.code === code);
  if (!u) {
    throw new UnitConversionError(
      `unit "${code}" has no conversion for LOINC ${loinc} (${q.name}); known units: ${unitsFor(loinc).join(', ')}`,
    );
  }
  return u;
}

/** Exact conversion of `value` from one UCUM unit to another for the quantity coded `loinc`. */
export function convert(value: number, fromCode: string, toCode: string, loinc: string): number {
  if (!Number.isFinite(value)) throw new UnitConversionError(`cannot convert a non-finite value (${value})`);
  const from = unitOf(loinc, fromCode);
  const to = unitOf(loinc, toCode);
  if (from === to) return value;
  const canonical = (value - from.offset) * from.scale;
  return canonical / to.scale + to.offset;
}

/** Inputs with more decimals than this (usually float noise) are treated at this precision. */
export const MAX_INPUT_DECIMALS = 6;

/** Decimals in the shortest representation of `x` (2 → 0, 2.5 → 1, 1e-7 → 7), capped. */
export function decimalsOf(x: number): number {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(Math.abs(x).toString());
  if (!m) return MAX_INPUT_DECIMALS;
  const d = (m[2]?.length ?? 0) - Number(m[3] ?? 0);
  return Math.min(MAX_INPUT_DECIMALS, Math.max(0, d));
}

/** Rounds half away from zero to `decimals` places, on the decimal value rather than its binary noise. */
export function roundTo(x: number, decimals: number): number {
  const p = 10 ** decimals;
  const scaled = Number((Math.abs(x) * p).toPrecision(15));
  const r = Math.round(scaled) / p;
  return x < 0 && r !== 0 ? -r : r;
}

/** The precision a value is taken to have in its unit: its own decimals, at least the unit's convention. */
export function inputDecimals(value: number, fromCode: string, loinc: string): number {
  return Math.max(unitOf(loinc, fromCode).decimals, decimalsOf(value));
}

/**
 * How fine the output's last decimal must be, relative to the input's: one output step is at most
 * this fraction of one input step (both in the target unit).
 */
export const RESOLUTION_MARGIN = 0.8;

/**
 * Decimals a converted value is reported with (the precision rule). With `d` the input's decimals
 * (given, else `inputDecimals`) and `f` the size of one input unit in target units, the output keeps
 * the fewest decimals `k`, but at least the target unit's conventional ones, such that
 * 10^-k ≤ 0.8 · f · 10^-d.
 *
 * Why this round-trips: rounding to `k` decimals moves the value by at most half an output step,
 * i.e. at most 0.4 of an input step, so the exact back conversion rounded to `d` decimals is the
 * input. A back conversion that is itself rounded by this rule (passing `k` as its input decimals)
 * keeps at least d + 1 decimals, adding at most 0.05 of an input step: 0.45 < 0.5, still exact.
 */
export function outputDecimals(
  value: number,
  fromCode: string,
  toCode: string,
  loinc: string,
  decimals: number = inputDecimals(value, fromCode, loinc),
): number {
  const from = unitOf(loinc, fromCode);
  const to = unitOf(loinc, toCode);
  const f = from.scale / to.scale;
  const needed = Math.ceil(decimals - Math.log10(RESOLUTION_MARGIN * f) - 1e-9);
  return Math.max(to.decimals, needed);
}

/**
 * `convert`, rounded by the precision rule of `outputDecimals`. `decimals` is the input's precision
 * when the caller knows it (e.g. the decimals of a value this function returned); by default it is
 * read from the value (`inputDecimals`), which cannot see trailing zeros.
 */
export function convertRounded(
  value: number,
  fromCode: string,
  toCode: string,
  loinc: string,
  decimals?: number,
): number {
  const exact = convert(value, fromCode, toCode, loinc);
  if (fromCode === toCode) return exact;
  return roundTo(exact, outputDecimals(value, fromCode, toCode, loinc, decimals));
}
