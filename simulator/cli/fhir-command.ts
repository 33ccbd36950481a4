import { z } from 'zod';
import { TaskName } from '../case.ts';
import { tasks } from '../cohort/tasks.ts';
import { startFhirSandbox, type FhirSandbox } from '../fhir/sandbox/index.ts';
import { DEFAULT_UPLOAD_BATCH, uploadCohort, type UploadProgress, type UploadResult } from '../fhir/upload.ts';
import type { CohortOptions } from '../cohort/task.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { intFlag, parseFlags } from './flags.ts';
import { untilStopped } from './until-stopped.ts';

interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
}

interface Io {
  stdout: TextOut;
  stderr: TextOut;
}

export const FHIR_HELP = `fhir serve --task T --size N --seed S [--prevalence p] [--port P] [--host H]   serve a cohort as a FHIR R4 server

Generates the cohort, loads it into an in-memory FHIR engine (@medplum/fhir-router) and serves it
until interrupted, at http://127.0.0.1:<port>/fhir/R4: GET /metadata, read, search (by patient,
code, date, ...; _count/_offset paging with next links), create/update/patch/delete, history, and
batch/transaction POST to the base. Resources keep their generated ids; references are Type/id.
--size 0 starts an empty server (e.g. for clinsim generate --to). See docs/fhir-sandbox.md.

Options:
  --task T         cohort task (${TaskName.options.join(', ')}); needed when --size > 0
  --size N         patients 0..N-1 (0 for an empty server)
  --seed S         cohort seed; needed when --size > 0
  --prevalence p   target prevalence (task default when omitted)
  --port P         port to listen on (default 0: an ephemeral port)
  --host H         interface to bind (default 127.0.0.1)
  --verbose        log every request`;

const ServeFlags = z.object({
  task: TaskName.optional(),
  size: intFlag(0, 1_000_000),
  seed: intFlag(0, Number.MAX_SAFE_INTEGER).optional(),
  prevalence: z
    .string()
    .transform(Number)
    .pipe(z.number().gt(0, 'must be above 0').lt(1, 'must be below 1'))
    .optional(),
  port: intFlag(0, 65_535).optional(),
  host: z.string().min(1).optional(),
  verbose: z.boolean().optional(),
});

function formatCounts(byType: Readonly<Record<string, number>>): string {
  return Object.entries(byType)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
}

async function serve(argv: readonly string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { flags, positionals } = parseFlags(
    'fhir serve',
    argv,
    {
      task: { type: 'string' },
      size: { type: 'string' },
      seed: { type: 'string' },
      prevalence: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      verbose: { type: 'boolean' },
    },
    ServeFlags,
  );
  if (positionals.length > 0) throw new InputError(`clinsim fhir serve: unexpected argument "${positionals[0]}"`);
  if (flags.size > 0 && flags.task === undefined) throw new InputError('clinsim fhir serve: --task: required when --size is above 0');
  if (flags.size > 0 && flags.seed === undefined) throw new InputError('clinsim fhir serve: --seed: required when --size is above 0');
  if (flags.task !== undefined && !tasks[flags.task]) throw new InputError(`clinsim fhir serve: --task: ${flags.task} has no cohort generator yet`);

  const loading = new AbortController();
  const interrupted = () => loading.abort(new Error('interrupted while loading'));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let sandbox: FhirSandbox;
  try {
    io.stderr.write(flags.size > 0 ? `loading ${flags.size} ${flags.task} patients (seed ${flags.seed})...\n` : 'starting an empty FHIR sandbox...\n');
    sandbox = await startFhirSandbox({
      task: flags.task ?? 'sepsis',
      size: flags.size,
      seed: flags.seed ?? 0,
      ...(flags.prevalence === undefined ? {} : { prevalence: flags.prevalence }),
      ...(flags.host === undefined ? {} : { host: flags.host }),
      port: flags.port ?? 0,
      logger: flags.verbose ?? false,
      signal: loading.signal,
    });
  } catch (error) {
    if (loading.signal.aborted) {
      io.stderr.write('clinsim fhir serve: interrupted while loading\n');
      return EXIT.pass;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      io.stderr.write(`clinsim fhir serve: cannot listen: ${(error as Error).message}\n`);
      return EXIT.couldNotRun;
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  const counts = sandbox.resources > 0 ? ` (${formatCounts(sandbox.byType)})` : '';
  io.stdout.write(
    `FHIR R4 sandbox listening on ${sandbox.url}\n` +
      `  ${sandbox.patients} ${flags.size > 0 ? `${flags.task} ` : ''}patients, ${sandbox.resources} resources${counts}, loaded in ${(sandbox.loadMs / 1000).toFixed(1)} s\n` +
      `  try: curl '${sandbox.url}/Patient?_count=5'    (Ctrl-C to stop)\n`,
  );
  await untilStopped(signal);
  await sandbox.close();
  return EXIT.pass;
}

/** `clinsim fhir <subcommand>`; today only `serve`. `signal` stops a running server (tests). */
export async function fhirCommand(argv: readonly string[], io: Io, signal?: AbortSignal): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'serve') return serve(rest, io, signal);
  throw new InputError(`clinsim fhir: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}; use "clinsim fhir serve"\n\n${FHIR_HELP}`);
}

/** Progress of an upload on stderr: in a terminal one line redrawn in place, elsewhere a line per batch. */
function uploadProgressPrinter(stream: TextOut, quiet: boolean): { update(p: UploadProgress): void; finish(): void } {
  if (quiet) return { update: () => undefined, finish: () => undefined };
  const tty = stream.isTTY === true;
  const started = performance.now();
  let drawn = false;
  return {
    update(p) {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? p.patientsDone / seconds : 0;
      const line = `upload: batch ${p.batchesDone}/${p.batchesTotal} · ${p.patientsDone}/${p.patientsTotal} patients · ${p.resources} resources · ${rate.toFixed(0)} patients/s`;
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

export interface UploadFlags {
  readonly task: TaskName;
  readonly cohort: CohortOptions;
  readonly size: number;
  readonly to: string;
  readonly batch?: number;
  readonly quiet?: boolean;
}

/** `clinsim generate --to <base>`: uploads the cohort with progress on stderr and a summary on stdout. */
export async function uploadFromCli(flags: UploadFlags, io: Io): Promise<UploadResult> {
  const task = tasks[flags.task];
  if (!task) throw new InputError(`clinsim generate: --task: ${flags.task} has no cohort generator yet`);
  const progress = uploadProgressPrinter(io.stderr, flags.quiet ?? false);
  const controller = new AbortController();
  const interrupted = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupted);
  try {
    const result = await uploadCohort({
      task,
      cohort: flags.cohort,
      size: flags.size,
      baseUrl: flags.to,
      batch: flags.batch ?? DEFAULT_UPLOAD_BATCH,
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.finish();
    if (!flags.quiet) {
      io.stdout.write(
        `uploaded ${result.patients} ${flags.task} patients (${result.resources} resources: ${formatCounts(result.byType)}) ` +
          `to ${flags.to} in ${result.batches} transactions in ${(result.ms / 1000).toFixed(1)} s\n`,
      );
    }
    return result;
  } finally {
    progress.finish();
    process.off('SIGINT', interrupted);
  }
}
