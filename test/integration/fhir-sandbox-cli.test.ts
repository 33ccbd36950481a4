import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Bundle } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { clinsim } from '../e2e/cli.ts';

/** `clinsim fhir serve` and `clinsim generate --to` as a user runs them: separate node processes. */

const BIN = fileURLToPath(new URL('../../bin/clinsim.js', import.meta.url));

/** Observations of the served cohort (seed 5, 20 patients), computed from the generated bundles:
 * with baseline missingness not every lab is in every bundle. */
const OBSERVATIONS = Array.from({ length: 20 }, (_, i) => tasks.sepsis.generate({ seed: 5 }, i).bundle).reduce(
  (n, b) => n + (b.entry ?? []).filter((e) => e.resource?.resourceType === 'Observation').length,
  0,
);

describe('clinsim fhir serve + clinsim generate --to', () => {
  let server: ChildProcessWithoutNullStreams;
  let url: string;
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    server = spawn(process.execPath, [BIN, 'fhir', 'serve', '--task', 'sepsis', '--size', '20', '--seed', '5'], { stdio: 'pipe' });
    server.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    server.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; stderr: ${stderr}`)), 30_000);
      server.stdout.on('data', () => {
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      server.on('exit', (code) => reject(new Error(`fhir serve exited with ${code}; stderr: ${stderr}`)));
    });
  });
  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
  });

  it('prints the base URL and the counts, and serves the cohort', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/R4$/);
    expect(OBSERVATIONS).toBeLessThan(20 * 11); // some labs were not ordered
    expect(stdout).toMatch(new RegExp(`20 sepsis patients, \\d+ resources \\(Patient 20, Encounter 20, Observation ${OBSERVATIONS}\\b`));
    const res = await fetch(`${url}/Patient?_summary=count`);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(((await res.json()) as Bundle).total).toBe(20);
  });

  it('generate --to uploads in batches with progress on stderr, without --out', async () => {
    const r = await clinsim(['generate', '--task', 'sepsis', '--size', '10', '--seed', '6', '--to', url, '--batch', '4']);
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^upload: batch 1\/3 · 4\/10 patients/),
      expect.stringMatching(/^upload: batch 2\/3 · 8\/10 patients/),
      expect.stringMatching(/^upload: batch 3\/3 · 10\/10 patients/),
    ]);
    expect(r.stdout).toMatch(/^uploaded 10 sepsis patients \(\d+ resources: .*\) to http:\/\/127\.0\.0\.1:\d+\/fhir\/R4 in 3 transactions/);
    const res = await fetch(`${url}/Patient?_summary=count`);
    expect(((await res.json()) as Bundle).total).toBe(30);
  });

  it('generate --to exits 3 naming the batch and the OperationOutcome when the server refuses', async () => {
    const r = await clinsim(['generate', '--task', 'sepsis', '--size', '3', '--seed', '6', '--to', url.replace('/fhir/R4', '/not-fhir')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/could not run: upload failed at batch 1 of 1 \(patients 0\.\.2, \d+ resources\) to .*: HTTP 404, OperationOutcome: error not-found/);
  });

  it('generate answers usage errors with exit 2', async () => {
    const noTarget = await clinsim(['generate', '--task', 'sepsis', '--size', '3', '--seed', '6']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--out: required unless --to is given');
    const badUrl = await clinsim(['generate', '--task', 'sepsis', '--size', '3', '--seed', '6', '--to', 'not a url']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--to:');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
