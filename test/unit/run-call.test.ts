import { describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction } from '../../adapters/adapter.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { abortFailure, fetchFailure } from '../../adapters/failures.ts';
import { backoffMs, callWithPolicy, isTransient } from '../../simulator/run/call.ts';

const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [] };
const input: ModelInput = { task: 'sepsis', caseIndex: 3, bundle };
const never = () => new AbortController().signal;

type Step = (ctx: CallContext) => Promise<Prediction>;

/** An adapter that plays one step per attempt (the last step repeats) and records what it saw. */
function scripted(...steps: Step[]): Adapter & { contexts: CallContext[]; startedAt: number[] } {
  const contexts: CallContext[] = [];
  const startedAt: number[] = [];
  return {
    kind: 'fake',
    contexts,
    startedAt,
    invoke(i, ctx) {
      expect(i).toBe(input);
      contexts.push(ctx);
      startedAt.push(performance.now());
      return steps[Math.min(contexts.length, steps.length) - 1]!(ctx);
    },
  };
}

const ok = (score: number, status?: number): Step => async () => {
  const p: Prediction = { score };
  if (status !== undefined) recordStatus(p, status);
  return p;
};
const fail = (error: unknown): Step => async () => {
  throw error;
};
const delay = (ms: number, then: Step): Step => async (ctx) => {
  await new Promise((r) => setTimeout(r, ms));
  return then(ctx);
};
/** Waits until the attempt's signal aborts, then fails as the real adapters do. */
const hang: Step = (ctx) =>
  new Promise<never>((_, reject) => {
    ctx.signal.addEventListener('abort', () => reject(abortFailure(ctx.signal)), { once: true });
  });

/** A reset connection, as fetchFailure types it: transient by its code. */
const transport = (retryAfterMs?: number) =>
  new AdapterError('transport', 'ECONNRESET', retryAfterMs === undefined ? { code: 'ECONNRESET' } : { code: 'ECONNRESET', retryAfterMs });
/** A transport failure that would fail again: a certificate error, an unknown host, no code at all. */
const permanent = (code?: string) => new AdapterError('transport', code ?? 'predict() threw: Error: boom', code === undefined ? {} : { code });
const http = (status: number, retryAfterMs?: number) =>
  new AdapterError('http-status', `HTTP ${status}`, retryAfterMs === undefined ? { status } : { status, retryAfterMs });

