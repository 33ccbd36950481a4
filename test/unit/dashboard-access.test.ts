import { describe, expect, it } from 'vitest';
import { accessProblem, isLoopbackHost, withoutToken } from '../../reports/dashboard/access.ts';

describe('dashboard access rules', () => {
  it('knows loopback hosts from the rest', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '[::]', '192.168.1.10', '10.0.0.1', 'example.org', 'localhost.example.org', '128.0.0.1', '']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('requires a token beyond loopback, and a long enough one wherever it is given', () => {
    expect(accessProblem('127.0.0.1', undefined)).toBeNull();
    expect(accessProblem('0.0.0.0', undefined)).toMatch(/needs a token: set CLINSIM_DASHBOARD_TOKEN/);
    expect(accessProblem('192.168.1.10', undefined)).toMatch(/needs a token/);
    expect(accessProblem('0.0.0.0', 'a-token-of-24-characters')).toBeNull();
    expect(accessProblem('0.0.0.0', 'short')).toMatch(/at least 16 characters/);
    expect(accessProblem('127.0.0.1', 'short')).toMatch(/at least 16 characters/);
  });

  it('drops the token from the redirect address and never redirects to another site', () => {
    expect(withoutToken('/trends?scenario=s&token=abc&metric=auroc')).toBe('/trends?scenario=s&metric=auroc');
    expect(withoutToken('/?token=abc')).toBe('/');
    expect(withoutToken('/runs/r1/?token=abc')).toBe('/runs/r1/');
    expect(withoutToken('//evil.example/path?token=abc')).toBe('/evil.example/path');
    expect(withoutToken('/\\evil.example/?token=abc')).toBe('/evil.example/');
    expect(withoutToken('\\\\evil.example?token=abc')).toBe('/evil.example');
  });
});
