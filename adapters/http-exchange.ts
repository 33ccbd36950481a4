import { AdapterError } from './adapter.ts';
import { fetchFailure } from './failures.ts';
import { secretScrubber, secretsOf } from './scrub.ts';

/*
 * One HTTP exchange whose answer must be a 2xx JSON body, shared by every HTTP adapter so that a
 * refused connection, a 503 or a truncated reply is typed the same whatever the protocol.
 *
 * | what happens                                                  | FailureType        | details              |
 * | ------------------------------------------------------------- | ------------------ | -------------------- |
 * | refused, reset, DNS failure, socket closed mid-reply           | `transport`        | code (when fetch gave one) |
 * | the signal aborts with a `TimeoutError` reason (the deadline)  | `timeout`          |                      |
 * | the signal aborts for another reason                           | `transport`        |                      |
 * | status outside 200–299 (redirects are not followed)           | `http-status`      | status, retryAfterMs |
 * | body empty, not JSON, larger than MAX_RESPONSE_BYTES           | `invalid-response` | status               |
 *
 * An error body's message is scrubbed of the request's credentials (scrub.ts) before it is cut to
 * 200 characters, so that neither a whole key nor a cut piece of one reaches the message.
 */

/** Replies larger than this are refused as `invalid-response` rather than buffered. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface ExchangeRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  /** How error messages name the request, e.g. `POST http://host/path` (never credentials). */
  readonly what: string;
}

export interface ExchangeOptions {
  /**
   * The protocol's error message in a parsed error body (KServe V2 `{ "error" }`, MLflow
   * `{ "error_code", "message" }`), added to the `http-status` failure: it is what tells a user why
   * a model refused a request. Without it, error bodies are not read.
   */
  readonly errorMessage?: (body: unknown) => string | undefined;
  /**
   * `allowed`: a 2xx reply with an empty body resolves with `json: undefined` (health probes: the V2
   * health API answers an empty body, MLflow's /ping a newline).
   */
  readonly emptyBody?: 'allowed' | 'invalid';
}

export interface ExchangeReply {
  /** The parsed body; undefined only for an empty body when `emptyBody` is `allowed`. */
  readonly json: unknown;
  readonly status: number;
  readonly headers: Headers;
}

/** Error bodies longer than this are not read for a message. */
const ERROR_BODY_BYTES = 16 * 1024;

export async function exchangeJson(request: ExchangeRequest, options: ExchangeOptions = {}): Promise<ExchangeReply> {
  const { signal, what } = request;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal,
      redirect: 'manual',
    });
  } catch (error) {
    throw fetchFailure(error, signal, what);
  }
  const { status } = response;
  if (status < 200 || status > 299) {
    // The request's own credentials, for an error body that echoes them (an auth proxy quoting the key).
    const scrub = (text: string): string => secretScrubber({}, secretsOf(request.headers, request.url)).text(text);
    const detail = options.errorMessage ? await errorDetail(response, options.errorMessage, scrub) : undefined;
    if (!options.errorMessage) await response.body?.cancel().catch(() => {});
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw new AdapterError('http-status', `${what} answered HTTP ${status}${detail ? `: ${detail}` : ''}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
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
  if (body.trim() === '') {
    if (options.emptyBody === 'allowed') return { json: undefined, status, headers: response.headers };
    throw new AdapterError('invalid-response', `${what}: HTTP ${status} reply has an empty body, expected JSON`, { status });
  }
  try {
    return { json: JSON.parse(body) as unknown, status, headers: response.headers };
  } catch (error) {
    const type = response.headers.get('content-type') ?? 'no content-type';
    throw new AdapterError('invalid-response', `${what}: reply is not JSON (${type.slice(0, 80)})`, { status, cause: error });
  }
}

/**
 * The protocol's message in an error body, scrubbed of `scrub`'s secrets, on one line and at most
 * 200 characters; undefined when the body is too large, unreadable, not JSON or holds no message.
 * Never throws: the status alone already types the failure.
 */
async function errorDetail(
  response: Response,
  message: (body: unknown) => string | undefined,
  scrub: (text: string) => string,
): Promise<string | undefined> {
  const text = await boundedText(response, ERROR_BODY_BYTES);
  if (text === undefined) return undefined;
  try {
    const found = message(JSON.parse(text) as unknown);
    if (found === undefined) return undefined;
    // Scrubbed before the cut: a key cut at the limit would no longer match in full.
    const line = scrub(found).replace(/\s+/g, ' ').trim();
    return line.length <= 200 ? line : `${line.slice(0, 199)}…`;
  } catch {
    return undefined;
  }
}

/** The body as UTF-8 when it holds at most `limit` bytes, else undefined (the rest is not read). */
async function boundedText(response: Response, limit: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Re-throws an AdapterError raised while reading a reply with the reply's HTTP status attached. */
export function withStatus(error: unknown, status: number): unknown {
  if (error instanceof AdapterError && error.details.status === undefined) {
    return new AdapterError(error.type, error.message, { ...error.details, status });
  }
  return error;
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

/**
 * `url` with `segment` appended to its path, query kept: `https://h/v1?api-version=2` +
 * `chat/completions` → `https://h/v1/chat/completions?api-version=2` (a string join would put the
 * segment inside the query). The fragment is dropped: it never reaches a server.
 */
export function appendPath(url: string, segment: string): string {
  const parsed = new URL(url);
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/${segment.replace(/^\/+/, '')}`;
  parsed.hash = '';
  return parsed.href;
}
