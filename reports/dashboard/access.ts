import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';

/**
 * Who may read the dashboard. Bound to loopback without a token, anyone on this machine may (as
 * with `clinsim models`), but only through a loopback host name, which stops DNS rebinding. Bound
 * beyond loopback, a token is required on every request: `Authorization: Bearer <token>`, or a
 * cookie set once from `?token=` (followed by a redirect that drops the token from the address).
 */

/** The token comes from the environment only: a flag would show in process lists. */
export const TOKEN_ENV = 'CLINSIM_DASHBOARD_TOKEN';
export const MIN_TOKEN_LENGTH = 16;
export const SESSION_COOKIE = 'clinsim_dashboard';

/** 127.0.0.0/8, ::1 (with or without brackets) and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** Why the dashboard may not start with this host and token, or null when it may. */
export function accessProblem(host: string, token: string | undefined): string | null {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) return `${TOKEN_ENV} must be at least ${MIN_TOKEN_LENGTH} characters`;
  if (token === undefined && !isLoopbackHost(host)) return `binding ${host} (beyond loopback) needs a token: set ${TOKEN_ENV}`;
  return null;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The cookie holds a value derived from the token, not the token itself. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('clinsim-dashboard-session').digest('base64url');
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** The request's host name without the port. */
function hostName(request: FastifyRequest): string {
  const host = request.headers.host ?? '';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
}

/**
 * The address to send the browser to once the token is in a cookie: the same path and query,
 * without `token`. Leading slashes and backslashes collapse to one slash so that `//host/` or
 * `/\host/` cannot make it a redirect to another site.
 */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  const path = `/${(q < 0 ? url : url.slice(0, q)).replace(/^[/\\]+/, '')}`;
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  query.delete('token');
  const rest = query.toString();
  return rest === '' ? path : `${path}?${rest}`;
}

function tokenInQuery(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
}

function refuse(reply: FastifyReply, status: 401 | 403, message: string | SafeHtml): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="clinsim dashboard"');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page(status === 401 ? 'Token required' : 'Forbidden', html`<h1>${status === 401 ? 'Token required' : 'Forbidden'}</h1><p>${message}</p>`));
}

export function registerAccess(app: FastifyInstance, token: string | undefined): void {
  if (token === undefined) {
    app.addHook('onRequest', async (request, reply) => {
      if (!isLoopbackHost(hostName(request))) return refuse(reply, 403, 'This dashboard answers loopback host names only (127.0.0.1, localhost, [::1]).');
      return undefined;
    });
    return;
  }
  const session = sessionValue(token);
  app.addHook('onRequest', async (request, reply) => {
    const fromQuery = tokenInQuery(request.url);
    if (fromQuery !== undefined) {
      if (!sameSecret(fromQuery, token)) return refuse(reply, 401, 'The token is not valid.');
      reply.header('set-cookie', `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
      return reply.redirect(withoutToken(request.url), 303);
    }
    const fromHeader = bearer(request);
    if (fromHeader !== undefined) {
      return sameSecret(fromHeader, token) ? undefined : refuse(reply, 401, 'The token is not valid.');
    }
    const fromCookie = cookie(request, SESSION_COOKIE);
    if (fromCookie !== undefined && sameSecret(fromCookie, session)) return undefined;
    return refuse(reply, 401, html`Send <code>Authorization: Bearer</code> with the token in ${TOKEN_ENV}, or open this address once with <code>?token=</code>.`);
  });
}
