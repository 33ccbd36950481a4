import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { httpJsonAdapter, httpJsonRequest } from '../adapters/http-json.ts';
import { tasks } from '../simulator/cohort/tasks.ts';
import { runClosedLoop, runClosedModel } from '../simulator/load/closed-model.ts';
import { runOpenModel } from '../simulator/load/open-model.ts';
import { defaultMaxInFlight } from '../simulator/load/phase-schema.ts';
import { constantSchedule } from '../simulator/load/schedule.ts';
import { adapterLoadTarget, cohortInputs } from '../simulator/load/target.ts';

/**
 * Load generation against a local endpoint: a trivial fastify JSON endpoint on 127.0.0.1 that
 * parses the FHIR Bundle it is sent, run in a child process so that it does not share the load
 * generator's event loop.
 *
 * 1. Closed loop, same bodies (real sepsis bundles in the http-json wire encoding), same
 *    connections, same duration: plain autocannon (`requests` array) against clinsim's closed-loop
 *    replay (`runClosedModel`), in back-to-back pairs (order alternated) after a warm-up; the
 *    median of the paired ratios (clinsim / autocannon) has a goal of at least 0.8.
 * 2. Open model through the http-json adapter (fetch), at a rate the machine sustains (half the
 *    closed-loop throughput of the same send path, measured first; at most 2,000/s): the
 *    scheduling error (actual minus intended send time), in microseconds.
 */

export interface LoadBenchOptions {
  bodies: number;
  connections: number;
  durationSeconds: number;
  repeats: number;
  warmupSeconds: number;
  openSeconds: number;
  maxOpenRate: number;
  seed: number;
}

