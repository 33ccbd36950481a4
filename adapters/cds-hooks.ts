import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { TargetOf } from '../simulator/targets/index.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction } from './adapter.ts';
import { Card, isAlert } from './cds-card.ts';
import { abortFailure, onceUnlessUnanswered, shortZodMessage, validatePrediction, untilAborted } from './failures.ts';
import { orderSignRequest } from './cds-hooks-request.ts';
import { exchangeJson, splitCredentials, withStatus } from './http-exchange.ts';

export { draftOrderOfBundle, orderSignRequest, prefetchFromBundle, USER_ID, type OrderSignRequest } from './cds-hooks-request.ts';

type CdsHooksTarget = TargetOf<'cds-hooks'>;
/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type CdsHooksOptions = Pick<CdsHooksTarget, 'url'> & Partial<Pick<CdsHooksTarget, 'hook' | 'fhirServer'>> & {
  /** Extra headers, e.g. credentials (adapters/auth.ts). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of the discovery request (default 10 s). */
  readonly discoveryTimeoutMs?: number;
};

/** The user the adapter signs orders as (`context.userId`). */
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
  const headers: Record<string, string> = { accept: 'application/json', ...(authorization ? { authorization } : {}), ...options.headers };
  const discoveryTimeoutMs = options.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;

  // A discovery that did not get an answer is tried again by the next call.
  const discover = onceUnlessUnanswered(() => runDiscovery());

  const runDiscovery = async (): Promise<DiscoveredService> => {
    const signal = AbortSignal.timeout(discoveryTimeoutMs);
    const what = `GET ${discoveryDisplay}`;
    const { json, status } = await exchangeJson({ url: discoveryUrl, method: 'GET', headers, signal, what });
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
      const { json, status } = await exchangeJson({
        url: endpoint,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
        what,
      });
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
        throw withStatus(error, status);
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

