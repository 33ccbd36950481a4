import { Faker, en, type Randomizer } from '@faker-js/faker';
import type { Coding, Extension } from 'fhir/r4.js';
import { categorical, clamp, normal, type Rng } from '../random.ts';
import type { PatientOverrides } from './task.ts';

/**
 * Demographic draws shared by every task: age, sex, OMB race and ethnicity, a name seed, and the
 * US Core extensions that carry them in a Patient resource. Every draw consumes a fixed number of
 * uniforms whatever its outcome, and overrides replace a value after it is drawn, so an override
 * never shifts the stream position of the draws that follow.
 */

export const CDC_RACE_ETHNICITY = 'urn:oid:2.16.840.1.113883.6.238';
export const US_CORE_RACE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race';
export const US_CORE_ETHNICITY = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity';
export const US_CORE_BIRTHSEX = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex';

export type Sex = 'female' | 'male';

export interface Category {
  readonly code: string;
  readonly display: string;
}

/** The five OMB race categories (clinical-codes.md §7). */
export const RACES: readonly Category[] = [
  { code: '2106-3', display: 'White' },
  { code: '2054-5', display: 'Black or African American' },
  { code: '2028-9', display: 'Asian' },
  { code: '1002-5', display: 'American Indian or Alaska Native' },
  { code: '2076-8', display: 'Native Hawaiian or Other Pacific Islander' },
];

/**
 * Race mix of the simulated adult ED population, in RACES order. Modelling assumption: a rough
 * US emergency-department mix (Black patients over-represented relative to the census), not a
 * sourced table.
 */
export const RACE_WEIGHTS: readonly number[] = [0.66, 0.22, 0.07, 0.035, 0.015];

export const HISPANIC: Category = { code: '2135-2', display: 'Hispanic or Latino' };
export const NOT_HISPANIC: Category = { code: '2186-5', display: 'Not Hispanic or Latino' };

/** P(Hispanic or Latino | race), in RACES order. Modelling assumption (overall ≈ 15%). */
export const HISPANIC_GIVEN_RACE: readonly number[] = [0.17, 0.04, 0.02, 0.3, 0.1];

/** Age mixture of adult ED arrivals: young, middle-aged, older adults. Modelling assumption. */
const AGE_WEIGHTS: readonly number[] = [0.38, 0.34, 0.28];
const AGE_MEANS: readonly number[] = [31, 53, 76];
const AGE_SDS: readonly number[] = [8, 8, 9];
export const MIN_AGE = 18;
export const MAX_AGE = 100;
/** Overrides may ask for ages above the drawn range (e.g. an older-population shift); capped here. */
export const MAX_OVERRIDE_AGE = 110;

/** P(female) among adult ED arrivals. Modelling assumption. */
export const P_FEMALE = 0.54;

export interface Demographics {
  /** Completed years at the prediction time. */
  readonly ageYears: number;
  /** Days (0..364) between the birthday and the same calendar day `ageYears` years before the prediction date. */
  readonly birthdayOffsetDays: number;
  readonly sex: Sex;
  /** OMB race code. */
  readonly race: string;
  /** OMB ethnicity code. */
  readonly ethnicity: string;
  /** Seed for the name generator (one int32 of the patient stream). */
  readonly nameSeed: number;
}

/** Draws demographics: 8 uniforms, always. Overrides replace values after they are drawn. */
export function drawDemographics(rng: Rng, overrides?: PatientOverrides): Demographics {
  const component = categorical(rng, AGE_WEIGHTS);
  const rawAge = normal(rng, AGE_MEANS[component]!, AGE_SDS[component]!);
  // Reflected at the lower bound (no pile-up at 18), capped at the upper one.
  let age = Math.floor(clamp(rawAge < MIN_AGE ? 2 * MIN_AGE - rawAge : rawAge, MIN_AGE, MAX_AGE));
  const birthdayOffsetDays = Math.floor(rng() * 365);
  let sex: Sex = rng() < P_FEMALE ? 'female' : 'male';
  const raceIndex = categorical(rng, RACE_WEIGHTS);
  let race = RACES[raceIndex]!.code;
  let ethnicity = rng() < HISPANIC_GIVEN_RACE[raceIndex]! ? HISPANIC.code : NOT_HISPANIC.code;
  const nameSeed = rng.int32();
  if (overrides) {
    if (overrides.ageYears !== undefined) age = overrideAge(overrides.ageYears);
    if (overrides.sex !== undefined) sex = overrides.sex;
    if (overrides.race !== undefined) race = overrides.race;
    if (overrides.ethnicity !== undefined) ethnicity = overrides.ethnicity;
  }
  return { ageYears: age, birthdayOffsetDays, sex, race, ethnicity, nameSeed };
}

/** Whole years, clamped to the adult range the generators model. */
export function overrideAge(ageYears: number): number {
  if (!Number.isFinite(ageYears)) throw new RangeError(`ageYears override must be finite, got ${ageYears}`);
  return Math.floor(clamp(ageYears, MIN_AGE, MAX_OVERRIDE_AGE));
}

