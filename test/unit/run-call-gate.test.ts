import { describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import { AdapterError, type Adapter, type ModelInput, type Prediction } from '../../adapters/adapter.ts';
import { backoffMs, callWithPolicy } from '../../simulator/run/call.ts';
import { targetGate, type AttemptGate, type Congestion } from '../../simulator/run/call-gate.ts';

const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [] };
const input: ModelInput = { task: 'sepsis', caseIndex: 0, bundle };
const never = () => new AbortController().signal;
const http = (status: number, retryAfterMs?: number) =>
  new AdapterError('http-status', `HTTP ${status}`, retryAfterMs === undefined ? { status } : { status, retryAfterMs });
// A refused connection as fetchFailure types it: its code makes it transient.
const transport = () => new AdapterError('transport', 'ECONNREFUSED', { code: 'ECONNREFUSED' });

/** An adapter that throws the scripted errors in turn, then answers; it records when each attempt started. */
function scripted(...errors: AdapterError[]): Adapter & { startedAt: number[] } {
  const startedAt: number[] = [];
  return {
    kind: 'fake',
    startedAt,
    async invoke() {
      startedAt.push(performance.now());
      const error = errors[startedAt.length - 1];
      if (error) throw error;
      return { score: 0.5 } satisfies Prediction;
    },
  };
}

/** A gate that records what passes through it and how many permits are held. */
function recordingGate(): AttemptGate & { entered: number; held: number; results: Congestion[] } {
  const gate = {
    entered: 0,
    held: 0,
    results: [] as Congestion[],
    async enter() {
      gate.entered++;
      gate.held++;
      return {
        done(result: Congestion) {
          gate.held--;
          gate.results.push(result);
        },
      };
    },
  };
  return gate;
}

describe('backoff jitter', () => {
  it('stays in [0, min(5 s, 100 ms · 2^(attempt − 1))) whatever the random draw', () => {
    const just = 1 - Number.EPSILON;
    for (let attempt = 1; attempt <= 12; attempt++) {
      const cap = Math.min(5_000, 100 * 2 ** (attempt - 1));
      expect(backoffMs(attempt, transport(), () => 0)).toBe(0);
      expect(backoffMs(attempt, transport(), () => 0.5)).toBe(cap / 2);
      const top = backoffMs(attempt, transport(), () => just);
      expect(top).toBeLessThan(cap);
      expect(top).toBeGreaterThan(cap * 0.999);
    }
  });

  it('takes a Retry-After as given (capped at 30 s), not drawn', () => {
    let draws = 0;
    const random = () => (draws++, 0.5);
    expect(backoffMs(1, http(429, 1_000), random)).toBe(1_000);
    expect(backoffMs(9, http(503, 90_000), random)).toBe(30_000);
    expect(draws).toBe(0);
  });

  it('draws once per retry in callWithPolicy', async () => {
    let draws = 0;
    const adapter = scripted(transport(), http(503), http(502));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1_000, retries: 5 }, never(), { random: () => (draws++, 0) });
    expect(result).toMatchObject({ outcome: 'ok', attempts: 4 });
    expect(draws).toBe(3);
  });
});

describe('callWithPolicy through a gate', () => {
  it('passes every attempt through the gate and tells it how each went', async () => {
    const gate = recordingGate();
    const adapter = scripted(http(429, 0), http(503, 0), transport());
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1_000, retries: 3 }, never(), { gate, random: () => 0 });
    expect(result).toMatchObject({ outcome: 'ok', attempts: 4 });
    expect(gate.entered).toBe(4);
    expect(gate.results).toEqual(['throttled', 'other', 'other', 'answered']);
    expect(gate.held).toBe(0);
  });

  it('holds no slot while it backs off', async () => {
    const gate = recordingGate();
    const adapter = scripted(http(429, 80));
    const heldDuringBackoff = new Promise<number>((resolve) => setTimeout(() => resolve(gate.held), 40));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1_000, retries: 1 }, never(), { gate });
    expect(result.attempts).toBe(2);
    expect(await heldDuringBackoff).toBe(0);
  });

  it('honours retries: 0 with the real gate: one attempt, the slot given back', async () => {
    const gate = targetGate({ concurrency: 2 });
    const adapter = scripted(http(503, 0), http(503, 0));
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1_000, retries: 0 }, never(), { gate });
    expect(result).toMatchObject({ outcome: 'error', attempts: 1, status: 503, failure: 'http-status' });
    expect(adapter.startedAt).toHaveLength(1);
    expect(gate.limiter.inFlight).toBe(0);
  });

  it('spaces retries by the rate limit too', async () => {
    const gate = targetGate({ concurrency: 4, rateLimit: 20 });
    const adapter = scripted(transport(), transport(), transport());
    const result = await callWithPolicy(adapter, input, { timeoutMs: 1_000, retries: 3 }, never(), { gate, random: () => 0 });
    expect(result.attempts).toBe(4);
    const gaps = adapter.startedAt.slice(1).map((t, i) => t - adapter.startedAt[i]!);
    // 50 ms apart at 20 calls/s, though the backoff drawn was 0 (1 ms of timer slack).
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(49);
  });

  it('lowers the adaptive limit on a throttled attempt that is then retried to success', async () => {
    const gate = targetGate({ concurrency: 8 });
    const result = await callWithPolicy(scripted(http(429, 0)), input, { timeoutMs: 1_000, retries: 2 }, never(), { gate });
    expect(result).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect(gate.limiter.limit).toBe(4);
    expect(gate.limiter.decreases).toBe(1);
  });
});
