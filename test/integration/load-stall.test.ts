import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { httpJsonAdapter, httpJsonRequest } from '../../adapters/http-json.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { runClosedModel } from '../../simulator/load/closed-model.ts';
import { runOpenModel, type Sample } from '../../simulator/load/open-model.ts';
import { constantSchedule } from '../../simulator/load/schedule.ts';
import { adapterLoadTarget, cohortInputs } from '../../simulator/load/target.ts';

/**
 * Coordinated-omission correctness on loopback.
 *
 * The endpoint (node:http on 127.0.0.1, in a child process so that its work does not delay the
 * load generator's event loop) answers at once, in b ≈ 1 ms through fetch, except during a stall:
 * for S ms at the start of every period of P ms, it holds every request until the stall ends.
 *
 * Open model at a constant rate R (R·S ≫ 1): arrivals are spread evenly over time, so a request
 * lands in a stall with probability S/P, at an offset u uniform on [0, S), and then waits S − u
 * (uniform on (0, S]) on top of the base latency b. For 0 < x < S:
 *
 *     P(latency − b > x) = (S/P) · P(S − u > x) = (S/P) · (S − x)/S = (S − x)/P.
 *
 * - Share of requests waiting more than half the stall: P(latency − b > S/2) = (S/2)/P.
 * - The q-quantile with tail share f = 1 − q < S/P solves (S − x)/P = f, so x = S − f·P:
 *   p99 = b + S − 0.01·P = b + S·(1 − 0.01·P/S); p90 = b + S − 0.1·P; p95 = b + S − 0.05·P; p99.9 = b + S − 0.001·P;
 *   max → b + S. If S/P ≤ f the stalls hold fewer than a share f of the requests, and that
 *   quantile is the base latency b. Since S/P < 0.5, the median is b: the test reads b as p50.
 *
 * With S = 1,000 ms, P = 5,000 ms: share above S/2 = 0.10, p99 = b + 950 ms, p95 = b + 750 ms,
 * p90 = b + 500 ms, p99.9 = b + 995 ms.
 * The stall is long next to the generator's and the client's own jitter (a few ms, tens on a busy
 * machine; the ~39 replies released together at the end of a stall are read one after the other),
 * which shifts the share by about jitter/P. R·P = 193.25 is not a whole number, so the arrival
 * grid's offset inside the stall moves by a quarter interval from one period to the next, which
 * averages out the grid's discreteness over the 3 periods.
 *
 * A closed model with C connections sends only C requests into each stall (each connection waits
 * for its reply), while between stalls it completes thousands of fast requests: the stall is
 * sampled C times per period instead of R·S times, and its percentiles hide it. Its figures are
 * printed beside the open model's to document the difference, as are autocannon's own figures
 * with `overallRate` set (its correction uses an expected interval of ceil(1/rate) = 1 ms, and its
 * rate limit still waits for replies).
 */

const S = 1_000; // stall length, ms
const P = 5_000; // stall period, ms
const R = 38.65; // arrival rate, per second
const DURATION_MS = 15_000; // 3 whole periods: 580 requests, about 116 of them inside a stall
const CLOSED_MS = P; // one period, so one stall
const CONNECTIONS = 10;

/** The analytic figures, given the base latency b (ms). */
const analytic = (b: number) => ({
  p90: b + S - 0.1 * P,
  p95: b + S - 0.05 * P,
  p99: b + S * (1 - (0.01 * P) / S),
  p999: b + S - 0.001 * P,
  max: b + S,
  fractionAboveHalfStall: S / 2 / P,
});

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
    const target = adapterLoadTarget(httpJsonAdapter({ url }), inputs, httpJsonRequest({ url }));

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
      durationMs: CLOSED_MS,
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
      overallRate: Math.round(R),
      duration: Math.ceil(CLOSED_MS / 1000),
      requests: [{ setupRequest: (req) => ({ ...req, body: target.wire!.bodies[next++ % target.wire!.bodies.length] }) }],
    });

    const openSummary = open.latency.summary()!;
    const closedSummary = closed.latency.summary()!;
    const b = openSummary.p50;
    const expected = analytic(b);
    const aboveHalf = samples.filter((s) => s.ok && s.latencyMs - b > S / 2).length / samples.length;
    const table = {
      'expected (analytic)': { p50: b, p90: round(expected.p90), p95: round(expected.p95), p99: round(expected.p99), p999: round(expected.p999), max: round(expected.max), aboveHalfStall: expected.fractionAboveHalfStall, throughput: R },
      'open model': { ...openSummary, aboveHalfStall: round(aboveHalf), throughput: round((open.replies * 1000) / open.durationMs) },
      [`closed model (${CONNECTIONS} connections)`]: {
        ...closedSummary,
        aboveHalfStall: round(closed.latency.fractionAbove(S / 2 + b)),
        throughput: round((closed.replies * 1000) / closed.durationMs),
      },
      [`autocannon overallRate ${Math.round(R)}`]: {
        p50: rated.latency.p50,
        p90: rated.latency.p90,
        p95: '-',
        p99: rated.latency.p99,
        p999: rated.latency.p99_9,
        max: rated.latency.max,
        aboveHalfStall: '-',
        throughput: round(rated.requests.total / rated.duration),
      },
    };
    console.log(
      `stall S=${S} ms every P=${P} ms, open rate R=${R}/s, ${open.sent} requests; ` +
        `open-model scheduling error (ms): ${JSON.stringify(open.schedulingError.summary())}\n`,
    );
    console.table(table);

    expect(open.sent).toBe(Math.ceil((R * DURATION_MS) / 1000));
    expect(open.finished).toBe(open.sent);
    expect(open.ok).toBe(open.sent);
    expect(open.dropped).toBe(0);
    expect(b).toBeLessThan(20);
    expect(within(openSummary.p99, expected.p99), `open p99 ${openSummary.p99} vs ${expected.p99}`).toBe(true);
    expect(within(aboveHalf, expected.fractionAboveHalfStall), `open share above S/2 ${aboveHalf} vs ${expected.fractionAboveHalfStall}`).toBe(true);
    // The histogram's own reading of the same share agrees with the samples.
    expect(Math.abs(open.latency.fractionAbove(S / 2 + b) - aboveHalf)).toBeLessThan(0.005);
    expect(within(openSummary.p95, expected.p95)).toBe(true);
    expect(within(openSummary.p999, expected.p999)).toBe(true);
    expect(within((open.replies * 1000) / open.durationMs, R)).toBe(true);

    // The closed model's percentiles miss the stall that the open model sees in 10% of requests.
    expect(closed.errors).toEqual({});
    expect(closedSummary.p99).toBeLessThan(expected.p99 / 2);
    expect(closed.latency.fractionAbove(S / 2 + b)).toBeLessThan(expected.fractionAboveHalfStall / 5);
  });
});

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
