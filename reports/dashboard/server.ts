import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { accessProblem, registerAccess } from './access.ts';
import { DashboardError } from './dashboard-error.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import { ParsedFileCache } from './read-json.ts';
import { registerRoutes } from './routes.ts';
import { DEFAULT_RUN_LIMIT } from './run-index.ts';
import { securityHeaders } from './security-headers.ts';
import { listenForUrl } from '../../simulator/listen.ts';

/**
 * `clinsim serve`: the history of runs in a runs folder, each run's report, and trends of a
 * scenario's figures across runs (docs/dashboard.md). Read-only; every page is read fresh from the
 * folder, and nothing but the allow-listed files of run folders is ever served.
 */

export interface DashboardAppOptions {
  /** The runs folder (`.clinsim/runs` by default in the CLI); it may not exist yet. */
  readonly runsDir: string;
  /** Required on every request when set (see access.ts). */
  readonly token?: string;
  /** Newest runs read per request. */
  readonly limit?: number;
  readonly logger?: boolean;
}

export interface DashboardOptions extends DashboardAppOptions {
  /** Default 127.0.0.1; anything beyond loopback needs `token`. */
  readonly host?: string;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
}

export interface Dashboard {
  /** e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  close(): Promise<void>;
}

function errorPage(status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Error';
  return page(title, html`<h1>${title}</h1><p>${message}</p><p><a href="/">All runs</a></p>`);
}

/** The fastify app, not listening (tests use `inject`). */
export function buildDashboardApp(options: DashboardAppOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  app.addHook('onRequest', securityHeaders);
  registerAccess(app, options.token);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DashboardError) return reply.code(error.status).type('text/html; charset=utf-8').send(errorPage(error.status, error.message));
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error(error);
    // Internal errors may quote local paths: the page says only that something failed.
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(status, status === 500 ? 'internal error' : error.message.slice(0, 200)));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('text/html; charset=utf-8').send(errorPage(404, `no page ${request.url.split('?')[0]!.slice(0, 200)}`)),
  );

  const limit = options.limit ?? DEFAULT_RUN_LIMIT;
  // Two files per run (manifest.json, report.json), with room for runs that come and go.
  registerRoutes(app, { runsDir: options.runsDir, limit, cache: new ParsedFileCache(4 * limit) });
  return app;
}

/** Starts the dashboard; refuses a host beyond loopback without a token. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const problem = accessProblem(host, options.token);
  if (problem !== null) throw new Error(problem);
  const app = buildDashboardApp(options);
  const url = await listenForUrl(app, host, options.port ?? 0, 'the dashboard');
  let closing: Promise<void> | undefined;
  return {
    url: `${url}/`,
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}
