import type { TargetOf } from '../simulator/targets/index.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction } from './adapter.ts';
import { getPath, parsePath } from './json-path.ts';
import { abortFailure, validatePrediction } from './failures.ts';
import { exchangeJson, splitCredentials, withStatus } from './http-exchange.ts';
import { fillTemplate } from './request-template.ts';

/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type HttpJsonOptions = Pick<TargetOf<'http-json'>, 'url' | 'response' | 'request'> & {
  /** Extra headers, e.g. credentials (adapters/auth.ts). */
  readonly headers?: Readonly<Record<string, string>>;
};

/** The wire form of an http-json target's requests: what the adapter sends, for anyone replaying it. */
export interface HttpJsonRequest {
  /** The URL without userinfo. */
  readonly endpoint: string;
  /** Origin and path, for messages (no credentials, no query). */
  readonly display: string;
  readonly headers: Readonly<Record<string, string>>;
  body(input: ModelInput): string;
}

const FIELDS = ['score', 'label', 'text'] as const;
type Field = (typeof FIELDS)[number];

/**
 * How an http-json target's requests look on the wire: the case's FHIR Bundle as
 * `application/fhir+json`, or, with `request.body`, the filled-in template as `application/json`.
 * Credentials in the URL (`https://user:pass@host/…`) go in an `Authorization: Basic` header;
 * `headers` (the target's `auth`) come last and win.
 */
export function httpJsonRequest(options: Pick<HttpJsonOptions, 'url' | 'request' | 'headers'>): HttpJsonRequest {
  const { endpoint, authorization, display } = splitCredentials(options.url);
  const template = options.request?.body;
  const headers: Record<string, string> = {
    'content-type': template === undefined ? 'application/fhir+json' : 'application/json',
    accept: 'application/json, application/fhir+json;q=0.9',
    ...(authorization ? { authorization } : {}),
    ...options.headers,
  };
  const body = template === undefined
    ? (input: ModelInput) => JSON.stringify(input.bundle)
    : (input: ModelInput) => JSON.stringify(fillTemplate(template, input));
  return { endpoint, display, headers, body };
}

/**
 * Generic HTTP JSON adapter: POSTs each case (httpJsonRequest) and maps the JSON reply to a
 * Prediction through dotted paths (default: top-level `score`, `label`, `text`).
 *
 * Failures are typed as every HTTP adapter types them (http-exchange.ts); besides those, JSON
 * without any mapped field, or not a valid Prediction, is `invalid-response` with the status.
 * Error messages name the target by origin and path only, never userinfo or query string.
 */
export function httpJsonAdapter(options: HttpJsonOptions): Adapter {
  const request = httpJsonRequest(options);
  const paths = Object.fromEntries(
    FIELDS.map((field) => [field, parsePath(options.response?.[field] ?? field)]),
  ) as Record<Field, string[]>;
  const what = `POST ${request.display}`;

  return {
    kind: 'http-json',
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      if (signal.aborted) throw abortFailure(signal, what);
      const { json, status } = await exchangeJson({ url: request.endpoint, method: 'POST', headers: request.headers, body: request.body(input), signal, what });

      const mapped: Record<string, unknown> = {};
      for (const field of FIELDS) {
        const value = getPath(json, paths[field]);
        if (value !== undefined && value !== null) mapped[field] = value;
      }
      if (Object.keys(mapped).length === 0) {
        const expected = FIELDS.map((f) => paths[f].join('.')).join(', ');
        throw new AdapterError('invalid-response', `reply has none of the mapped fields (${expected})`, { status });
      }
      let prediction: Prediction;
      try {
        prediction = validatePrediction(mapped);
      } catch (error) {
        throw withStatus(error, status);
      }
      recordStatus(prediction, status);
      return prediction;
    },
  };
}