describe('callWithPolicy', () => {
  it('returns ok with the prediction, the recorded status and the latency', async () => {
    const adapter = scripted(delay(20, ok(0.42, 200)));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 2 }, never());
    expect(result).toMatchObject({ outcome: 'ok', attempts: 1, status: 200, error: null, output: { score: 0.42 } });
    expect(result.latencyMs).toBeGreaterThanOrEqual(19);
    expect(result.latencyMs).toBeLessThan(500);
    expect(adapter.contexts.map((c) => c.attempt)).toEqual([1]);
  });

  it('gives status null when the adapter recorded none', async () => {
    const result = await callWithPolicy(scripted(ok(0.1)), input, { timeoutMs: 1000, retries: 0 }, never());
    expect(result.status).toBeNull();
    expect(result.outcome).toBe('ok');
  });

  it('retries a transport failure up to `retries` times, then reports the error', async () => {
    const adapter = scripted(fail(transport(1)));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 2 }, never());
    expect(result).toMatchObject({ outcome: 'error', attempts: 3, status: null, error: 'transport: ECONNRESET', output: null });
    expect(typeof result.latencyMs).toBe('number');
    expect(adapter.contexts.map((c) => c.attempt)).toEqual([1, 2, 3]);
  });

  it('retries with the default jittered backoff (bounded by 100 ms, then 200 ms)', async () => {
    const adapter = scripted(fail(transport()), fail(transport()), ok(0.3, 200));
    const started = performance.now();
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 2 }, never());
    expect(result).toMatchObject({ outcome: 'ok', attempts: 3, status: 200 });
    expect(performance.now() - started).toBeLessThan(700);
  });

  it('reports a thrown non-AdapterError (an adapter bug) as a transport error without retrying it', async () => {
    const adapter = scripted(fail(new TypeError('Cannot read properties of undefined')), ok(0.9));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 3 }, never());
    expect(result).toMatchObject({ outcome: 'error', attempts: 1, failure: 'transport', error: 'transport: Cannot read properties of undefined', output: null });
    expect(adapter.contexts).toHaveLength(1);
    const gaveUp = await callWithPolicy(scripted(fail('plain string')), input, { timeoutMs: 1000, retries: 2 }, never());
    expect(gaveUp).toMatchObject({ outcome: 'error', attempts: 1, error: 'transport: plain string' });
  });

  it('does not retry a transport failure that would fail again (TLS, unknown host, a crashed predict())', async () => {
    for (const error of [permanent('CERT_HAS_EXPIRED'), permanent('ENOTFOUND'), permanent('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), permanent()]) {
      const adapter = scripted(fail(error), ok(0.5));
      const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 3 }, never());
      expect(result).toMatchObject({ outcome: 'error', attempts: 1, failure: 'transport', status: null, error: `transport: ${error.message}` });
      expect(adapter.contexts).toHaveLength(1);
    }
  });

  it('retries each transient network code and succeeds', async () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN', 'ECONNABORTED']) {
      const adapter = scripted(fail(new AdapterError('transport', code, { code, retryAfterMs: 1 })), ok(0.5, 200));
      const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 1 }, never());
      expect(result, code).toMatchObject({ outcome: 'ok', attempts: 2, status: 200 });
    }
  });

  it('retries a 503 and succeeds on the next attempt', async () => {
    const adapter = scripted(fail(http(503, 1)), ok(0.7, 200));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 2 }, never());
    expect(result).toMatchObject({ outcome: 'ok', attempts: 2, status: 200, output: { score: 0.7 } });
  });

  it('reports the last status when every transient attempt fails', async () => {
    const result = await callWithPolicy(scripted(fail(http(502, 1))), input, { timeoutMs: 1000, retries: 1 }, never());
    expect(result).toMatchObject({ outcome: 'error', attempts: 2, status: 502, error: 'http-status: HTTP 502' });
  });

  it('does not retry a 400', async () => {
    const adapter = scripted(fail(http(400)), ok(0.5));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 3 }, never());
    expect(result).toMatchObject({ outcome: 'error', attempts: 1, status: 400, error: 'http-status: HTTP 400', output: null });
    expect(adapter.contexts).toHaveLength(1);
  });

  it("honours a 429's Retry-After before the next attempt", async () => {
    const retryAfterMs = 60;
    const adapter = scripted(fail(http(429, retryAfterMs)), ok(0.2, 200));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 1 }, never());
    expect(result).toMatchObject({ outcome: 'ok', attempts: 2, status: 200 });
    const [first, second] = adapter.startedAt as [number, number];
    // 1 ms of slack: Node may fire a timer a fraction of a millisecond early by performance.now().
    expect(second - first).toBeGreaterThanOrEqual(retryAfterMs - 1);
  });

  it('honours retries: 0 (one attempt only)', async () => {
    const adapter = scripted(fail(transport(1)), ok(0.5));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 0 }, never());
    expect(result).toMatchObject({ outcome: 'error', attempts: 1 });
    expect(adapter.contexts).toHaveLength(1);
  });

  it('reports a timeout with no latency and does not retry it', async () => {
    const adapter = scripted(hang, ok(0.5));
    const started = performance.now();
    const result = await callWithPolicy(adapter, input, { timeoutMs: 40, retries: 2 }, never());
    expect(result).toMatchObject({ outcome: 'timeout', attempts: 1, status: null, latencyMs: null, output: null });
    expect(result.error).toBe('timeout: call did not complete before the deadline');
    expect(adapter.contexts).toHaveLength(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('gives each attempt its own deadline', async () => {
    // Two attempts of 40 ms each under an 80 ms timeout: only a per-attempt deadline lets the second finish.
    const adapter = scripted(delay(40, fail(transport(1))), delay(40, ok(0.6)));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 80, retries: 1 }, never());
    expect(result).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect(adapter.contexts[0]!.signal).not.toBe(adapter.contexts[1]!.signal);
  });

  it('reports the latency of the last attempt only', async () => {
    const adapter = scripted(delay(120, fail(transport(1))), ok(0.6));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 1 }, never());
    expect(result.attempts).toBe(2);
    expect(result.latencyMs).toBeLessThan(100);
  });

  it('maps an invalid response to invalid without retrying', async () => {
    const adapter = scripted(fail(new AdapterError('invalid-response', 'not a valid prediction: score: Too big')), ok(0.5));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 2 }, never());
    expect(result).toMatchObject({
      outcome: 'invalid',
      attempts: 1,
      status: null,
      error: 'invalid-response: not a valid prediction: score: Too big',
      output: null,
    });
    expect(typeof result.latencyMs).toBe('number');
    expect(adapter.contexts).toHaveLength(1);
  });

  it('stops retrying when the run is aborted during the backoff', async () => {
    const run = new AbortController();
    const adapter = scripted(fail(transport(10_000)));
    setTimeout(() => run.abort(), 20);
    const started = performance.now();
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 5 }, run.signal);
    expect(result).toMatchObject({ outcome: 'error', attempts: 1, error: 'transport: ECONNRESET' });
    expect(adapter.contexts).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('does not retry when the run is aborted during an attempt', async () => {
    const run = new AbortController();
    const adapter = scripted(hang, ok(0.5));
    setTimeout(() => run.abort(), 20);
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1000, retries: 5 }, run.signal);
    expect(result).toMatchObject({ outcome: 'error', attempts: 1, error: 'transport: call was aborted' });
    expect(adapter.contexts).toHaveLength(1);
    expect(adapter.contexts[0]!.signal.aborted).toBe(true);
  });
});