const DEFAULTS: LoadBenchOptions = {
  bodies: 200,
  connections: 10,
  durationSeconds: 3,
  repeats: 5,
  warmupSeconds: 2,
  openSeconds: 5,
  maxOpenRate: 2_000,
  seed: 20261124,
};

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Starts the endpoint in a child process; resolves with its URL and a stop function. */
async function startEndpoint(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  const [line] = (await Promise.race([
    once(child.stdout!, 'data'),
    once(child, 'exit').then(() => {
      throw new Error('the bench endpoint exited before listening');
    }),
  ])) as [Buffer];
  const url = String(line).trim();
  if (!/^http:\/\/127\.0\.0\.1:\d+\/predict$/.test(url)) throw new Error(`unexpected endpoint line: ${url}`);
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function loadBench(options: Partial<LoadBenchOptions> = {}) {
  const o = { ...DEFAULTS, ...options };
  const inputs = cohortInputs(tasks.sepsis, { seed: o.seed }, o.bodies);
  const endpoint = await startEndpoint();
  try {
    const target = adapterLoadTarget(httpJsonAdapter({ url: endpoint.url }), inputs, httpJsonRequest({ url: endpoint.url }));
    const wire = target.wire!;
    const bytesPerBody = Math.round(wire.bodies.reduce((sum, b) => sum + b.length, 0) / wire.bodies.length);

    const plain = async (seconds: number) => {
      const result = await autocannon({
        url: wire.url,
        method: wire.method,
        headers: { ...wire.headers },
        connections: o.connections,
        duration: seconds,
        requests: wire.bodies.map((body) => ({ body })),
      });
      if (result.errors > 0 || result.non2xx > 0) throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`);
      return { throughput: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99 };
    };
    const clinsim = async (seconds: number) => {
      const result = await runClosedModel(wire, {
        connections: o.connections,
        durationMs: seconds * 1_000,
        amount: null,
        maxDurationMs: seconds * 1_000 + 10_000,
        timeoutMs: 10_000,
      }).done;
      if (Object.keys(result.errors).length > 0) throw new Error(`clinsim closed loop saw errors: ${JSON.stringify(result.errors)}`);
      return { throughput: (result.replies * 1_000) / result.durationMs, p50: result.latency.percentile(50), p99: result.latency.percentile(99) };
    };

    await plain(o.warmupSeconds);
    await clinsim(o.warmupSeconds);
    const plainRuns: Array<Awaited<ReturnType<typeof plain>>> = [];
    const clinsimRuns: Array<Awaited<ReturnType<typeof clinsim>>> = [];
    for (let r = 0; r < o.repeats; r++) {
      // Alternate the order so that neither side always runs on a warmer (or more tired) machine.
      if (r % 2 === 0) {
        plainRuns.push(await plain(o.durationSeconds));
        clinsimRuns.push(await clinsim(o.durationSeconds));
      } else {
        clinsimRuns.push(await clinsim(o.durationSeconds));
        plainRuns.push(await plain(o.durationSeconds));
      }
    }
    const plainThroughput = median(plainRuns.map((r) => r.throughput));
    const clinsimThroughput = median(clinsimRuns.map((r) => r.throughput));
    // Each pair ran back to back under the same conditions: the median of the paired ratios is
    // the figure least moved by other work on the machine.
    const ratio = median(clinsimRuns.map((r, i) => r.throughput / plainRuns[i]!.throughput));

    // Open model through the http-json adapter (fetch), as the runner uses it, at half of what
    // that send path sustains in a closed loop.
    const calibration = await runClosedLoop(target.bodies, target.send, {
      connections: o.connections,
      durationMs: 2_000,
      amount: null,
      maxDurationMs: 5_000,
      timeoutMs: 10_000,
    }).done;
    const sendPathThroughput = (calibration.replies * 1_000) / calibration.durationMs;
    const rate = Math.max(50, Math.min(o.maxOpenRate, Math.floor(sendPathThroughput / 2 / 50) * 50));
    const open = await runOpenModel({
      schedule: constantSchedule(rate, o.openSeconds * 1_000),
      bodies: target.bodies,
      send: target.send,
      timeoutMs: 10_000,
      maxInFlight: defaultMaxInFlight(rate, 10_000),
    }).done;
    const us = (ms: number): number => Math.round(ms * 1_000);

    return {
      endpoint: 'fastify on 127.0.0.1 in a child process: POST /predict parses the Bundle JSON, answers { score }',
      bodies: o.bodies,
      bytesPerBody,
      connections: o.connections,
      closedLoop: {
        durationSeconds: o.durationSeconds,
        repeats: o.repeats,
        autocannon: { requestsPerSecond: round(plainThroughput), runs: plainRuns.map((r) => ({ requestsPerSecond: round(r.throughput), p50Ms: round(r.p50, 3), p99Ms: round(r.p99, 3) })) },
        clinsim: { requestsPerSecond: round(clinsimThroughput), runs: clinsimRuns.map((r) => ({ requestsPerSecond: round(r.throughput), p50Ms: round(r.p50, 3), p99Ms: round(r.p99, 3) })) },
        ratio: round(ratio, 3),
        ratioOfMedians: round(clinsimThroughput / plainThroughput, 3),
        goal: '>= 0.8',
        meetsGoal: ratio >= 0.8,
      },
      openModel: {
        ratePerSecond: rate,
        durationSeconds: o.openSeconds,
        send: 'http-json adapter (fetch)',
        sendPathClosedLoopPerSecond: round(sendPathThroughput),
        sent: open.sent,
        dropped: open.dropped,
        errors: open.errors,
        throughput: round((open.replies * 1_000) / open.durationMs, 1),
        schedulingErrorUs: {
          p50: us(open.schedulingError.percentile(50)),
          p90: us(open.schedulingError.percentile(90)),
          p99: us(open.schedulingError.percentile(99)),
          max: us(open.schedulingError.maxMs),
        },
        latencyMs: open.latency.summary(),
      },
    };
  } finally {
    await endpoint.stop();
  }
}

/** `--serve`: the endpoint itself (child process). Prints its URL, exits when stdin closes. */
async function serve(): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  app.addContentTypeParser(['application/fhir+json'], { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.post('/predict', async (request) => {
    const body = request.body as { resourceType?: unknown; entry?: unknown[] };
    return { score: body.resourceType === 'Bundle' ? 0.1 : 0.9, entries: Array.isArray(body.entry) ? body.entry.length : 0 };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`http://127.0.0.1:${address.port}/predict\n`);
  process.stdin.on('end', () => void app.close().then(() => process.exit(0)));
  process.stdin.resume();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--serve')) {
  await serve();
}
