import type autocannon from 'autocannon';
import { LatencyHistogram } from './histogram.ts';
import type { Send, SendResult } from './open-model.ts';

/**
 * The closed model: a fixed number of connections, each sending its next request as soon as the
 * previous reply arrives. It is what measures raw throughput; its latencies suffer coordinated
 * omission (a stall delays the requests that would have seen it, so it is sampled once per
 * connection instead of once per request due), which is why latency SLOs use the open model.
 *
 * HTTP targets run on autocannon, replaying pre-serialised request bodies in the adapter's wire
 * encoding, one body after the other across all connections. Targets without an HTTP wire (an
 * in-process model) run a closed loop over the same `send` the open model uses.
 */

/** Pre-serialised HTTP requests: what an adapter puts on the wire for each case. */
export interface WireRequests {
  /** Without userinfo; credentials go in `headers.authorization`. */
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  /** Request bodies, replayed in order across all connections. */
  readonly bodies: readonly Buffer[];
}

export interface ClosedModelOptions {
  readonly connections: number;
  /** Exactly one of durationMs and amount. */
  readonly durationMs: number | null;
  readonly amount: number | null;
  /** Hard wall-time limit. */
  readonly maxDurationMs: number;
  /** Per-request deadline; autocannon counts it in seconds (at least 1). */
  readonly timeoutMs: number;
  /** Aborting it stops the phase. */
  readonly signal?: AbortSignal;
}

export interface ClosedModelResult {
  /** Requests with a known outcome: replies plus transport errors and timeouts. */
  readonly finished: number;
  readonly replies: number;
  readonly ok: number;
  /** From the start to the last outcome. */
  readonly durationMs: number;
  /** Service time of each reply (from write to reply); timeouts count as the timeout. */
  readonly latency: LatencyHistogram;
  readonly errors: Readonly<Record<string, number>>;
  readonly interrupted: boolean;
}

export interface RunningClosedModel {
  stop(): void;
  readonly done: Promise<ClosedModelResult>;
}

/**
 * The full HTTP/1.1 request of each body (request line, Host, keep-alive, the wire's headers,
 * Content-Length, body), built once and shared by every connection: memory does not grow with
 * the number of connections, and no request is rebuilt while the phase runs.
 */
