import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { LatencyHistogram } from './histogram.ts';
import type { Schedule } from './schedule.ts';

/**
 * The open-model scheduler. Requests are sent at the times a schedule gives, whether or not earlier
 * ones have been answered, and each latency is measured from the request's *intended* send time:
 * a stall of the target (or of the generator) shows up in the latency of every request that was
 * due during it, instead of silently delaying the requests that would have seen it (coordinated
 * omission). The in-flight cap bounds memory: a request due while it is reached is not sent and is
 * counted as dropped. Every phase is bounded by its schedule's count and, after the last send, by
 * one timeout plus a grace period.
 */

/** What sending one request gave. `status` is set when a reply (of any status) was received. */
export interface SendResult {
  readonly ok: boolean;
  readonly status?: number;
  /** Failure type (`timeout`, `transport`, `http-status`, `invalid-response`, …) when not ok. */
  readonly errorType?: string;
}

/** Sends one request; must give up when `signal` aborts (its reason is a `TimeoutError` at the deadline). */
export type Send<B> = (body: B, signal: AbortSignal) => Promise<SendResult>;

/** One request's facts, for tests and diagnostics (times in ms from the phase start). */
export interface Sample {
  readonly index: number;
  readonly intendedMs: number;
  readonly sentMs: number;
  readonly endMs: number;
  /** endMs − intendedMs. */
  readonly latencyMs: number;
  readonly ok: boolean;
  readonly status: number | undefined;
  readonly errorType: string | undefined;
}

export interface OpenModelOptions<B> {
  readonly schedule: Schedule;
  /** Request bodies, cycled in order. */
  readonly bodies: readonly B[];
  readonly send: Send<B>;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  /** Aborting it stops the phase at once and aborts the requests in flight (an interrupted run). */
  readonly signal?: AbortSignal;
  readonly onSample?: (sample: Sample) => void;
  /**
   * The last stretch before a send time is waited by yielding to the event loop (I/O keeps being
   * served) instead of a timer, whose granularity is a millisecond. Default 1.5 ms; 0 uses timers only.
   */
  readonly spinMs?: number;
  /** Extra wait for stragglers after the last deadline before they are counted as timeouts. Default 1000 ms. */
  readonly graceMs?: number;
}

export interface OpenModelResult {
  /** Requests sent. */
  readonly sent: number;
  /** Sent requests whose outcome is known (replies, errors, timeouts); less than `sent` only when interrupted. */
  readonly finished: number;
  /** Requests that were answered with a reply of any status. */
  readonly replies: number;
  readonly ok: number;
  readonly dropped: number;
  /** From the start to the later of the schedule's end and the last outcome. */
  readonly durationMs: number;
  /** Latency from the intended send time of every reply and every timeout. */
  readonly latency: LatencyHistogram;
  /** Actual minus intended send time of every sent request. */
  readonly schedulingError: LatencyHistogram;
  /** Failures by type; timeouts are type `timeout`. */
  readonly errors: Readonly<Record<string, number>>;
  readonly interrupted: boolean;
}

export interface RunningOpenModel {
  /** Stops sending; requests in flight finish (within their timeout). */
  stop(): void;
  readonly done: Promise<OpenModelResult>;
}

/** Sends due at once before the loop yields to I/O. */
const BURST = 64;

function timeoutReason(): Error {
  return new DOMException('the load request deadline passed', 'TimeoutError');
}

