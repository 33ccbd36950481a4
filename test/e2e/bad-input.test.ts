import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS, writeBrokenFhir } from '../fixtures/bad-scenarios.ts';
import { clinsim } from './cli.ts';

/*
 * Malformed input, one variant per scenario file, as a user runs the CLI: every variant is answered
 * with exit 2 and a message naming the file and the field path, before any call is made (a counting
 * server that every variant's target points at sees no request) and without a run folder that could
 * pass for a finished one.
 */

describe('bad input is answered with exit 2 before any call', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const requests = new Map<string, number>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-bad-input-'));
    await writeBrokenFhir(dir);
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      requests.set(path, (requests.get(path) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"score": 0.5}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
    // No variant reached the endpoint, under its own path or any other.
    expect([...requests.entries()]).toEqual([]);
  });

  it.concurrent.each(VARIANTS.map((v, i) => [v.name, v, i] as const))('%s', async (_, variant, i) => {
    const file = join(dir, `variant-${i}.scenario.ts`);
    const endpoint = `${base}/variant-${i}/predict`;
    await writeFile(file, variant.source(endpoint));
    const out = join(dir, `run-${i}`);
    const result = await clinsim(['run', file, '--out', out, '--quiet'], { cwd: dir, env: variant.env, timeoutMs: 60_000 });

    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    if (variant.dataProblem) {
      expect(result.stderr).toMatch(variant.dataProblem);
    } else {
      expect(result.stderr).toContain(`${file}: ${variant.expected[0] ?? ''}`);
      for (const part of variant.expected.slice(1)) expect(result.stderr).toContain(part);
    }
    expect(requests.get(`/variant-${i}/predict`) ?? 0).toBe(0);
    // Nothing that looks like a finished run: no report, no manifest, at most an empty folder.
    const left = await stat(out).catch(() => null);
    if (left) {
      await expect(stat(join(out, 'report.json'))).rejects.toThrow();
      await expect(stat(join(out, 'manifest.json'))).rejects.toThrow();
    }
  });
});

describe('bad flags and run-level problems are answered with exit 2', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-bad-flags-'));
    const good = (name: string) =>
      `export default { name: '${name}', task: 'sepsis', cohort: { size: 5, seed: 1 }, target: { adapter: 'http-json', url: 'http://127.0.0.1:9/predict' }, arms: { baseline: [] } };\n`;
    await writeFile(join(dir, 'a.scenario.ts'), good('same'));
    await writeFile(join(dir, 'b.scenario.ts'), good('same'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const FLAGS: readonly (readonly [string, readonly string[], string])[] = [
    ['a seed that is not an integer', ['--seed', '1.5'], '--seed'],
    ['a negative size', ['--size', '-4'], '--size'],
    ['an absurd size', ['--size', '99999999999'], '--size'],
    ['an unknown flag', ['--sizes', '3'], '--sizes'],
    ['a target that is not a URL', ['--target', 'nowhere'], '--target nowhere'],
    ['an unknown adapter on the command line', ['--target', 'grpc+http://127.0.0.1:9/x'], '--target grpc+http://127.0.0.1:9/x: adapter:'],
  ];

  it.concurrent.each(FLAGS)('%s', async (_, flags, named) => {
    const result = await clinsim(['run', join(dir, 'a.scenario.ts'), ...flags, '--out', join(dir, 'never')], { cwd: dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(named);
    await expect(stat(join(dir, 'never'))).rejects.toThrow();
  });

  it('refuses two scenarios of one name, naming the file and field', async () => {
    const b = join(dir, 'b.scenario.ts');
    const result = await clinsim(['run', join(dir, 'a.scenario.ts'), b, '--out', join(dir, 'never-2')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${b}: name:`);
    await expect(stat(join(dir, 'never-2'))).rejects.toThrow();
  });

  it('refuses a scenario file that does not exist, naming it', async () => {
    const missing = join(dir, 'missing.scenario.ts');
    const result = await clinsim(['run', missing], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${missing}: cannot read scenario file`);
  });
});