export function prebuildRequests(wire: WireRequests): Buffer[] {
  const url = new URL(wire.url);
  const fixed = `${wire.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n${Object.entries(wire.headers)
    .filter(([name]) => !/^(host|connection|content-length)$/i.test(name))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}`;
  return wire.bodies.map((body) => Buffer.concat([Buffer.from(`${fixed}Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]));
}

/** What the hook below relies on: autocannon's Client writes `this.getRequestBuffer()` for each request. */
interface ClientInternals {
  getRequestBuffer?: () => Buffer;
}

/** autocannon options that replay `wire`, one body after the other across all connections. */
function replayOptions(wire: WireRequests, options: ClosedModelOptions): autocannon.Options {
  if (wire.bodies.length === 0) throw new RangeError('the closed model needs at least one request body');
  const prebuilt = prebuildRequests(wire);
  const bodies = wire.bodies;
  let next = 0;
  return {
    url: wire.url,
    method: wire.method,
    headers: { ...wire.headers },
    connections: options.amount === null ? options.connections : Math.min(options.connections, options.amount),
    ...(options.amount === null ? { duration: (options.durationMs ?? 10_000) / 1_000 } : { amount: options.amount }),
    timeout: Math.max(1, options.timeoutMs / 1_000),
    // The stop flag is read on each sample tick: a short interval ends the phase promptly.
    sampleInt: 100,
    setupClient: (client) => {
      const internals = client as unknown as ClientInternals;
      if (typeof internals.getRequestBuffer === 'function') {
        // Hand each send the next pre-built request (as fast as autocannon's static `requests`).
        internals.getRequestBuffer = () => prebuilt[next++ % prebuilt.length]!;
      } else {
        // Documented API, if the internals ever change: rebuilds each request (about 30% slower).
        client.setRequests([
          {
            setupRequest: (request) => {
              request.body = bodies[next++ % bodies.length];
              return request;
            },
          },
        ]);
      }
    },
  };
}

export function runClosedModel(wire: WireRequests, options: ClosedModelOptions): RunningClosedModel {
  const latency = new LatencyHistogram();
  let replies = 0;
  let ok = 0;
  let lastOutcome = 0;
  let interrupted = false;
  let t0 = performance.now();

  let instance: autocannon.Instance | undefined;
  let stopRequested = false;
  const stop = (): void => {
    stopRequested = true;
    instance?.stop();
  };
  const onAbort = (): void => {
    interrupted = true;
    stop();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const hardStop = setTimeout(stop, options.maxDurationMs);
  const cleanUp = (): void => {
    clearTimeout(hardStop);
    options.signal?.removeEventListener('abort', onAbort);
  };

  // autocannon takes about 0.1 s to load: only phases that use it pay for it.
  const done = import('autocannon').then(
    ({ default: run }) =>
      new Promise<ClosedModelResult>((resolve, reject) => {
        const finish = (error: unknown, result: autocannon.Result | undefined): void => {
          cleanUp();
          if (error || !result) {
            reject(error instanceof Error ? error : new Error(`autocannon failed: ${String(error)}`));
            return;
          }
          const errors: Record<string, number> = {};
          const add = (type: string, n: number): void => {
            if (n > 0) errors[type] = (errors[type] ?? 0) + n;
          };
          add('timeout', result.timeouts);
          add('transport', result.errors - result.timeouts);
          add('http-status', result.non2xx);
          if (result.timeouts > 0) latency.record(options.timeoutMs, result.timeouts);
          const failures = result.errors;
          resolve({
            finished: replies + failures,
            replies,
            ok,
            durationMs: Math.max(lastOutcome, failures > 0 ? performance.now() - t0 : 0),
            latency,
            errors,
            interrupted,
          });
        };
        t0 = performance.now();
        try {
          instance = run(replayOptions(wire, options), finish);
        } catch (error) {
          cleanUp();
          reject(error);
          return;
        }
        instance.on('response', (_client, statusCode, _bytes, responseTime) => {
          replies++;
          if (statusCode >= 200 && statusCode < 300) ok++;
          latency.record(responseTime);
          lastOutcome = performance.now() - t0;
        });
        if (stopRequested) instance.stop();
      }),
    (error: unknown) => {
      cleanUp();
      throw error;
    },
  );
  return { stop, done };
}

/**
 * The closed model over `send` (no HTTP wire): `connections` loops, each sending the next body as
 * soon as its previous request finished. Bounded by `amount` or `durationMs`, and by `maxDurationMs`.
 */
const GRACE_MS = 1_000;

export function runClosedLoop<B>(bodies: readonly B[], send: Send<B>, options: ClosedModelOptions): RunningClosedModel {
  if (bodies.length === 0) throw new RangeError('the closed model needs at least one request body');
  const latency = new LatencyHistogram();
  const errors: Record<string, number> = {};
  let finished = 0;
  let replies = 0;
  let ok = 0;
  let issued = 0;
  let lastOutcome = 0;
  let stopped = false;
  let interrupted = false;
  const active = new Set<AbortController>();
  const t0 = performance.now();
  const limitMs = Math.min(options.maxDurationMs, options.durationMs ?? Number.POSITIVE_INFINITY);
  const limit = setTimeout(() => (stopped = true), limitMs);
  const stop = (): void => {
    stopped = true;
  };
  const onAbort = (): void => {
    interrupted = true;
    stopped = true;
    for (const c of active) c.abort(options.signal?.reason);
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  async function connection(): Promise<void> {
    while (!stopped && (options.amount === null || issued < options.amount)) {
      const body = bodies[issued++ % bodies.length]!;
      const controller = new AbortController();
      active.add(controller);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new DOMException('the load request deadline passed', 'TimeoutError'));
      }, options.timeoutMs);
      // A send that ignores its signal is given up on a grace period after the deadline.
      let giveUp: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<SendResult>((resolve) => {
        giveUp = setTimeout(() => resolve({ ok: false, errorType: 'timeout' }), options.timeoutMs + GRACE_MS);
      });
      const started = performance.now();
      let result: SendResult;
      try {
        result = await Promise.race([send(body, controller.signal), gaveUp]);
      } catch (error) {
        const type = (error as { type?: unknown } | null)?.type;
        result = { ok: false, errorType: typeof type === 'string' ? type : 'transport' };
      }
      clearTimeout(timer);
      clearTimeout(giveUp);
      if (result.errorType === 'timeout') timedOut = true;
      active.delete(controller);
      if (interrupted) return;
      const end = performance.now();
      finished++;
      lastOutcome = end - t0;
      // An answer without a transport status (an in-process target) is a reply all the same.
      const replied = (result.status !== undefined || result.ok) && !timedOut;
      const errorType = timedOut ? 'timeout' : result.ok ? undefined : (result.errorType ?? (replied ? 'http-status' : 'transport'));
      if (replied) replies++;
      if (errorType === undefined) ok++;
      else errors[errorType] = (errors[errorType] ?? 0) + 1;
      if (replied || timedOut) latency.record(end - started);
    }
  }

  const done = Promise.all(Array.from({ length: Math.min(options.connections, options.amount ?? options.connections) }, connection)).then(
    (): ClosedModelResult => {
      clearTimeout(limit);
      options.signal?.removeEventListener('abort', onAbort);
      return { finished, replies, ok, durationMs: lastOutcome, latency, errors, interrupted };
    },
  );
  return { stop, done };
}
