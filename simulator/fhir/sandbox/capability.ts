import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceSearchParam } from 'fhir/r4.js';
import { TOOL_VERSION } from '../../version.ts';
import { MATCHABLE_TYPES, searchParameters, type SandboxDefinitions } from './definitions.ts';

/** Search parameters common to all resource types that the sandbox evaluates (R4 Resource-*). */
const COMMON: readonly CapabilityStatementRestResourceSearchParam[] = (
  [
    ['_id', 'token', 'id'],
    ['_lastUpdated', 'date', 'lastUpdated'],
    ['_tag', 'token', 'tag'],
    ['_profile', 'uri', 'profile'],
    ['_security', 'token', 'security'],
    ['_source', 'uri', 'source'],
  ] as const
).map(([name, type, id]) => ({ name, type, definition: `http://hl7.org/fhir/SearchParameter/Resource-${id}` }));

/** Codes that are accepted but not listed per resource: they are Medplum's, not R4's. */
const HIDDEN = new Set(['_compartment']);

const INTERACTIONS: CapabilityStatementRestResource['interaction'] = [
  { code: 'read' },
  { code: 'vread' },
  { code: 'update' },
  { code: 'patch' },
  { code: 'delete' },
  { code: 'history-instance' },
  { code: 'create' },
  { code: 'search-type' },
];

/**
 * The sandbox's CapabilityStatement (`GET [base]/metadata`): FHIR 4.0.1, JSON, every concrete R4
 * resource type with the interactions the engine implements, and per type the search parameters
 * it can evaluate (types reference, string, uri, token and date; number, quantity, composite and
 * special parameters are not listed because the engine cannot match them, and the sandbox answers
 * 400 to them rather than an empty result).
 */
export function capabilityStatement(definitions: SandboxDefinitions, baseUrl: string, date: string): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = definitions.resourceTypes.map((type) => {
    const searchParam: CapabilityStatementRestResourceSearchParam[] = [];
    for (const [code, param] of Object.entries(searchParameters(type))) {
      if (code.startsWith('_') || HIDDEN.has(code) || !MATCHABLE_TYPES.has(param.type ?? '')) continue;
      const definition = definitions.definitionUrls.get(`${type}.${code}`);
      searchParam.push({
        name: code,
        type: param.type as CapabilityStatementRestResourceSearchParam['type'],
        ...(definition ? { definition } : {}),
      });
    }
    searchParam.sort((a, b) => a.name.localeCompare(b.name));
    return {
      type,
      interaction: INTERACTIONS,
      versioning: 'versioned',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      searchParam,
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'clinsim',
    kind: 'instance',
    software: { name: 'clinsim FHIR sandbox (@medplum/fhir-router MemoryRepository)', version: TOOL_VERSION },
    implementation: { description: 'clinsim FHIR sandbox: a synthetic cohort served over FHIR R4 REST', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Paging: _count (default 20, at most 1000) and _offset, with Bundle.link next/previous. _summary=count gives the total only.',
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        searchParam: [...COMMON],
      },
    ],
  };
}