/**
 * FHIR date (YYYY-MM-DD) of a birth such that the completed age at `predictionMs` is `ageYears`:
 * the same calendar day `ageYears` years earlier, minus 0..364 days.
 */
export function birthDateFor(ageYears: number, birthdayOffsetDays: number, predictionMs: number): string {
  const t = new Date(predictionMs);
  const birth = new Date(Date.UTC(t.getUTCFullYear() - ageYears, t.getUTCMonth(), t.getUTCDate() - birthdayOffsetDays));
  return isoDate(birth.getUTCFullYear(), birth.getUTCMonth() + 1, birth.getUTCDate());
}

function isoDate(y: number, m: number, d: number): string {
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

// ---------------------------------------------------------------------------------------------
// Names: one module-level Faker whose randomizer is a small seeded generator (sfc32), reseeded per
// patient with faker.seed(nameSeed). Faker's default Mersenne-Twister randomizer costs ~30 µs per
// seed() call, more than the rest of a patient; sfc32 seeds in well under a microsecond.

/** Initial sfc32 state words (a, b, c) before the seed is mixed in; each Faker user picks its own. */
export type Sfc32State = readonly [number, number, number];

const NAME_STATE: Sfc32State = [0x9e3779b9, 0x243f6a88, 0xb7e15162];

/** sfc32 Faker randomizer; also used by notes.phiBait, whose own `state` keeps its stream apart. */
export function sfc32Randomizer(state: Sfc32State): Randomizer {
  const [a0, b0, c0] = state;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  return {
    next,
    seed(seed: number | number[]): void {
      const s = Array.isArray(seed) ? (seed[0] ?? 0) : seed;
      a = a0;
      b = b0;
      c = c0;
      d = s | 0;
      for (let i = 0; i < 12; i++) next();
    },
  };
}

const faker = new Faker({ locale: [en], randomizer: sfc32Randomizer(NAME_STATE) });

export interface PersonName {
  readonly given: string;
  readonly family: string;
  /** Synthetic medical record number, 8 digits. */
  readonly mrn: string;
}

/** Deterministic name and MRN for a patient's name seed. */
export function personName(nameSeed: number, sex: Sex): PersonName {
  faker.seed(nameSeed);
  return drawPersonName(faker, sex);
}

/**
 * Given name, family name, 8-digit MRN, drawn in that order from an already seeded Faker. Shared
 * with notes.phiBait so a bait identity is formatted exactly like a generated patient's.
 */
export function drawPersonName(f: Faker, sex: Sex): PersonName {
  const given = f.person.firstName(sex);
  const family = f.person.lastName();
  const mrn = String(f.number.int({ min: 10_000_000, max: 99_999_999 }));
  return { given, family, mrn };
}

// ---------------------------------------------------------------------------------------------
// US Core extensions. The extension objects are constants per category, built once and frozen:
// bundles share them, so a perturbation must copy (never mutate) what it changes.

/** Recursively freezes a constant that bundles share; returns it with its mutable type. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

function raceLikeExtension(url: string, category: Category): Extension {
  const coding: Coding = { system: CDC_RACE_ETHNICITY, code: category.code, display: category.display };
  return deepFreeze({
    url,
    extension: [
      { url: 'ombCategory', valueCoding: coding },
      { url: 'text', valueString: category.display },
    ],
  });
}

const RACE_EXTENSIONS = new Map<string, Extension>(RACES.map((r) => [r.code, raceLikeExtension(US_CORE_RACE, r)]));
const ETHNICITY_EXTENSIONS = new Map<string, Extension>(
  [HISPANIC, NOT_HISPANIC].map((e) => [e.code, raceLikeExtension(US_CORE_ETHNICITY, e)]),
);
const BIRTHSEX_EXTENSIONS: Record<Sex, Extension> = {
  female: deepFreeze({ url: US_CORE_BIRTHSEX, valueCode: 'F' }),
  male: deepFreeze({ url: US_CORE_BIRTHSEX, valueCode: 'M' }),
};

export function raceDisplay(code: string): string | undefined {
  return RACES.find((r) => r.code === code)?.display;
}

export function ethnicityDisplay(code: string): string | undefined {
  return code === HISPANIC.code ? HISPANIC.display : code === NOT_HISPANIC.code ? NOT_HISPANIC.display : undefined;
}

function extensionFor(cache: Map<string, Extension>, url: string, code: string): Extension {
  const cached = cache.get(code);
  if (cached) return cached;
  // An override with a code outside the OMB set: carried as given, display from the code.
  return raceLikeExtension(url, { code, display: code });
}

/** us-core-race, us-core-ethnicity and us-core-birthsex extensions for a Patient. */
export function usCoreExtensions(race: string, ethnicity: string, sex: Sex): Extension[] {
  return [
    extensionFor(RACE_EXTENSIONS, US_CORE_RACE, race),
    extensionFor(ETHNICITY_EXTENSIONS, US_CORE_ETHNICITY, ethnicity),
    BIRTHSEX_EXTENSIONS[sex],
  ];
}