describe('retry policy', () => {
  it('treats transport failures with a transient network code and 429/502/503/504 as transient, nothing else', () => {
    expect(isTransient(transport())).toBe(true);
    for (const code of ['ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN', 'ECONNABORTED']) {
      expect(isTransient(new AdapterError('transport', code, { code })), code).toBe(true);
    }
    for (const code of ['ENOTFOUND', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UND_ERR_HEADERS_OVERFLOW']) {
      expect(isTransient(permanent(code)), code).toBe(false);
    }
    expect(isTransient(permanent())).toBe(false);
    expect(isTransient(abortFailure(AbortSignal.abort(new Error('run stopped'))))).toBe(false);
    for (const status of [429, 502, 503, 504]) expect(isTransient(http(status))).toBe(true);
    for (const status of [400, 401, 404, 500, 501]) expect(isTransient(http(status))).toBe(false);
    expect(isTransient(new AdapterError('http-status', 'no status'))).toBe(false);
    expect(isTransient(new AdapterError('timeout', 't'))).toBe(false);
    expect(isTransient(new AdapterError('invalid-response', 'i'))).toBe(false);
  });

  it('uses Retry-After when given (capped at 30 s), else full-jitter exponential backoff', () => {
    expect(backoffMs(1, http(429, 250))).toBe(250);
    expect(backoffMs(3, http(429, 0))).toBe(0);
    expect(backoffMs(1, http(429, 120_000))).toBe(30_000);
    for (let i = 0; i < 50; i++) {
      const first = backoffMs(1, transport());
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThan(100);
      expect(backoffMs(4, transport())).toBeLessThan(800);
      expect(backoffMs(20, transport())).toBeLessThan(5_000);
    }
  });
});

describe('fetchFailure codes', () => {
  const live = () => new AbortController().signal;
  const coded = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

  it('carries the network code of the fetch error’s cause, which decides the retry', () => {
    const refused = fetchFailure(new TypeError('fetch failed', { cause: coded('ECONNREFUSED') }), live(), 'POST http://h/p');
    expect(refused).toMatchObject({ type: 'transport', message: 'POST http://h/p failed: ECONNREFUSED', details: { code: 'ECONNREFUSED' } });
    expect(isTransient(refused)).toBe(true);
    const closed = fetchFailure(new TypeError('terminated', { cause: coded('UND_ERR_SOCKET') }), live(), 'POST http://h/p');
    expect(isTransient(closed)).toBe(true);
    const tls = fetchFailure(new TypeError('fetch failed', { cause: coded('CERT_HAS_EXPIRED') }), live(), 'POST http://h/p');
    expect(tls.details.code).toBe('CERT_HAS_EXPIRED');
    expect(isTransient(tls)).toBe(false);
    const dns = fetchFailure(new TypeError('fetch failed', { cause: new AggregateError([coded('ENOTFOUND')]) }), live(), 'GET http://nowhere/');
    expect(dns.details.code).toBe('ENOTFOUND');
    expect(isTransient(dns)).toBe(false);
  });

  it('names a codeless failure by its message and leaves it without a code (not retried)', () => {
    const odd = fetchFailure(new TypeError('invalid header value'), live(), 'POST http://h/p');
    expect(odd).toMatchObject({ type: 'transport', message: 'POST http://h/p failed: invalid header value' });
    expect(odd.details.code).toBeUndefined();
    expect(isTransient(odd)).toBe(false);
  });

  it('a real refused connection is transient', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const signal = live();
    const error = await fetch(`http://127.0.0.1:${port}/`, { signal }).then(
      () => undefined,
      (e: unknown) => fetchFailure(e, signal, 'GET'),
    );
    expect(error?.details.code).toBe('ECONNREFUSED');
    expect(isTransient(error!)).toBe(true);
  });
});
