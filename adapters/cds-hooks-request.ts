import type { Bundle, BundleEntry, FhirResource, MedicationRequest } from 'fhir/r4.js';

/*
 * The CDS Hooks order-sign request built from a case: the draft order, the context and the
 * prefetch, evaluated against the case's own bundle (cds-hooks.hl7.org, "Prefetch Template").
 */

/** Who signs the order in every request clinsim sends. */
export const USER_ID = 'Practitioner/clinsim';

export interface OrderSignRequest {
  hook: string;
  hookInstance: string;
  fhirServer?: string;
  context: {
    userId: string;
    patientId: string;
    encounterId?: string;
    draftOrders: Bundle;
  };
  prefetch: Record<string, FhirResource | Bundle | null>;
}

const resourcesOf = (bundle: Bundle): { resource: FhirResource; fullUrl: string | undefined }[] =>
  (Array.isArray(bundle?.entry) ? bundle.entry : [])
    .filter((e): e is BundleEntry & { resource: FhirResource } => typeof e?.resource?.resourceType === 'string')
    .map((e) => ({ resource: e.resource, fullUrl: typeof e.fullUrl === 'string' ? e.fullUrl : undefined }));

/** The order being signed: the bundle's first MedicationRequest with status `draft`. */
export function draftOrderOfBundle(bundle: Bundle): MedicationRequest | undefined {
  for (const { resource } of resourcesOf(bundle)) if (resource.resourceType === 'MedicationRequest' && resource.status === 'draft') return resource;
  return undefined;
}

const lastSegment = (ref: string): string => ref.replace(/^urn:uuid:/, '').split('/').pop() ?? ref;

/** The patient's id: the Patient's id, else its fullUrl's last segment, else the draft order's subject, else "unknown". */
function patientIdOf(bundle: Bundle, draft: MedicationRequest | undefined): string {
  const patient = resourcesOf(bundle).find((e) => e.resource.resourceType === 'Patient');
  if (patient?.resource.id) return patient.resource.id;
  if (patient?.fullUrl) return lastSegment(patient.fullUrl);
  const subject = draft?.subject?.reference;
  return subject ? lastSegment(subject) : 'unknown';
}

/** The whole `order-sign` request for a case. */
export function orderSignRequest(
  bundle: Bundle,
  templates: Readonly<Record<string, string>>,
  options: { hook: string; hookInstance: string; fhirServer?: string },
): OrderSignRequest {
  const draft = draftOrderOfBundle(bundle);
  const patientId = patientIdOf(bundle, draft);
  const encounter = resourcesOf(bundle).find((e) => e.resource.resourceType === 'Encounter')?.resource;
  const context: OrderSignRequest['context'] = {
    userId: USER_ID,
    patientId,
    ...(encounter?.id ? { encounterId: encounter.id } : {}),
    draftOrders: { resourceType: 'Bundle', type: 'collection', entry: draft ? [{ resource: draft }] : [] },
  };
  return {
    hook: options.hook,
    hookInstance: options.hookInstance,
    ...(options.fhirServer === undefined ? {} : { fhirServer: options.fhirServer }),
    context,
    prefetch: prefetchFromBundle(bundle, templates, context),
  };
}

/**
 * The prefetch a CDS client would send, evaluated against the case's bundle instead of a FHIR server
 * (CDS Hooks "Prefetch Template"). Tokens: `{{context.patientId}}`, `{{context.userId}}`,
 * `{{context.encounterId}}`, `{{userPractitionerId}}`; a template with any other token, or one the
 * adapter cannot read, is left out (as the spec asks of a key the client does not satisfy).
 * - `Type/{id}` (a read): that resource of the bundle, or null when it has none.
 * - `Type?params` or `Type` (a search): a `searchset` Bundle of the bundle's resources of that type
 *   that match the parameters the adapter knows — `patient`/`subject` (a resource that names another
 *   patient is left out), `_id`, `status`, `intent`, `clinical-status`, `category` and `code`
 *   (comma-separated `code` or `system|code`), `_sort` (`date` / `-date`, also `sort:desc=date`),
 *   `_count`; null when nothing matches (the spec's "no data"). Other parameters and modifiers are
 *   ignored, so a result may hold more than a FHIR server would return, never less.
 */
