import type { Target } from '../simulator/scenario.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction } from './adapter.ts';
import { getPath, parsePath } from './json-path.ts';
import { abortFailure, fetchFailure, validatePrediction } from './failures.ts';

export type HttpJsonTarget = Extract<Target, { adapter: 'http-json' }>;
/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type HttpJsonOptions = Pick<HttpJsonTarget, 'url' | 'response'>;

/** Replies larger than this are refused as `invalid-response` rather than buffered. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const FIELDS = ['score', 'label', 'text'] as const;
type Field = (typeof FIELDS)[number];


/**
 * Generic HTTP JSON adapter: POSTs the case's FHIR Bundle as `application/fhir+json` and maps the
 * JSON reply to a Prediction through dotted paths (default: top-level `score`, `label`, `text`).
 *
 * | what happens                                                 | FailureType        | details             |
 * | ------------------------------------------------------------ | ------------------ | ------------------- |
 * | refused, reset, DNS failure, socket closed mid-reply         | `transport`        |                     |
 * | ctx.signal aborts with a `TimeoutError` reason (the deadline) | `timeout`          |                     |
 * | ctx.signal aborts for another reason                          | `transport`        |                     |
 * | status outside 200–299 (redirects are not followed)          | `http-status`      | status, retryAfterMs |
 * | body empty, not JSON, too large                               | `invalid-response` | status              |
 * | JSON without any mapped field, or not a valid Prediction      | `invalid-response` | status              |
 *
 * Credentials in the URL (`https://user:pass@host/…`) are sent as an `Authorization: Basic` header;
 * error messages name the target by origin and path only, never userinfo or query string.
 */
export function httpJsonAdapter(options: HttpJsonOptions): Adapter {
  const { endpoint, authorization, display } = splitCredentials(options.url);
  const paths = Object.fromEntries(
    FIELDS.map((field) => [field, parsePath(options.response?.[field] ?? field)]),
  ) as Record<Field, string[]>;
  const headers: Record<string, string> = {
    'content-type': 'application/fhir+json',
    accept: 'application/json, application/fhir+json;q=0.9',
  };
  if (authorization) headers.authorization = authorization;

  return {
    kind: 'http-json',
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      if (signal.aborted) throw abortFailure(signal, `POST ${display}`);

      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify(input.bundle),
          signal,
          redirect: 'manual',
        });
      } catch (error) {
        throw fetchFailure(error, signal, `POST ${display}`);
      }
      const { status } = response;

      if (status < 200 || status > 299) {
        await response.body?.cancel().catch(() => {});
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        throw new AdapterError('http-status', `POST ${display} answered HTTP ${status}`, {
          status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }

      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > MAX_RESPONSE_BYTES) {
        await response.body?.cancel().catch(() => {});
        throw new AdapterError('invalid-response', `reply of ${declared} bytes exceeds ${MAX_RESPONSE_BYTES}`, {
          status,
        });
      }
      let body: string;
      try {
        body = await response.text();
      } catch (error) {
        throw fetchFailure(error, signal, `POST ${display}`);
      }
      if (body.length > MAX_RESPONSE_BYTES) {
        throw new AdapterError('invalid-response', `reply exceeds ${MAX_RESPONSE_BYTES} bytes`, { status });
      }
      if (body.trim() === '') {
        throw new AdapterError('invalid-response', `HTTP ${status} reply has an empty body, expected JSON`, { status });
      }

      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch (error) {
        const type = response.headers.get('content-type') ?? 'no content-type';
        throw new AdapterError('invalid-response', `reply is not JSON (${type.slice(0, 80)})`, {
          status,
          cause: error,
        });
      }

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
        if (error instanceof AdapterError) {
          throw new AdapterError(error.type, error.message, { ...error.details, status });
        }
        throw error;
      }
      recordStatus(prediction, status);
      return prediction;
    },
  };
}

/**
 * Retry-After as milliseconds from now: delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`; a date in the past gives 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined; // not a date either, e.g. "-5" or "1.5"
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A URL without userinfo, the Basic credentials it carried, and a display form without query. */
export function splitCredentials(url: string): { endpoint: string; authorization?: string; display: string } {
  const parsed = new URL(url);
  let authorization: string | undefined;
  if (parsed.username || parsed.password) {
    const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  const display = `${parsed.origin}${parsed.pathname}`;
  return authorization ? { endpoint: parsed.href, authorization, display } : { endpoint: parsed.href, display };
}
