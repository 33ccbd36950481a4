import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinsim } from '../e2e/cli.ts';
import { handMadeRun } from './dashboard-fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/clinsim.js', import.meta.url));

/** `clinsim serve` as a user runs it: a separate node process. */
describe('clinsim serve (CLI)', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'clinsim-dashboard-cli-'));
    await handMadeRun(join(base, 'runs'), 'cli-run', { 'manifest.json': '{}' });
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('refuses a host beyond loopback without a token (exit code 2), and takes no token flag', async () => {
    const open = await clinsim(['serve', '--host', '0.0.0.0'], { env: { CLINSIM_DASHBOARD_TOKEN: '' } });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('clinsim serve: binding 0.0.0.0 (beyond loopback) needs a token: set CLINSIM_DASHBOARD_TOKEN');
    // A token on the command line would show in process lists.
    const flag = await clinsim(['serve', '--token', 'dashboard-token-0123456789']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--token'");
  });

  it('prints its URL, serves the runs folder, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--runs', join(base, 'runs')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLINSIM_DASHBOARD_TOKEN: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; stderr: ${stderr}`)), 30_000);
        child.stdout.on('data', () => {
          const match = /listening on (http:\/\/\S+)/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}; stderr: ${stderr}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(stdout).toContain('no token: open to this machine only');
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-run="cli-run"');
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(stderr).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