export function prefetchFromBundle(
  bundle: Bundle,
  templates: Readonly<Record<string, string>>,
  context: OrderSignRequest['context'],
): Record<string, FhirResource | Bundle | null> {
  const tokens: Record<string, string | undefined> = {
    'context.patientId': context.patientId,
    'context.userId': context.userId,
    'context.encounterId': context.encounterId,
    userPractitionerId: lastSegment(context.userId),
  };
  const out: Record<string, FhirResource | Bundle | null> = {};
  const entries = resourcesOf(bundle);
  for (const [key, template] of Object.entries(templates)) {
    let unsupported = false;
    const query = template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, name: string) => {
      const value = tokens[name];
      if (value === undefined) unsupported = true;
      // A path token (context.userId = "Practitioner/x") keeps its slash; query values are escaped.
      return value === undefined ? '' : value.split('/').map(encodeURIComponent).join('/');
    });
    if (unsupported) continue;
    const q = query.indexOf('?');
    const path = q < 0 ? query : query.slice(0, q);
    const search = q < 0 ? undefined : query.slice(q + 1);
    const [type, id, extra] = path.replace(/^\/+/, '').split('/');
    if (!type || !/^[A-Z][A-Za-z]+$/.test(type) || extra !== undefined) continue;
    if (id !== undefined && id !== '') {
      if (search !== undefined) continue;
      const wanted = decodeURIComponent(id);
      out[key] = entries.find((e) => e.resource.resourceType === type && e.resource.id === wanted)?.resource ?? null;
      continue;
    }
    const { filters, sort, count } = parseParams(search ?? '');
    let matches = entries.filter((e) => e.resource.resourceType === type && filters.every((test) => test(e.resource)));
    if (sort !== 0) {
      matches = matches
        .map((e, i) => ({ e, i, t: dateOf(e.resource) }))
        .sort((a, b) => (a.t === b.t ? a.i - b.i : sort * (a.t - b.t)))
        .map((x) => x.e);
    }
    if (count !== undefined) matches = matches.slice(0, count);
    out[key] =
      matches.length === 0
        ? null
        : {
            resourceType: 'Bundle',
            type: 'searchset',
            total: matches.length,
            entry: matches.map((e) => ({ ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}), resource: e.resource, search: { mode: 'match' } })),
          };
  }
  return out;
}

/** The clinically relevant time of a resource (ms), for `_sort=date`; undated ones sort first. */
function dateOf(r: FhirResource): number {
  const loose = r as unknown as Loose;
  const period = isRecord(loose.effectivePeriod) ? loose.effectivePeriod : undefined;
  for (const v of [loose.effectiveDateTime, loose.effectiveInstant, period?.end, period?.start, loose.issued, loose.authoredOn, loose.recordedDate, loose.date]) {
    if (typeof v === 'string') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
  }
  return -Infinity;
}

type Filter = (resource: FhirResource) => boolean;

type Loose = Record<string, unknown>;
const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{ system, code }` pairs of a CodeableConcept, a list of them, or plain code strings. */
function codingsOf(value: unknown): { system?: string; code?: string }[] {
  const out: { system?: string; code?: string }[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item === 'string') out.push({ code: item });
    else if (isRecord(item) && Array.isArray(item.coding)) {
      for (const c of item.coding) {
        if (isRecord(c)) out.push({ ...(typeof c.system === 'string' ? { system: c.system } : {}), ...(typeof c.code === 'string' ? { code: c.code } : {}) });
      }
    }
  }
  return out;
}

function tokenFilter(field: (r: Loose) => unknown, values: string[]): Filter {
  const wanted = values.map((v) => {
    const bar = v.indexOf('|');
    return bar < 0 ? { code: v } : { system: v.slice(0, bar) || undefined, code: v.slice(bar + 1) };
  });
  return (r) => codingsOf(field(r as unknown as Loose)).some((c) => wanted.some((w) => w.code === c.code && (w.system === undefined || w.system === c.system)));
}

/** The search parameters the adapter evaluates; anything else is ignored. */
function parseParams(search: string): { filters: Filter[]; sort: -1 | 0 | 1; count?: number } {
  const filters: Filter[] = [];
  let sort: -1 | 0 | 1 = 0;
  let count: number | undefined;
  for (const part of search.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    const values = value.split(',').filter((v) => v !== '');
    switch (name) {
      case 'patient':
      case 'subject': {
        const id = lastSegment(value);
        filters.push((r) => {
          const loose = r as unknown as Loose;
          const ref = [loose.patient, loose.subject].find(isRecord)?.reference;
          return typeof ref !== 'string' || lastSegment(ref) === id;
        });
        break;
      }
      case '_id':
        filters.push((r) => r.id !== undefined && values.includes(r.id));
        break;
      case 'status':
      case 'intent':
        filters.push((r) => values.includes(String((r as unknown as Loose)[name])));
        break;
      case 'clinical-status':
        filters.push(tokenFilter((r) => r.clinicalStatus, values));
        break;
      case 'category':
        filters.push(tokenFilter((r) => r.category, values));
        break;
      case 'code':
        filters.push(tokenFilter((r) => r.code ?? r.medicationCodeableConcept, values));
        break;
      case '_sort':
        if (values[0] === 'date' || values[0] === '-date') sort = values[0] === 'date' ? 1 : -1;
        break;
      case 'sort:desc':
      case 'sort:asc':
        if (value === 'date') sort = name === 'sort:desc' ? -1 : 1;
        break;
      case '_count': {
        const n = Number(value);
        if (Number.isInteger(n) && n >= 0) count = n;
        break;
      }
      default:
        break; // not understood (another parameter, or a modifier such as code:in): ignored, over-inclusive
    }
  }
  return count === undefined ? { filters, sort } : { filters, sort, count };
}

// ---- HTTP ---------------------------------------------------------------------------------------

/** Resolves with the promise, or fails as soon as `signal` aborts. */
