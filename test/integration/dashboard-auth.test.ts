import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../reports/dashboard/access.ts';
import { CONTENT_SECURITY_POLICY } from '../../reports/dashboard/security-headers.ts';
import { buildDashboardApp, startDashboard } from '../../reports/dashboard/server.ts';
import { handMadeRun } from './dashboard-fixtures.ts';

const TOKEN = 'dashboard-token-for-tests-0123456789';

/**
 * The token layer as it runs beyond loopback. The apps here listen on 127.0.0.1 (or not at all):
 * access is configured with a token, which is what binding beyond loopback requires.
 */
describe('clinsim serve: access', () => {
  let base: string;
  let runs: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'clinsim-dashboard-auth-'));
    runs = join(base, 'runs');
    await handMadeRun(runs, 'only-run', { 'manifest.json': '{}' });
    app = buildDashboardApp({ runsDir: runs, token: TOKEN });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('refuses every page without the token, and with a wrong one', async () => {
    for (const url of ['/', '/trends', '/runs/only-run/', '/runs/only-run/manifest.json', '/no-such-page']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="clinsim dashboard"');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.body).not.toContain('only-run');
    }
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer ', `Basic ${TOKEN}`, TOKEN]) {
      expect((await app.inject({ url: '/', headers: { authorization } })).statusCode, authorization).toBe(401);
    }
    expect((await app.inject({ url: '/', headers: { cookie: `${SESSION_COOKIE}=${TOKEN}` } })).statusCode).toBe(401);
  });

  it('answers a request that carries the token as a bearer', async () => {
    const res = await app.inject({ url: '/', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-run="only-run"');
  });

  it('trades ?token= for an HttpOnly SameSite=Strict cookie and a redirect without the token', async () => {
    const res = await app.inject(`/trends?scenario=x&token=${TOKEN}&metric=auroc`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/trends?scenario=x&metric=auroc');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=/$`));
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;
    const page = await app.inject({ url: '/', headers: { cookie: `other=1; ${cookie}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-run="only-run"');

    const wrong = await app.inject('/?token=not-the-token-at-all-123');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    // The redirect stays on this site whatever the path looks like.
    expect((await app.inject(`//evil.example/?token=${TOKEN}`)).headers.location).toBe('/evil.example/');
  });

  it('on loopback without a token, answers loopback host names only (no DNS rebinding)', async () => {
    const open = buildDashboardApp({ runsDir: runs });
    try {
      for (const host of ['127.0.0.1:8080', 'localhost:8080', 'localhost', '[::1]:8080']) {
        expect((await open.inject({ url: '/', headers: { host } })).statusCode, host).toBe(200);
      }
      for (const host of ['evil.example', 'evil.example:8080', '192.168.1.20:8080', '127.0.0.1.evil.example']) {
        const res = await open.inject({ url: '/', headers: { host } });
        expect(res.statusCode, host).toBe(403);
        expect(res.body).not.toContain('only-run');
      }
    } finally {
      await open.close();
    }
  });

  it('requires the token over a real socket, and refuses to bind beyond loopback without one', async () => {
    await expect(startDashboard({ runsDir: runs, host: '0.0.0.0' })).rejects.toThrow(/needs a token: set CLINSIM_DASHBOARD_TOKEN/);
    await expect(startDashboard({ runsDir: runs, token: 'short' })).rejects.toThrow(/at least 16 characters/);
    const dashboard = await startDashboard({ runsDir: runs, token: TOKEN });
    try {
      expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetch(dashboard.url)).status).toBe(401);
      const ok = await fetch(dashboard.url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('data-run="only-run"');
    } finally {
      await dashboard.close();
    }
  });
});
