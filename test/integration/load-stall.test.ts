import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { httpJsonAdapter } from '../../adapters/http-json.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { runClosedModel } from '../../simulator/load/closed-model.ts';
import { runOpenModel, type Sample } from '../../simulator/load/open-model.ts';
import { constantSchedule } from '../../simulator/load/schedule.ts';
import { adapterLoadTarget, cohortInputs } from '../../simulator/load/target.ts';

/**
 * Coordinated-omission correctness on loopback.
 *
 * The endpoint (node:http on 127.0.0.1, in a child process so that its work does not delay the
 * load generator's event loop) answers at once, about a millisecond through fetch, except during a
 * stall: for S ms at the start of every period of P ms, it holds every request until the stall ends.
 *
 * Open model at a constant rate R (R·S ≫ 1): arrivals are spread evenly over time, so a request
 * lands in a stall with probability S/P, at an offset u uniform on [0, S), and then waits S − u.
 * Ignoring the ~1 ms base latency, for 0 < x < S:
 *
 *     P(latency > x) = (S/P) · P(S − u > x) = (S/P) · (S − x)/S = (S − x)/P.
 *
 * - The share above half the stall: P(latency > S/2) = (S/2)/P.           S=200, P=1000: 0.10
 * - The q-quantile with tail share f = 1 − q < S/P solves (S − x)/P = f:  x = S − f·P,
 *   so p99 = S − 0.01·P = S·(1 − 0.01·P/S).                                S=200, P=1000: 190 ms
 *   (and p95 = S − 0.05·P = 150 ms, p99.9 = S − 0.001·P = 199 ms, max → S).
 *   If S/P ≤ 0.01 the stalls hold less than 1% of the requests and p99 is the base latency.
 *
 * A closed model with C connections sends only C requests into each stall (each connection waits
 * for its reply), while between stalls it completes thousands of fast requests: the stall is
 * sampled C times per period instead of R·S times, and its percentiles hide it. Its figures are
 * printed beside the open model's to document the difference, as are autocannon's own figures
 * with `overallRate` set (its correction uses an expected interval of ceil(1/rate) = 1 ms, and its
 * rate limit still waits for replies).
 */

const S = 200; // stall length, ms
const P = 1_000; // stall period, ms
const R = 100; // arrival rate, per second
const DURATION_MS = 10_000; // 10 whole periods: 1,000 requests, 200 of them inside a stall
const CONNECTIONS = 10;

const expected = {
  p99: S * (1 - (0.01 * P) / S),
  p95: S - 0.05 * P,
  p999: S - 0.001 * P,
  fractionAboveHalfStall: S / 2 / P,
};

/** The stalling endpoint: parses the JSON body, answers `{ score }`; prints its port, exits when stdin closes. */
const STALL_SERVER = `
const http = require('node:http');
const S = ${S}, P = ${P};
const epoch = performance.now();
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const phase = (performance.now() - epoch) % P;
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
    const reply = () => {
      const out = JSON.stringify({ score: body && body.resourceType === 'Bundle' ? 0.1 : 0.9 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out);
    };
    if (phase < S) setTimeout(reply, S - phase); else reply();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

let child: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', STALL_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [port] = (await once(child.stdout!, 'data')) as [Buffer];
  url = `http://127.0.0.1:${String(port).trim()}/predict`;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.stdin!.end();
    await exited;
  }
});

const within = (actual: number, target: number, tolerance = 0.1): boolean => Math.abs(actual - target) <= tolerance * target;

describe('load: coordinated omission on a stalling endpoint', () => {
  it('open model matches the analytic tail; the closed model hides the stall', async () => {
    const inputs = cohortInputs(tasks.sepsis, { seed: 20261124 }, 50);
    const target = adapterLoadTarget(httpJsonAdapter({ url }), inputs, url);

    const samples: Sample[] = [];
    const open = await runOpenModel({
      schedule: constantSchedule(R, DURATION_MS),
      bodies: target.bodies,
      send: target.send,
      timeoutMs: 5_000,
      maxInFlight: 10_000,
      onSample: (s) => samples.push(s),
    }).done;

    const closed = await runClosedModel(target.wire!, {
      connections: CONNECTIONS,
      durationMs: 3_000,
      amount: null,
      maxDurationMs: 10_000,
      timeoutMs: 5_000,
    }).done;

    // autocannon's own figures with a rate set (its coordinated-omission correction), for comparison only.
    let next = 0;
    const rated = await autocannon({
      url,
      method: 'POST',
      headers: { ...target.wire!.headers },
      connections: CONNECTIONS,
      overallRate: R,
      duration: 3,
      requests: [{ setupRequest: (req) => ({ ...req, body: target.wire!.bodies[next++ % target.wire!.bodies.length] }) }],
    });

    const openSummary = open.latency.summary()!;
    const closedSummary = closed.latency.summary()!;
    const aboveHalf = samples.filter((s) => s.ok && s.latencyMs > S / 2).length / samples.length;
    const table = {
      'expected (analytic)': { p50: '~1', p95: expected.p95, p99: expected.p99, p999: expected.p999, max: S, aboveHalfStall: expected.fractionAboveHalfStall, throughput: R },
      'open model': { ...openSummary, aboveHalfStall: round(aboveHalf), throughput: round((open.replies * 1000) / open.durationMs) },
      [`closed model (${CONNECTIONS} connections)`]: {
        ...closedSummary,
        aboveHalfStall: round(closed.latency.fractionAbove(S / 2)),
        throughput: round((closed.replies * 1000) / closed.durationMs),
      },
      [`autocannon overallRate ${R}`]: {
        p50: rated.latency.p50,
        p95: '-',
        p99: rated.latency.p99,
        p999: rated.latency.p99_9,
        max: rated.latency.max,
        aboveHalfStall: '-',
        throughput: round(rated.requests.total / rated.duration),
      },
    };
    console.log(`stall S=${S} ms every P=${P} ms, open rate R=${R}/s, ${open.sent} requests; open-model scheduling error (ms): ${JSON.stringify(open.schedulingError.summary())}\n`);
    console.table(table);

    expect(open.sent).toBe((R * DURATION_MS) / 1000);
    expect(open.finished).toBe(open.sent);
    expect(open.ok).toBe(open.sent);
    expect(open.dropped).toBe(0);
    expect(within(openSummary.p99, expected.p99), `open p99 ${openSummary.p99} vs ${expected.p99}`).toBe(true);
    expect(within(aboveHalf, expected.fractionAboveHalfStall), `open share above S/2 ${aboveHalf} vs ${expected.fractionAboveHalfStall}`).toBe(true);
    // The histogram's own reading of the same share agrees with the samples.
    expect(Math.abs(open.latency.fractionAbove(S / 2) - aboveHalf)).toBeLessThan(0.005);
    expect(within(openSummary.p95, expected.p95)).toBe(true);
    expect(within(openSummary.p999, expected.p999)).toBe(true);

    // The closed model's percentiles miss the stall that the open model sees in 10% of requests.
    expect(closed.errors).toEqual({});
    expect(closedSummary.p99).toBeLessThan(expected.p99 / 2);
    expect(closed.latency.fractionAbove(S / 2)).toBeLessThan(expected.fractionAboveHalfStall / 5);
  });
});

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
