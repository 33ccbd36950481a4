import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Bundle, BundleEntry, FhirResource, MedicationRequest } from 'fhir/r4.js';
import type { Target } from '../simulator/scenario.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction } from './adapter.ts';
import { Card, isAlert } from './cds-card.ts';
import { abortFailure, shortZodMessage, validatePrediction } from './failures.ts';
import { MAX_RESPONSE_BYTES, parseRetryAfter, splitCredentials } from './http-json.ts';

export type CdsHooksTarget = Extract<Target, { adapter: 'cds-hooks' }>;
/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type CdsHooksOptions = Pick<CdsHooksTarget, 'url'> & Partial<Pick<CdsHooksTarget, 'hook' | 'fhirServer'>> & {
  /** Deadline of the discovery request (default 10 s). */
  readonly discoveryTimeoutMs?: number;
};

/** The user the adapter signs orders as (`context.userId`). */
export const USER_ID = 'Practitioner/clinsim';
const DEFAULT_DISCOVERY_TIMEOUT_MS = 10_000;

/**
 * CDS Hooks adapter (cds-hooks.hl7.org 2.0): the case is a medication order being signed.
 *
 * 1. **Discovery**, once per adapter: `GET {base}/cds-services`; the target's service id (the last
 *    path segment of `url`, `…/cds-services/{id}`) must be listed with the target's hook (default
 *    `order-sign`). Its `prefetch` templates say what the request carries. `health()` runs it; the
 *    first call runs it otherwise (and its latency counts). A failed discovery is retried by the next
 *    call when it was a transport, timeout or HTTP failure; a document without the service fails
 *    every call with `invalid-response`.
 * 2. **The call**: `POST {base}/cds-services/{id}` with `hook`, a fresh `hookInstance` uuid,
 *    `context: { userId: "Practitioner/clinsim", patientId, encounterId?, draftOrders }` where
 *    `draftOrders` is a collection Bundle holding the case's draft MedicationRequest (the bundle's
 *    first MedicationRequest with status `draft`; none → an empty Bundle), `prefetch` evaluated from
 *    the case's bundle (`prefetchFromBundle`), and `fhirServer` when the target names one.
 * 3. **The reply** must be `{ cards: Card[] }` (`systemActions` allowed): every card is checked
 *    against the `Card` schema of cds-card.ts. The Prediction is `{ cards, label, text }`: `label` 1
 *    when any card is `warning` or `critical`, else 0; `text` the summaries joined by " | ".
 *
 * Failure mapping, as for http-json (failures.ts):
 *
 * | what happens                                                   | FailureType        | details              |
 * | -------------------------------------------------------------- | ------------------ | -------------------- |
 * | refused, reset, DNS failure, socket closed mid-reply            | `transport`        |                      |
 * | ctx.signal aborts with a `TimeoutError` reason (the deadline)   | `timeout`          |                      |
 * | ctx.signal aborts for another reason                            | `transport`        |                      |
 * | status outside 200–299, on discovery or the call                | `http-status`      | status, retryAfterMs |
 * | body empty, not JSON, too large                                 | `invalid-response` | status               |
 * | discovery without the service or the hook                      | `invalid-response` | status               |
 * | reply without `cards`, or a card that is not a valid Card       | `invalid-response` | status (message names the path, e.g. `cards.0.summary`) |
 *
 * Layering: the adapter knows the wire format and reads the bundle itself (patient, encounter,
 * draft order, prefetch queries); it imports nothing of the runner or the cohort generators.
 */
