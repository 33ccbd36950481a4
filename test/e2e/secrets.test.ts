import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinsim, type CliResult } from './cli.ts';

/*
 * Credentials planted where users put them (an environment variable named by `auth.bearerEnv`, the
 * URL's userinfo, an `?api_key=` query parameter) are sent to the endpoint, which refuses calls
 * without them, and appear in no byte of any file of the run folder nor in the CLI's output:
 * for a finished run (some calls failing, a load phase beside the arms) and for an interrupted one.
 */

const BIN = fileURLToPath(new URL('../../bin/clinsim.js', import.meta.url));
const secret = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const BEARER = secret('bearer');
const PASSWORD = secret('password');
const API_KEY = secret('apikey');
const USER = 'clinsim-user';

/** Every form a planted value could take in a file: as is (hex, so also its URL-encoded form) and inside the Basic header. */
const FORBIDDEN = [BEARER, PASSWORD, API_KEY, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** Asserts that no planted value is in any byte of the folder's files or of the output. */
async function expectNoSecret(runDir: string, output: CliResult): Promise<number> {
  const files = await filesUnder(runDir);
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const bytes = await readFile(file);
    for (const s of FORBIDDEN) expect(bytes.includes(Buffer.from(s)), `${file} holds ${s}`).toBe(false);
  }
  for (const s of FORBIDDEN) {
    expect(output.stdout.includes(s), `stdout holds ${s}`).toBe(false);
    expect(output.stderr.includes(s), `stderr holds ${s}`).toBe(false);
  }
  return files.length;
}

describe('secrets never reach an output file', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let authorized = 0;
  let refused = 0;
  let served = 0;

  /** A scenario whose target URL comes from `urlVar`, with the bearer token from the environment when `bearer`. */
  const scenario = (name: string, size: number, options: { urlVar: string; bearer: boolean; extra?: string }) => `import { defineScenario } from 'clinsim';
export default defineScenario({
  name: '${name}',
  task: 'sepsis',
  cohort: { size: ${size}, seed: 5 },
  target: {
    adapter: 'http-json',
    url: '\${${options.urlVar}}',
    retries: 0,
    timeoutMs: 2000,${options.bearer ? "\n    auth: { bearerEnv: 'SECRETS_TEST_TOKEN' }," : ''}
  },
  arms: { baseline: [] },${options.extra ?? ''}
});
`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-secrets-'));
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const auth = req.headers.authorization;
      req.resume();
      if (url.pathname !== '/predict' || url.searchParams.get('api_key') !== API_KEY || (auth !== `Bearer ${BEARER}` && auth !== basic)) {
        refused++;
        res.writeHead(401).end();
        return;
      }
      authorized++;
      const n = served++;
      // Some calls fail, so error records are written too; the server never echoes what it got.
      if (n % 13 === 5) {
        req.socket.destroy();
        return;
      }
      res.writeHead(n % 7 === 3 ? 500 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ score: (n % 10) / 10 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const load = `\n  load: { name: 'beside', executor: 'constant-arrival-rate', rate: 20, duration: '1s', background: true },`;
    await writeFile(join(dir, 'bearer.scenario.ts'), scenario('bearer', 60, { urlVar: 'SECRETS_TEST_URL', bearer: true, extra: load }));
    await writeFile(join(dir, 'basic.scenario.ts'), scenario('basic', 40, { urlVar: 'SECRETS_TEST_BASIC_URL', bearer: false }));
    await writeFile(join(dir, 'long.scenario.ts'), scenario('long', 50_000, { urlVar: 'SECRETS_TEST_URL', bearer: true }));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({
    SECRETS_TEST_TOKEN: BEARER,
    SECRETS_TEST_URL: `http://127.0.0.1:${port}/predict?api_key=${API_KEY}`,
    SECRETS_TEST_BASIC_URL: `http://${USER}:${PASSWORD}@127.0.0.1:${port}/predict?api_key=${API_KEY}`,
  });

  it('a finished run: the endpoint got every credential, no file and no output holds one', async () => {
    const out = join(dir, 'finished');
    const result = await clinsim(['run', 'bearer.scenario.ts', 'basic.scenario.ts', '--out', out, '--resamples', '50'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    // The credentials were used: every call and load request was let in (none refused).
    expect(refused).toBe(0);
    expect(authorized).toBeGreaterThanOrEqual(100);
    const journal = await readFile(join(out, 'results.jsonl'), 'utf8');
    expect(journal).toContain('"outcome":"error"');
    expect(journal).toContain('"outcome":"ok"');
    const files = await expectNoSecret(out, result);
    expect(files).toBeGreaterThanOrEqual(4);
    // The target is still named, with the secrets masked.
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toContain('api_key=REDACTED');
  });

  it('an interrupted run: the partial journal and the manifest hold no credential either', async () => {
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [BIN, 'run', 'long.scenario.ts', '--out', out], {
      cwd: dir,
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    try {
      // Interrupt once cases are being written (bounded: 60 s).
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && ((await stat(join(out, 'results.jsonl')).catch(() => null))?.size ?? 0) < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGINT');
      const code = await closed;
      expect(code, stderr).toBe(3);
    } finally {
      clearTimeout(killer);
    }
    expect(stderr).toContain('interrupted');
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { status: string };
    expect(manifest.status).toBe('interrupted');
    await expect(stat(join(out, 'report.json'))).rejects.toThrow();
    await expectNoSecret(out, { code: 3, stdout, stderr });
  });
});
