import { Client, type FhirResource as KitResource } from 'fhir-kit-client';
import type { TaskName } from '../simulator/case.ts';
import type { TargetOf } from '../simulator/targets/index.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction } from './adapter.ts';
import { abortFailure, fetchFailure } from './failures.ts';
import { outcomeText, predictionOfOperation } from './fhir-answer.ts';
import { appendPath, parseRetryAfter, splitCredentials, withStatus } from './http-exchange.ts';
import { secretScrubber, secretsOf } from './scrub.ts';

type FhirTarget = TargetOf<'fhir'>;
/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type FhirOptions = Pick<FhirTarget, 'url'> & Partial<Pick<FhirTarget, 'operation' | 'parameter' | 'response'>> & {
  /** Extra headers, e.g. credentials (adapters/auth.ts). */
  readonly headers?: Readonly<Record<string, string>>;
};

/** The operation a target calls when it names none: the reference sepsis model answers `$sepsis-risk`. */
export const DEFAULT_OPERATION: Readonly<Record<TaskName, string>> = {
  sepsis: '$sepsis-risk',
  'note-triage': '$triage',
  'med-safety': '$med-safety',
};

type Loose = Record<string, unknown>;
const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A model exposed as a FHIR operation, called with fhir-kit-client: `POST [base]/$operation`
 * (`Content-Type: application/fhir+json`) with
 * `{ resourceType: 'Parameters', parameter: [{ name: 'bundle', resource: <the case's Bundle> }] }`.
 *
 * The answer (fhir-answer.ts) is a Parameters resource whose `score` (valueDecimal), `label`
 * (valueInteger, valueCode, valueString or valueBoolean) and `text` (valueString) parameters become
 * the Prediction (other names through `target.response`), or a RiskAssessment, directly or as the
 * `return` parameter, whose `prediction[0].probabilityDecimal` is the score.
 *
 * Failure mapping (the same types as every HTTP adapter):
 *
 * | what happens                                                     | FailureType        | details              |
 * | ---------------------------------------------------------------- | ------------------ | -------------------- |
 * | refused, reset, DNS failure, socket closed mid-reply             | `transport`        |                      |
 * | ctx.signal aborts with a `TimeoutError` reason (the deadline)    | `timeout`          |                      |
 * | ctx.signal aborts for another reason                             | `transport`        |                      |
 * | status outside 200–299 (an OperationOutcome's issues in the message) | `http-status`  | status, retryAfterMs |
 * | 2xx body not JSON; not Parameters/RiskAssessment; a 2xx OperationOutcome; a parameter of the wrong type | `invalid-response` | status |
 *
 * fhir-kit-client (2.x) passes `options.signal` to fetch, so the deadline aborts the connection
 * and the reading of the body alike: a hanging server frees the call at the deadline. It reads
 * the whole body before parsing (no size cap, unlike the other HTTP adapters). Its `debug`
 * logging (`DEBUG=fhir-kit-client:*`) prints request headers, credentials included: leave it off.
 */
export function fhirAdapter(options: FhirOptions): Adapter {
  const { endpoint, authorization, display } = splitCredentials(options.url);
  const headers = { ...(authorization ? { authorization } : {}), ...options.headers };
  // Requests go to absolute URLs built with appendPath (fhir-kit-client joins its baseUrl as a
  // string, which would put the operation after a query string); baseUrl is only its required setting.
  const client = new Client({ baseUrl: endpoint, customHeaders: headers });
  const names = { score: options.response?.score ?? 'score', label: options.response?.label ?? 'label', text: options.response?.text ?? 'text' };
  const parameter = options.parameter ?? 'bundle';
  const base = display.replace(/\/+$/, '');
  const scrub = secretScrubber(headers, secretsOf({}, options.url));

  return {
    kind: 'fhir',
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      const operation = options.operation ?? DEFAULT_OPERATION[input.task];
      const what = `POST ${base}/${operation}`;
      if (signal.aborted) throw abortFailure(signal, what);
      const body = { resourceType: 'Parameters', parameter: [{ name: parameter, resource: input.bundle }] };
      let reply: KitResource;
      try {
        // As fhir-kit-client's operation() names it: `$` prefixed when the target left it out.
        reply = await client.request(appendPath(endpoint, operation.startsWith('$') ? operation : `$${operation}`), {
          method: 'POST',
          body: body as KitResource,
          options: { signal, headers: { 'content-type': 'application/fhir+json' } },
        });
      } catch (error) {
        throw scrub.error(failureOf(error, signal, what, scrub.text));
      }
      const status = Client.httpFor(reply).response?.status ?? 200;
      let prediction: Prediction;
      try {
        prediction = predictionOfOperation(reply, names, scrub.text);
      } catch (error) {
        throw withStatus(scrub.error(error), status);
      }
      if (prediction.text !== undefined) prediction = { ...prediction, text: scrub.text(prediction.text) };
      recordStatus(prediction, status);
      return prediction;
    },
  };
}

/**
 * A rejection of fhir-kit-client as a typed failure. It rejects with an Error carrying
 * `response: { status, data }` for a non-2xx status or a body that is not JSON (whatever the
 * status), and with fetch's own error for transport failures and aborts.
 */
export function failureOf(error: unknown, signal: AbortSignal, what: string, scrub: (text: string) => string = (text) => text): AdapterError {
  if (signal.aborted) return abortFailure(signal, what);
  const response = isRecord(error) && isRecord(error.response) ? error.response : undefined;
  if (response && typeof response.status === 'number') {
    const status = response.status;
    if (status >= 200 && status <= 299) return new AdapterError('invalid-response', `${what}: HTTP ${status} reply is not JSON`, { status, cause: error });
    const outcome = outcomeText(response.data, scrub);
    const config = isRecord(error) && isRecord(error.config) ? error.config : undefined;
    const retryAfterMs = config?.headers instanceof Headers ? parseRetryAfter(config.headers.get('retry-after')) : undefined;
    return new AdapterError('http-status', `${what} answered HTTP ${status}${outcome ? `: OperationOutcome ${outcome}` : ''}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      cause: error,
    });
  }
  return fetchFailure(error, signal, what);
}
