import type { z } from 'zod';
import { AdapterError, Prediction } from './adapter.ts';

/* Failure mapping shared by the adapters of this folder. */

/**
 * The AdapterError for a call whose signal aborted: `timeout` when the runner's deadline fired
 * (reason is an Error named `TimeoutError`, as `AbortSignal.timeout()` produces), else `transport`.
 */
export function abortFailure(signal: AbortSignal, what = 'call'): AdapterError {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new AdapterError('timeout', `${what} did not complete before the deadline`, { cause: reason });
  }
  return new AdapterError('transport', `${what} was aborted`, { cause: reason });
}

/** Validates a model's answer; anything that is not a Prediction fails with `invalid-response`. */
export function validatePrediction(value: unknown): Prediction {
  const parsed = Prediction.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AdapterError('invalid-response', `not a valid prediction: ${shortZodMessage(parsed.error)}`, {
    cause: parsed.error,
  });
}

/** One line, at most three issues, each as `path: message`. */
export function shortZodMessage(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return truncate(parts.join('; ') + more, 300);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return truncate(`${error.name}: ${error.message}`, 200);
  return truncate(String(error), 200);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Network codes of failures worth a retry: the connection was refused, reset, timed out while
 * connecting, or closed mid-reply (undici's `UND_ERR_SOCKET`), or DNS failed for now (`EAI_AGAIN`).
 * A certificate error, an unknown host (`ENOTFOUND`) or an error without a code would fail again.
 */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** A failed fetch: the deadline's or the run's abort, or a transport failure named by its code. */
export function fetchFailure(error: unknown, signal: AbortSignal, what: string): AdapterError {
  if (signal.aborted) return abortFailure(signal, what);
  const code = networkCode(error);
  const description = code ?? (error instanceof Error ? error.message.slice(0, 120) : 'network error');
  return new AdapterError('transport', `${what} failed: ${description}`, { ...(code === undefined ? {} : { code }), cause: error });
}

/** The most specific code undici gives (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, …), if any. */
export function networkCode(error: unknown): string | undefined {
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
  return undefined;
}

/** Settles with `promise`, or rejects with the signal's abort failure as soon as it aborts (the work itself is shared and goes on). */
export async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
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

/**
 * `load` run once, its promise shared by every later call (the kserve metadata, the CDS Hooks
 * discovery). A failure that got no answer (anything but `invalid-response`) is forgotten, so the
 * next call tries again; an answer that did not fit is kept.
 */
export function onceUnlessUnanswered<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () =>
    (cached ??= load().catch((error: unknown) => {
      if (!(error instanceof AdapterError) || error.type !== 'invalid-response') cached = undefined;
      throw error;
    }));
}
