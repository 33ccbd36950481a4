import { setTimeout as sleep } from 'node:timers/promises';
import { AdapterError, statusOf, type Adapter, type FailureType, type ModelInput, type Prediction } from '../../adapters/adapter.ts';
import { TRANSIENT_NETWORK_CODES } from '../../adapters/failures.ts';
import type { AttemptGate, Congestion } from './call-gate.ts';
import type { Outcome } from './journal-record.ts';

export interface CallPolicy {
  readonly timeoutMs: number;
  readonly retries: number;
}

export interface CallOptions {
  /** Every attempt, retries included, waits here for a slot and a start time (call-gate.ts). */
  readonly gate?: AttemptGate;
  /** The jitter's source, in [0, 1); injected by tests. */
  readonly random?: () => number;
}

export interface CallResult {
  readonly outcome: Outcome;
  readonly attempts: number;
  readonly status: number | null;
  readonly latencyMs: number | null;
  readonly error: string | null;
  readonly failure: FailureType | null;
  readonly output: Prediction | null;
}

const OUTCOME: Record<FailureType, Outcome> = {
  transport: 'error',
  'http-status': 'error',
  timeout: 'timeout',
  'invalid-response': 'invalid',
};

const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;
const RETRY_AFTER_CAP_MS = 30_000;

/**
 * Only infrastructure hiccups are retried: a connection refused, reset or closed mid-reply (a
 * transport failure whose network code is in TRANSIENT_NETWORK_CODES) and 429/502/503/504. A model
 * that is slow or wrong is measured, not retried; nor is a transport failure that would fail again
 * (a certificate error, an unknown host, an in-process `predict()` that threw, an abort).
 */
export function isTransient(error: AdapterError): boolean {
  if (error.type === 'transport') return error.details.code !== undefined && TRANSIENT_NETWORK_CODES.has(error.details.code);
  return error.type === 'http-status' && TRANSIENT_STATUS.has(error.details.status ?? 0);
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(5 s, 100 ms · 2^(attempt − 1))), so
 * calls that failed together do not retry together. A server's Retry-After wins when it gives one.
 */
export function backoffMs(attempt: number, error: AdapterError, random: () => number = Math.random): number {
  if (error.details.retryAfterMs !== undefined) return Math.min(error.details.retryAfterMs, RETRY_AFTER_CAP_MS);
  return random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

/** Only a 429 says the target is overloaded; the adaptive limit ignores every other failure. */
function congestionOf(error: AdapterError): Congestion {
  return error.type === 'http-status' && error.details.status === 429 ? 'throttled' : 'other';
}

/** A throw that is not an AdapterError (an adapter's bug) is journalled as `transport`, with no code: never retried. */
function asAdapterError(error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  return new AdapterError('transport', error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * One call under the target's policy: each attempt passes the gate (slot, rate) and gets its own
 * deadline, transient failures are retried up to `retries` times. The backoff is spent outside the
 * gate, so a waiting call holds no slot. The latency is that of the last attempt: the time the
 * answer took.
 */
export async function callWithPolicy(
  adapter: Adapter,
  input: ModelInput,
  policy: CallPolicy,
  runSignal: AbortSignal,
  options: CallOptions = {},
): Promise<CallResult> {
  for (let attempt = 1; ; attempt++) {
    const permit = await options.gate?.enter(runSignal);
    const signal = AbortSignal.any([runSignal, AbortSignal.timeout(policy.timeoutMs)]);
    const started = performance.now();
    try {
      const output = await adapter.invoke(input, { signal, attempt });
      const latencyMs = performance.now() - started;
      permit?.done('answered');
      return { outcome: 'ok', attempts: attempt, status: statusOf(output) ?? null, latencyMs, error: null, failure: null, output };
    } catch (thrown) {
      const latencyMs = performance.now() - started;
      const error = asAdapterError(thrown);
      permit?.done(congestionOf(error));
      if (attempt <= policy.retries && isTransient(error) && !runSignal.aborted) {
        await sleep(backoffMs(attempt, error, options.random), undefined, { signal: runSignal }).catch(() => undefined);
        if (!runSignal.aborted) continue;
      }
      return {
        outcome: OUTCOME[error.type],
        attempts: attempt,
        status: error.details.status ?? null,
        latencyMs: error.type === 'timeout' ? null : latencyMs,
        error: `${error.type}: ${error.message}`,
        failure: error.type,
        output: null,
      };
    }
  }
}