export function cdsHooksAdapter(options: CdsHooksOptions): Adapter {
  const { endpoint: given, authorization, display: givenDisplay } = splitCredentials(options.url);
  const { serviceUrl: endpoint, discoveryUrl, serviceId } = serviceUrlParts(given);
  const { serviceUrl: display, discoveryUrl: discoveryDisplay } = serviceUrlParts(givenDisplay);
  const hook = options.hook ?? 'order-sign';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization) headers.authorization = authorization;
  const discoveryTimeoutMs = options.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;

  let discovered: Promise<DiscoveredService> | undefined;
  const discover = (): Promise<DiscoveredService> => {
    discovered ??= runDiscovery().catch((error: unknown) => {
      // A discovery that did not get an answer is tried again by the next call.
      if (!(error instanceof AdapterError) || error.type !== 'invalid-response') discovered = undefined;
      throw error;
    });
    return discovered;
  };

  const runDiscovery = async (): Promise<DiscoveredService> => {
    const signal = AbortSignal.timeout(discoveryTimeoutMs);
    const what = `GET ${discoveryDisplay}`;
    const { json, status } = await exchange(discoveryUrl, { method: 'GET', headers, signal, redirect: 'manual' }, signal, what);
    const parsed = DiscoveryDocument.safeParse(json);
    if (!parsed.success) {
      throw new AdapterError('invalid-response', `${what}: not a CDS Hooks discovery document: ${shortZodMessage(parsed.error)}`, {
        status,
        cause: parsed.error,
      });
    }
    const ids = parsed.data.services.map((s) => `${s.id} (${s.hook})`);
    const service = parsed.data.services.find((s) => s.id === serviceId);
    if (!service) {
      throw new AdapterError('invalid-response', `${what} lists no service "${serviceId}" (services: ${ids.join(', ') || 'none'})`, { status });
    }
    if (service.hook !== hook) {
      throw new AdapterError('invalid-response', `${what}: service "${serviceId}" answers hook "${service.hook}", not "${hook}"`, { status });
    }
    return { id: service.id, hook: service.hook, prefetch: service.prefetch ?? {} };
  };

  return {
    kind: 'cds-hooks',
    async health(): Promise<void> {
      await discover();
    },
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      const what = `POST ${display}`;
      if (signal.aborted) throw abortFailure(signal, what);
      const service = await untilAborted(discover(), signal, what);

      const body = orderSignRequest(input.bundle, service.prefetch, {
        hook,
        hookInstance: randomUUID(),
        ...(options.fhirServer === undefined ? {} : { fhirServer: options.fhirServer }),
      });
      const { json, status } = await exchange(
        endpoint,
        { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body), signal, redirect: 'manual' },
        signal,
        what,
      );
      const reply = CdsReply.safeParse(json);
      if (!reply.success) {
        throw new AdapterError('invalid-response', `not a valid CDS Hooks response: ${shortZodMessage(reply.error)}`, { status, cause: reply.error });
      }
      const cards = (json as { cards: unknown[] }).cards;
      const summaries = reply.data.cards.map((c) => c.summary);
      let prediction: Prediction;
      try {
        prediction = validatePrediction({
          cards,
          label: cards.some(isAlert) ? 1 : 0,
          ...(summaries.length > 0 ? { text: summaries.join(' | ') } : {}),
        });
      } catch (error) {
        if (error instanceof AdapterError) throw new AdapterError(error.type, error.message, { ...error.details, status });
        throw error;
      }
      recordStatus(prediction, status);
      return prediction;
    },
  };
}

/**
 * `…/cds-services/{id}` → the service URL (a trailing slash dropped, any query kept), the discovery URL
 * `…/cds-services` (no query) and the id. Throws a plain Error on another shape.
 */
export function serviceUrlParts(url: string): { serviceUrl: string; discoveryUrl: string; serviceId: string } {
  const parsed = new URL(url);
  const match = /^(.*\/cds-services)\/([^/]+)\/?$/.exec(parsed.pathname);
  if (!match) throw new Error(`CDS Hooks service URL must end in /cds-services/{id}, got ${parsed.origin}${parsed.pathname}`);
  const service = new URL(parsed.href);
  service.pathname = `${match[1]}/${match[2]}`;
  service.hash = '';
  const discovery = new URL(service.href);
  discovery.pathname = match[1]!;
  discovery.search = '';
  return { serviceUrl: service.href, discoveryUrl: discovery.href, serviceId: decodeURIComponent(match[2]!) };
}

// ---- Wire schemas -------------------------------------------------------------------------------

const DiscoveryDocument = z.object({
  services: z.array(
    z.object({
      hook: z.string(),
      id: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      prefetch: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

interface DiscoveredService {
  readonly id: string;
  readonly hook: string;
  readonly prefetch: Readonly<Record<string, string>>;
}

/** A CDS Hooks response: cards (each validated) and optional system actions. */
export const CdsReply = z.object({ cards: z.array(Card), systemActions: z.array(z.unknown()).optional() });

// ---- The request --------------------------------------------------------------------------------

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
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortFailure(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    aborted.catch(() => {});
  }
}

/** One HTTP exchange whose answer must be a 2xx JSON body; failures typed as in the table above. */
async function exchange(url: string, init: RequestInit, signal: AbortSignal, what: string): Promise<{ json: unknown; status: number }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw fetchFailure(error, signal, what);
  }
  const { status } = response;
  if (status < 200 || status > 299) {
    await response.body?.cancel().catch(() => {});
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw new AdapterError('http-status', `${what} answered HTTP ${status}`, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw new AdapterError('invalid-response', `${what}: reply of ${declared} bytes exceeds ${MAX_RESPONSE_BYTES}`, { status });
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    throw fetchFailure(error, signal, what);
  }
  if (body.length > MAX_RESPONSE_BYTES) throw new AdapterError('invalid-response', `${what}: reply exceeds ${MAX_RESPONSE_BYTES} bytes`, { status });
  if (body.trim() === '') throw new AdapterError('invalid-response', `${what}: HTTP ${status} reply has an empty body, expected JSON`, { status });
  try {
    return { json: JSON.parse(body) as unknown, status };
  } catch (error) {
    const type = response.headers.get('content-type') ?? 'no content-type';
    throw new AdapterError('invalid-response', `${what}: reply is not JSON (${type.slice(0, 80)})`, { status, cause: error });
  }
}

function fetchFailure(error: unknown, signal: AbortSignal, what: string): AdapterError {
  if (signal.aborted) return abortFailure(signal, what);
  return new AdapterError('transport', `${what} failed: ${networkCode(error)}`, { cause: error });
}

/** The most specific code undici gives (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, …). */
function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (current instanceof AggregateError && current.errors[0] instanceof Error) {
      current = current.errors[0];
      continue;
    }
    current = current.cause;
  }
  return error instanceof Error ? error.message.slice(0, 120) : 'network error';
}
