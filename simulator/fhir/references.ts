import type { ValidationProblem } from './validate.ts';

/**
 * Reference resolution inside a Bundle. A `Reference.reference` resolves when it is
 * - `#id`: a resource in the referring resource's `contained` with that id;
 * - `urn:uuid:…` / `urn:oid:…` or an absolute URL: an entry whose `fullUrl` is exactly that string
 *   (an absolute `…/Type/id[/_history/v]` also resolves to an entry with that type and id);
 * - relative `Type/id` (optionally `/_history/v`): an entry whose resource has that type and id.
 * A conditional reference (`Type?identifier=…`) never resolves inside a bundle: it is a search,
 * meaningful only in a transaction sent to a server.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One `Reference.reference` found in a resource, with its FHIRPath-like location. */
export interface FoundReference {
  readonly path: string;
  readonly reference: string;
}

/** Every `reference` string under a resource (Reference datatype), depth first, in document order. */
export function referencesIn(resource: unknown, path = ''): FoundReference[] {
  const out: FoundReference[] = [];
  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}[${i}]`));
      return;
    }
    if (!isRecord(value)) return;
    for (const [key, v] of Object.entries(value)) {
      // `contained` resources are walked too; their references resolve like the container's.
      if (key === 'reference' && typeof v === 'string') out.push({ path: `${at}.reference`, reference: v });
      else if (typeof v === 'object' && v !== null) walk(v, `${at}.${key}`);
    }
  };
  const type = isRecord(resource) && typeof resource.resourceType === 'string' ? resource.resourceType : '$';
  walk(resource, path || type);
  return out;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE_TAIL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Type and id a literal reference names (`Patient/x`, `https://h/fhir/Patient/x`), if any. */
export function parseLiteralReference(reference: string): { type: string; id: string } | undefined {
  const m = RELATIVE.exec(reference) ?? (/^https?:\/\//.test(reference) ? ABSOLUTE_TAIL.exec(reference) : null);
  return m ? { type: m[1]!, id: m[2]! } : undefined;
}

/**
 * References of a bundle's entries that do not resolve inside the bundle (see the module comment).
 * Paths are `Bundle.entry[i].resource.<path>`. A bundle that is not an object with an `entry` array
 * has no entries and so no problems.
 */
export function unresolvedReferences(bundle: unknown): ValidationProblem[] {
  if (!isRecord(bundle) || !Array.isArray(bundle.entry)) return [];
  const fullUrls = new Set<string>();
  const typeIds = new Set<string>();
  for (const e of bundle.entry as unknown[]) {
    if (!isRecord(e)) continue;
    if (typeof e.fullUrl === 'string') fullUrls.add(e.fullUrl);
    const r = e.resource;
    if (isRecord(r) && typeof r.resourceType === 'string' && typeof r.id === 'string') typeIds.add(`${r.resourceType}/${r.id}`);
  }
  const problems: ValidationProblem[] = [];
  (bundle.entry as unknown[]).forEach((e, i) => {
    if (!isRecord(e) || !isRecord(e.resource)) return;
    const resource = e.resource;
    const contained = new Set<string>();
    if (Array.isArray(resource.contained)) {
      for (const c of resource.contained) if (isRecord(c) && typeof c.id === 'string') contained.add(c.id);
    }
    for (const ref of referencesIn(resource, `Bundle.entry[${i}].resource`)) {
      const problem = resolveProblem(ref.reference, fullUrls, typeIds, contained);
      if (problem) problems.push({ path: ref.path, message: problem });
    }
  });
  return problems;
}

function resolveProblem(
  reference: string,
  fullUrls: ReadonlySet<string>,
  typeIds: ReadonlySet<string>,
  contained: ReadonlySet<string>,
): string | undefined {
  if (reference.startsWith('#')) {
    return reference === '#' || contained.has(reference.slice(1)) ? undefined : `"${reference}" names no contained resource`;
  }
  if (reference.includes('?')) return `conditional reference "${reference}" does not resolve inside a bundle`;
  if (fullUrls.has(reference)) return undefined;
  if (reference.startsWith('urn:')) return `"${reference}" matches no entry fullUrl`;
  const literal = parseLiteralReference(reference);
  if (!literal) return `"${reference}" is not a valid reference`;
  if (typeIds.has(`${literal.type}/${literal.id}`)) return undefined;
  return `"${reference}" matches no ${literal.type} entry of the bundle`;
}
