import { z } from 'zod';
import { EXPORT_FORMATS, writeCohort } from '../cohort/export.ts';
import { tasks } from '../cohort/tasks.ts';
import { TaskName } from '../case.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { intFlag, parseFlags } from './flags.ts';
import { uploadFromCli } from './fhir-command.ts';

const GenerateFlags = z.object({
  task: TaskName,
  size: intFlag(1, 10_000_000),
  seed: intFlag(0, Number.MAX_SAFE_INTEGER),
  out: z.string().min(1).optional(),
  to: z
    .string()
    .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), 'must be the http(s) base URL of a FHIR R4 server')
    .optional(),
  batch: intFlag(1, 10_000).optional(),
  format: z.enum(EXPORT_FORMATS).default('ndjson'),
  prevalence: z
    .string()
    .transform(Number)
    .pipe(z.number().gt(0, 'must be above 0').lt(1, 'must be below 1'))
    .optional(),
  quiet: z.boolean().optional(),
});

export const GENERATE_HELP = `generate --task T --size N --seed S --out dir [--format ndjson|bundle|csv] [--prevalence p] [--to fhir-base [--batch N]]   write (or upload) a synthetic cohort

--format ndjson (default): FHIR Bulk Data style, one <ResourceType>.ndjson file per resource type.
--format bundle: one bundle-NNNNNN.json FHIR Bundle per patient.
--format csv: the task's flat feature table, one <task>.csv (columns in docs/cohorts.md).
The same task, size, seed and prevalence give byte-identical files; patient i depends on (seed, task, i) only.
--to <FHIR base URL>: also (or, without --out, only) upload the cohort to a FHIR R4 server as
transaction Bundles of --batch patients each (default 50): POST entries with urn:uuid fullUrls, so
the server assigns ids and resolves references. A refused batch stops the upload (exit 3) with the
server's OperationOutcome; the batches before it stay on the server.`;

export async function generateCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags(
    'generate',
    argv,
    {
      task: { type: 'string' },
      size: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      to: { type: 'string' },
      batch: { type: 'string' },
      format: { type: 'string' },
      prevalence: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    GenerateFlags,
  );
  if (positionals.length > 0) {
    io.stderr.write(`clinsim generate: unexpected argument "${positionals[0]}"\n`);
    return EXIT.badInput;
  }
  if (flags.out === undefined && flags.to === undefined) throw new InputError('clinsim generate: --out: required unless --to is given');
  if (flags.batch !== undefined && flags.to === undefined) throw new InputError('clinsim generate: --batch: only used with --to');
  if (flags.out !== undefined) {
    const started = performance.now();
    const result = await writeCohort({
      task: tasks[flags.task],
      cohort: { seed: flags.seed, prevalence: flags.prevalence },
      size: flags.size,
      outDir: flags.out,
      format: flags.format,
      hash: true,
    });
    const seconds = (performance.now() - started) / 1000;
    if (!flags.quiet) {
      io.stdout.write(
        `${result.patients} ${flags.task} patients (${result.resources} resources) in ${result.files} files under ${flags.out} ` +
          `in ${seconds.toFixed(1)} s; cohort sha256 ${result.hash ?? 'n/a'}\n`,
      );
    }
  }
  if (flags.to !== undefined) {
    await uploadFromCli({ task: flags.task, cohort: { seed: flags.seed, prevalence: flags.prevalence }, size: flags.size, to: flags.to, batch: flags.batch, quiet: flags.quiet }, io);
  }
  return EXIT.pass;
}
