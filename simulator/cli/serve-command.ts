import { join } from 'node:path';
import { z } from 'zod';
import { startDashboard, type Dashboard } from '../../reports/dashboard/server.ts';
import { accessProblem, isLoopbackHost, TOKEN_ENV } from '../../reports/dashboard/access.ts';
import { DEFAULT_RUN_LIMIT } from '../../reports/dashboard/run-index.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { intFlag, parseFlags } from './flags.ts';
import { untilStopped } from './until-stopped.ts';

interface TextOut {
  write(text: string): unknown;
}

export const SERVE_HELP = `serve [--runs dir] [--port P] [--host H] [--limit N]   dashboard of past runs

Serves a read-only dashboard of the runs folder until interrupted: the runs newest first (scenario,
start time, status, verdict, headline figure, failed gates), each run's report (report.html when
the run has one), and trends of a chosen figure across runs of a scenario, one line per arm.
See docs/dashboard.md.

Options:
  --runs dir   the runs folder (default .clinsim/runs)
  --port P     port to listen on (default 0: an ephemeral port)
  --host H     interface to bind (default 127.0.0.1); beyond loopback, ${TOKEN_ENV} must be set
  --limit N    newest runs read per page (default ${DEFAULT_RUN_LIMIT})

Set ${TOKEN_ENV} (at least 16 characters) to require the token on every request: send
"Authorization: Bearer <token>", or open the printed address once with ?token=<token> in a browser.`;

const ServeFlags = z.object({
  runs: z.string().min(1).optional(),
  port: intFlag(0, 65_535).optional(),
  host: z.string().min(1).optional(),
  limit: intFlag(1, 100_000).optional(),
});

/** `clinsim serve`: exit 0 after a clean stop, 2 for bad options (or no token beyond loopback), 3 when it cannot listen. */
export async function serveCommand(
  argv: readonly string[],
  io: { stdout: TextOut; stderr: TextOut },
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { flags, positionals } = parseFlags(
    'serve',
    argv,
    { runs: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, limit: { type: 'string' } },
    ServeFlags,
  );
  if (positionals.length > 0) throw new InputError(`clinsim serve: unexpected argument "${positionals[0]}"`);
  const host = flags.host ?? '127.0.0.1';
  const token = env[TOKEN_ENV] === '' ? undefined : env[TOKEN_ENV];
  const problem = accessProblem(host, token);
  if (problem !== null) throw new InputError(`clinsim serve: ${problem}`);
  const runsDir = flags.runs ?? join('.clinsim', 'runs');

  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({ runsDir, host, port: flags.port ?? 0, ...(token === undefined ? {} : { token }), ...(flags.limit === undefined ? {} : { limit: flags.limit }) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      io.stderr.write(`clinsim serve: cannot listen: ${(error as Error).message}\n`);
      return EXIT.couldNotRun;
    }
    throw error;
  }
  const access = token === undefined
    ? '  no token: open to this machine only'
    : `  token required (${TOKEN_ENV}): send "Authorization: Bearer <token>" or open ${dashboard.url}?token=<token> once`;
  const exposure = isLoopbackHost(host) ? '' : `  bound to ${host}: reachable beyond this machine\n`;
  io.stdout.write(`clinsim dashboard listening on ${dashboard.url}\n  runs: ${runsDir}\n${access}\n${exposure}  (Ctrl-C to stop)\n`);
  await untilStopped(signal);
  await dashboard.close();
  return EXIT.pass;
}
