import { badRequest, DEFAULT_MAX_SEARCH_COUNT, DEFAULT_SEARCH_COUNT, isResourceType, OperationOutcomeError } from '@medplum/core';
import type { Bundle, BundleLink } from 'fhir/r4.js';
import { MATCHABLE_TYPES, searchParameter } from './definitions.ts';

/**
 * What the sandbox does to a search before the engine sees it, and the paging links after.
 *
 * The engine (@medplum/core `parseSearchRequest` + `matchesSearchRequest`) silently matches nothing
 * for a parameter it cannot evaluate; the sandbox answers 400 with an OperationOutcome instead, so
 * a client never mistakes "unsupported" for "no data". It also fills in what the engine leaves to
 * its server: a default and maximum page size, the bare-id forms of reference parameters
 * (`patient=123`, `subject:Patient=123`, absolute URLs of this server), and Bundle.link.
 */

/** Result parameters the sandbox accepts besides the search parameters of the type. */
const CONTROL = new Set(['_count', '_offset', '_sort', '_summary', '_total', '_elements', '_format', '_pretty']);

export interface NormalizedSearch {
  /** The query the engine receives (and the paging links repeat), including `_count`. */
  readonly params: URLSearchParams;
  /** Page size; 0 for `_summary=count`. */
  readonly count: number;
  readonly offset: number;
}

const reject = (message: string): never => {
  throw new OperationOutcomeError(badRequest(message));
};

function whole(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) reject(`${name} must be a whole number ≥ 0, got "${value}"`);
  return Number(value);
}

/**
 * Checks and rewrites the query of `GET [base]/[type]?...`. `basePath` is the server's base path
 * (e.g. `/fhir/R4`): absolute references into this server become relative ones.
 */
export function normalizeSearch(resourceType: string, query: URLSearchParams, basePath: string): NormalizedSearch {
  const out = new URLSearchParams();
  let count: number | undefined;
  let offset = 0;
  let summaryCount = false;
  for (const [key, value] of query) {
    if (key === '_count') {
      count = Math.min(whole('_count', value), DEFAULT_MAX_SEARCH_COUNT);
      continue;
    }
    if (key === '_offset') {
      offset = whole('_offset', value);
      continue;
    }
    if (key === '_summary') {
      if (value === 'count') summaryCount = true;
      else if (value !== 'false') reject(`_summary=${value} is not supported (only count and false)`);
      continue;
    }
    if (key === '_sort') {
      for (const field of value.split(',')) {
        const code = field.replace(/^-/, '');
        if (!searchParameter(resourceType, code)) reject(`_sort: "${code}" is not a search parameter of ${resourceType}`);
      }
      out.append(key, value);
      continue;
    }
    if (CONTROL.has(key)) {
      out.append(key, value);
      continue;
    }
    const [name, normalized] = normalizeParameter(resourceType, key, value, basePath);
    out.append(name, normalized);
  }
  if (summaryCount) {
    out.append('_summary', 'count');
    return { params: out, count: 0, offset: 0 };
  }
  const pageSize = count ?? DEFAULT_SEARCH_COUNT;
  out.append('_count', String(pageSize));
  if (offset > 0) out.append('_offset', String(offset));
  return { params: out, count: pageSize, offset };
}

/** One search parameter → [key, value] as the engine should see it, or a 400. */
function normalizeParameter(resourceType: string, key: string, value: string, basePath: string): [string, string] {
  if (key.startsWith('_has') || key.includes('.')) reject(`chained and reverse-chained search (${key}) is not supported by the sandbox`);
  const colon = key.indexOf(':');
  const code = colon < 0 ? key : key.slice(0, colon);
  const modifier = colon < 0 ? '' : key.slice(colon + 1);
  const param = searchParameter(resourceType, code);
  if (!param || code === '_compartment') {
    return reject(
      code.startsWith('_')
        ? `search result parameter ${code} is not supported by the sandbox`
        : `unknown search parameter "${code}" for ${resourceType}`,
    );
  }
  const type = param.type ?? '';
  if (!MATCHABLE_TYPES.has(type)) reject(`${type} search parameters (${resourceType}.${code}) are not supported by the sandbox`);
  if (modifier === 'missing') return [key, value];
  if (type === 'reference') {
    if (modifier === '') return [key, referenceValues(value, param.target ?? [], basePath)];
    if (isResourceType(modifier)) return [code, referenceValues(value, [modifier], basePath)];
  }
  if (modifier === '') return [key, value];
  if (modifier === 'not' && type === 'token') return [key, value];
  if (modifier === 'contains' && type === 'string') return [key, value];
  return reject(`modifier :${modifier} is not supported for ${type} parameter ${code}`);
}

/**
 * Reference values in the literal `Type/id` form the engine compares: a bare id becomes one
 * alternative per target type (`subject=123` → `Patient/123,Group/123,...`), an absolute URL into
 * this server loses its base.
 */
function referenceValues(value: string, targets: readonly string[], basePath: string): string {
  const out: string[] = [];
  for (const v of value.split(',')) {
    if (/^https?:\/\//.test(v)) {
      const path = URL.canParse(v) ? new URL(v).pathname : '';
      out.push(path.startsWith(`${basePath}/`) ? path.slice(basePath.length + 1) : v);
    } else if (!v.includes('/') && !v.includes(':') && targets.length > 0) {
      for (const target of targets) out.push(`${target}/${v}`);
    } else {
      out.push(v);
    }
  }
  return out.join(',');
}

/**
 * Adds Bundle.link (self, first, previous, next, last) and entry fullUrl/search.mode to a
 * searchset page. `searchUrl` is the absolute URL of the search without its query.
 */
export function withPaging(bundle: Bundle, search: NormalizedSearch, searchUrl: string, baseUrl: string): Bundle {
  const total = bundle.total ?? 0;
  const pageUrl = (offset: number): string => {
    const params = new URLSearchParams(search.params);
    params.delete('_offset');
    if (offset > 0) params.append('_offset', String(offset));
    return `${searchUrl}?${params.toString()}`;
  };
  const link: BundleLink[] = [{ relation: 'self', url: pageUrl(search.offset) }];
  const { count, offset } = search;
  if (count > 0) {
    link.push({ relation: 'first', url: pageUrl(0) });
    if (offset > 0) link.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
    if (offset + count < total) link.push({ relation: 'next', url: pageUrl(offset + count) });
    link.push({ relation: 'last', url: pageUrl(total > 0 ? Math.floor((total - 1) / count) * count : 0) });
  }
  const entry = (bundle.entry ?? []).map((e) => ({
    ...(e.resource?.id ? { fullUrl: `${baseUrl}/${e.resource.resourceType}/${e.resource.id}` } : {}),
    ...e,
    search: { mode: 'match' as const },
  }));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
