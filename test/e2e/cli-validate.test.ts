import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS, writeBrokenFhir } from '../fixtures/bad-scenarios.ts';
import { clinsim } from './cli.ts';

const SYNTHEA = new URL('../../../shared/fixtures/synthea-bulk-10/', import.meta.url).pathname;

describe('clinsim validate checks scenario files without running them', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let requests = 0;

  const good = (name: string, extra = '') => `import { defineScenario, shift } from 'clinsim';
export default defineScenario({
  name: '${name}',
  task: 'sepsis',
  cohort: { size: 50, seed: 1 },
  target: { adapter: 'http-json', url: '\${VALIDATE_MODEL_URL}/predict', auth: { bearerEnv: 'VALIDATE_TOKEN' } },
  arms: { baseline: [], older: [shift.age({ mean: 80, sd: 8 })] },
  gates: { 'auroc[baseline]': '>= 0.7' },${extra}
});
`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-validate-'));
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"score": 0.5}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await writeFile(join(dir, 'good.scenario.ts'), good('good'));
    await writeFile(join(dir, 'repeats.scenario.ts'), good('repeated', '\n  repeats: 3,'));
    await writeFile(join(dir, 'same-name.scenario.ts'), good('good'));
    await writeFile(
      join(dir, 'imported.scenario.ts'),
      `export default { name: 'imported', task: 'sepsis', cohort: { seed: 1, source: { path: ${JSON.stringify(SYNTHEA)} } }, arms: { baseline: [] } };\n`,
    );
    await writeBrokenFhir(dir);
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({ VALIDATE_MODEL_URL: url, VALIDATE_TOKEN: 'validate-token', CLINSIM_PSEUDONYM_SALT: 'validate-key' });

  it('prints one ok line per valid file, calls nothing and writes nothing', async () => {
    const files = ['good.scenario.ts', 'repeats.scenario.ts', 'imported.scenario.ts'];
    const result = await clinsim(['validate', ...files], { cwd: dir, env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      'ok good.scenario.ts: good (sepsis, 50 cases × 2 arms)',
      'ok repeats.scenario.ts: repeated (sepsis, 50 cases × 2 arms × 3 repeats)',
      // The imported cohort's patients are counted by reading the data through.
      'ok imported.scenario.ts: imported (sepsis, 13 cases × 1 arm)',
    ]);
    expect(requests).toBe(0);
    expect((await readdir(dir)).filter((n) => n.startsWith('.clinsim'))).toEqual([]);
  });

  it('applies the overrides clinsim run would be given', async () => {
    const result = await clinsim(['validate', 'good.scenario.ts', '--size', '7', '--seed', '3'], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ok good.scenario.ts: good (sepsis, 7 cases × 2 arms)\n');

    const bad = await clinsim(['validate', 'good.scenario.ts', '--size', '0'], { cwd: dir, env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--size');
  });

  it('answers every malformed variant with its file and field path, and exit 2', async () => {
    const files: string[] = [];
    for (const [i, variant] of VARIANTS.entries()) {
      const file = join(dir, `variant-${i}.scenario.ts`);
      await writeFile(file, variant.source(`${url}/variant-${i}/predict`));
      files.push(file);
    }
    // The import variants need their own environment (one of them checks the key is missing).
    const plain = VARIANTS.map((v, i) => [v, files[i]!] as const).filter(([v]) => v.env === undefined);
    const result = await clinsim(['validate', ...plain.map(([, file]) => file)], { cwd: dir, env: env(), timeoutMs: 180_000 });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const [variant, file] of plain) {
      expect(result.stderr, variant.name).toContain(`${file}: ${variant.expected[0]}`);
      for (const part of variant.expected.slice(1)) expect(result.stderr, variant.name).toContain(part);
    }
    expect(result.stderr).toContain(`${plain.length} of ${plain.length} scenario files have problems`);

    for (const [i, variant] of VARIANTS.entries()) {
      if (variant.env === undefined) continue;
      const one = await clinsim(['validate', files[i]!], { cwd: dir, env: { ...env(), ...variant.env } });
      expect(one.code, variant.name).toBe(2);
      if (variant.dataProblem) expect(one.stderr).toMatch(variant.dataProblem);
      else expect(one.stderr).toContain(`${files[i]}: ${variant.expected[0]}`);
    }
    expect(requests).toBe(0);
  });

  it('reports the bad files of a mix and still confirms the good ones', async () => {
    const result = await clinsim(['validate', 'good.scenario.ts', 'same-name.scenario.ts', 'missing.scenario.ts'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('ok good.scenario.ts: good (sepsis, 50 cases × 2 arms)\n');
    expect(result.stderr).toContain('same-name.scenario.ts: name: scenario name "good" is also used by good.scenario.ts');
    expect(result.stderr).toContain('missing.scenario.ts: cannot read scenario file');
    expect(result.stderr).toContain('2 of 3 scenario files have problems');
  });

  it('reports an unset credential variable as run would', async () => {
    const result = await clinsim(['validate', 'good.scenario.ts'], { cwd: dir, env: { ...env(), VALIDATE_TOKEN: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('good.scenario.ts: target.auth.bearerEnv: environment variable VALIDATE_TOKEN is not set');
  });

  it('needs at least one file', async () => {
    const result = await clinsim(['validate'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give one or more scenario files');
  });
});
