/**
 * Credentials from the environment, as a user runs the CLI: the target's `auth` names a variable,
 * the run sends its value to the model and writes it nowhere (no file of the run folder, nothing
 * on stdout or stderr); a named variable that is not set stops the run before any call (exit 2).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinsim } from './cli.ts';

const SIZE = 20;
const TOKEN = `tok-${randomBytes(16).toString('hex')}`;
const API_KEY = `key-${randomBytes(16).toString('hex')}`;

let server: FastifyInstance;
let base: string;
let dir: string;
const requests = { bearer: 0, apiKey: 0, refused: 0, open: 0 };

/** Every file under a folder, recursively. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function scenarioFile(name: string, auth: string): Promise<string> {
  const file = join(dir, `${name}.scenario.ts`);
  await writeFile(
    file,
    `import { defineScenario } from 'clinsim';
export default defineScenario({
  name: '${name}',
  task: 'sepsis',
  cohort: { size: ${SIZE}, seed: 3 },
  target: { adapter: 'http-json', url: '\${MODEL_URL}/${name}', retries: 0, auth: ${auth} },
  arms: { baseline: [] },
});
`,
  );
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clinsim-auth-'));
  server = Fastify();
  server.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
  server.post('/bearer', async (req, reply) => {
    requests.bearer++;
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply.code(401).send({ error: 'unauthorized' });
    return { score: 0.2 };
  });
  server.post('/api-key', async (req, reply) => {
    requests.apiKey++;
    if (req.headers['x-api-key'] !== API_KEY) return reply.code(401).send({ error: 'unauthorized' });
    return { score: 0.2 };
  });
  server.post('/unset', async () => {
    requests.refused++;
    return { score: 0.2 };
  });
  server.post('/open', async () => {
    requests.open++;
    return { score: 0.2 };
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('clinsim run with credentials from the environment', () => {
  it.each([
    { name: 'bearer', auth: `{ bearerEnv: 'MODEL_TOKEN' }`, env: { MODEL_TOKEN: TOKEN }, secret: TOKEN, count: () => requests.bearer },
    { name: 'api-key', auth: `{ header: 'X-API-Key', valueEnv: 'MODEL_KEY' }`, env: { MODEL_KEY: API_KEY }, secret: API_KEY, count: () => requests.apiKey },
  ])('sends $name credentials and writes them nowhere', async ({ name, auth, env, secret, count }) => {
    const file = await scenarioFile(name, auth);
    const out = join(dir, `run-${name}`);
    const result = await clinsim(['run', file, '--out', out, '--resamples', '20'], { cwd: dir, env: { ...env, MODEL_URL: base } });
    expect(result.stderr).not.toMatch(/could not run/);
    expect(result.code).toBe(0);
    // The server refused every request without the right credential: all answered means all carried it.
    expect(count()).toBe(SIZE);
    const journal = (await readFile(join(out, 'results.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { outcome: string });
    expect(journal).toHaveLength(SIZE);
    expect(journal.every((r) => r.outcome === 'ok')).toBe(true);

    const files = await filesUnder(out);
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(expect.arrayContaining(['manifest.json', 'report.json', 'results.jsonl', 'summary.md']));
    const needle = Buffer.from(secret, 'utf8');
    for (const f of files) expect({ file: f, holdsSecret: (await readFile(f)).includes(needle) }).toEqual({ file: f, holdsSecret: false });
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  });

  it('stops with exit 2 before any call when the named variable is not set', async () => {
    const file = await scenarioFile('unset', `{ bearerEnv: 'CLINSIM_TEST_UNSET_TOKEN' }`);
    const out = join(dir, 'run-unset');
    const result = await clinsim(['run', file, '--out', out], { cwd: dir, env: { MODEL_URL: base, CLINSIM_TEST_UNSET_TOKEN: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: target.auth.bearerEnv: environment variable CLINSIM_TEST_UNSET_TOKEN is not set`);
    expect(requests.refused).toBe(0);
    await expect(readdir(out)).rejects.toThrow();
  });

  it("does not require the scenario's own credential when --target replaces its target", async () => {
    const file = await scenarioFile('replaced', `{ bearerEnv: 'CLINSIM_TEST_UNSET_TOKEN' }`);
    const out = join(dir, 'run-replaced');
    const result = await clinsim(['run', file, '--target', `${base}/open`, '--out', out, '--resamples', '20'], {
      cwd: dir,
      env: { MODEL_URL: base, CLINSIM_TEST_UNSET_TOKEN: undefined },
    });
    expect(result.stderr).not.toContain('CLINSIM_TEST_UNSET_TOKEN');
    expect(result.code).toBe(0);
    expect(requests.open).toBe(SIZE);
  });

  it("answers a --target credential that cannot be sent (a trailing newline) with exit 2 before the run", async () => {
    const file = await scenarioFile('flag-key', `{ bearerEnv: 'CLINSIM_TEST_UNSET_TOKEN' }`);
    const out = join(dir, 'run-flag-key');
    const before = requests.open;
    const result = await clinsim(['run', file, '--target', `openai+${base}/open`, '--out', out], {
      cwd: dir,
      env: { MODEL_URL: base, OPENAI_API_KEY: `${TOKEN}\n` },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--target openai+');
    expect(result.stderr).toContain('auth.bearerEnv: environment variable OPENAI_API_KEY holds a value that cannot be sent in an HTTP header');
    expect(result.stderr).not.toContain(TOKEN);
    expect(requests.open).toBe(before);
    await expect(readdir(out)).rejects.toThrow();
  });
});