export function runOpenModel<B>(options: OpenModelOptions<B>): RunningOpenModel {
  const { schedule, bodies, send, timeoutMs, maxInFlight, signal } = options;
  if (bodies.length === 0) throw new RangeError('the open model needs at least one request body');
  if (!(maxInFlight >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${maxInFlight}`);
  const spinMs = options.spinMs ?? 1.5;
  const graceMs = options.graceMs ?? 1_000;

  const latency = new LatencyHistogram();
  const schedulingError = new LatencyHistogram();
  const errors: Record<string, number> = {};
  const inFlight = new Map<number, { controller: AbortController; timer: NodeJS.Timeout; settle: (r: SendResult) => void }>();
  let sent = 0;
  let finished = 0;
  let replies = 0;
  let ok = 0;
  let dropped = 0;
  let lastOutcomeMs = 0;
  let stopped = false;
  let interrupted = false;
  const wake = new AbortController();
  let drained: (() => void) | undefined;

  const stop = (): void => {
    stopped = true;
    wake.abort();
  };
  const onAbort = (): void => {
    interrupted = true;
    stop();
    for (const { controller } of inFlight.values()) controller.abort(signal?.reason);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const t0 = performance.now();

  function fire(index: number, intendedMs: number): void {
    const sentMs = performance.now() - t0;
    schedulingError.record(sentMs - intendedMs);
    sent++;
    const controller = new AbortController();
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(timeoutReason());
    }, timeoutMs);
    const settle = (result: SendResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight.delete(index);
      if (interrupted) {
        if (inFlight.size === 0) drained?.();
        return;
      }
      const endMs = performance.now() - t0;
      const latencyMs = endMs - intendedMs;
      finished++;
      lastOutcomeMs = Math.max(lastOutcomeMs, endMs);
      // An answer without a transport status (an in-process target) is a reply all the same.
      const replied = result.status !== undefined || result.ok;
      const errorType = timedOut ? 'timeout' : result.ok ? undefined : (result.errorType ?? (replied ? 'http-status' : 'transport'));
      if (replied && !timedOut) replies++;
      if (errorType === undefined) ok++;
      else errors[errorType] = (errors[errorType] ?? 0) + 1;
      // Transport failures without a reply (refused, reset) have no meaningful latency.
      if ((replied && !timedOut) || errorType === 'timeout') latency.record(latencyMs);
      options.onSample?.({ index, intendedMs, sentMs, endMs, latencyMs, ok: errorType === undefined, status: result.status, errorType });
      if (inFlight.size === 0) drained?.();
    };
    inFlight.set(index, { controller, timer, settle });
    let pending: Promise<SendResult>;
    try {
      pending = send(bodies[index % bodies.length]!, controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(settle, (error: unknown) => settle({ ok: false, errorType: typeOf(error) }));
  }

  async function waitUntil(intendedMs: number): Promise<void> {
    const remaining = intendedMs - (performance.now() - t0);
    if (remaining > spinMs + 1) {
      await sleep(remaining - spinMs, undefined, { signal: wake.signal }).catch(() => undefined);
    }
    // Bounded: ends at the send time, or at once when stopped.
    while (!stopped && performance.now() - t0 < intendedMs) await nextTurn();
  }

  async function main(): Promise<OpenModelResult> {
    const times = schedule.times();
    let index = 0;
    let burst = 0;
    for (let next = times.next(); !next.done && !stopped && index < schedule.total; next = times.next(), index++) {
      const intendedMs = next.value;
      if (intendedMs > performance.now() - t0) {
        burst = 0;
        await waitUntil(intendedMs);
        if (stopped) break;
      } else if (++burst >= BURST) {
        burst = 0;
        await nextTurn();
        if (stopped) break;
      }
      if (inFlight.size >= maxInFlight) dropped++;
      else fire(index, intendedMs);
    }
    const endOfSchedule = performance.now() - t0;

    // Drain: every request has its own deadline; a send that ignores its signal is given up on
    // after the deadline plus the grace period and counted as a timeout.
    if (inFlight.size > 0) {
      let limit: NodeJS.Timeout | undefined;
      const expired = await new Promise<boolean>((resolve) => {
        drained = () => resolve(false);
        limit = setTimeout(() => resolve(true), timeoutMs + graceMs);
      });
      clearTimeout(limit);
      if (expired) {
        for (const entry of [...inFlight.values()]) {
          entry.controller.abort(timeoutReason());
          entry.settle({ ok: false, errorType: 'timeout' });
        }
      }
    }
    signal?.removeEventListener('abort', onAbort);
    // A phase stopped early lasted until it was stopped; otherwise at least its schedule's length.
    const nominal = stopped ? endOfSchedule : schedule.durationMs;
    return {
      sent,
      finished,
      replies,
      ok,
      dropped,
      durationMs: Math.max(nominal, lastOutcomeMs),
      latency,
      schedulingError,
      errors,
      interrupted,
    };
  }

  return { stop, done: main() };
}

/** A thrown failure's type: its `type` property when it has a string one (AdapterError), else transport. */
function typeOf(error: unknown): string {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.length > 0 && type.length <= 40 ? type : 'transport';
}
