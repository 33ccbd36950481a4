import { z } from 'zod';
import { TaskName } from '../case.ts';
import { tasks } from '../cohort/tasks.ts';
import { tableDrift, type TableDrift } from '../metrics/arm-drift.ts';
import { writeFileAtomic } from '../run/atomic-write.ts';
import { num, textTable } from '../../reports/format.ts';
import { readFeatureTable, type FeatureTable } from './drift-input.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { parseFlags } from './flags.ts';

const DriftFlags = z.object({
  reference: z.string().min(1),
  current: z.string().min(1),
  task: TaskName.default('sepsis'),
  scope: z.enum(['latest-encounter', 'patient']).default('latest-encounter'),
  out: z.string().min(1).optional(),
  quiet: z.boolean().optional(),
});

/**
 * Pseudonym key for importing FHIR data when CLINSIM_PSEUDONYM_SALT is not set. Import needs one
 * (ids are pseudonymized as they are read), but nothing `drift` outputs comes from an identifier:
 * only the distributions of the tabular view's columns (age, sex, measurements), so the key does
 * not change any output and need not be secret here.
 */
const INTERNAL_SALT = 'clinsim-drift: identifiers are not output';

export const DRIFT_HELP = `drift --reference <data> --current <data> [--task T] [--out drift.json]   input drift between two datasets

Compares the task's tabular view (the columns of clinsim generate --format csv) of two datasets,
feature by feature, with Evidently's default tests and thresholds (docs/metrics.md, "Drift"):
PSI, KS (numeric), normed Wasserstein (numeric), Jensen-Shannon, and a drift decision per feature;
then the share of drifted features.

<data>: a .csv in the clinsim generate --format csv layout (or a folder holding <task>.csv), or
FHIR R4 data (a folder or file of Bulk Data NDJSON or Bundles), each patient read as one row.
--task T: sepsis (default), note-triage or med-safety: which tabular view.
--scope latest-encounter|patient: what of a FHIR patient makes the row (default latest-encounter,
as a scenario's cohort.source). FHIR ids are pseudonymized with CLINSIM_PSEUDONYM_SALT when set,
else a fixed key: no identifier is output.
--out file: also write the figures as JSON.
Exit 0 whatever drifted: drift is information, not a gate (gate a run on driftShare instead).`;

export async function driftCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags(
    'drift',
    argv,
    {
      reference: { type: 'string' },
      current: { type: 'string' },
      task: { type: 'string' },
      scope: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    DriftFlags,
  );
  if (positionals.length > 0) throw new InputError(`clinsim drift: unexpected argument "${positionals[0]}"`);
  const task = tasks[flags.task];
  const salt = process.env.CLINSIM_PSEUDONYM_SALT || INTERNAL_SALT;
  const read = { salt, scope: flags.scope } as const;
  const reference = await readFeatureTable(flags.reference, task, read);
  const current = await readFeatureTable(flags.current, task, read);
  for (const t of [reference, current]) {
    if (t.rows === 0) throw new InputError(`clinsim drift: ${t.path}: no rows to compare`);
  }
  const drift = tableDrift(task.table.features, (f) => reference.columns.get(f)!, (f) => current.columns.get(f)!);
  const result = {
    task: task.name,
    reference: describe(reference),
    current: describe(current),
    ...drift,
  };
  if (flags.out !== undefined) await writeFileAtomic(flags.out, JSON.stringify(result, null, 2) + '\n');
  if (!flags.quiet) io.stdout.write(renderDrift(task.name, reference, current, drift));
  return EXIT.pass;
}

function describe(t: FeatureTable): { path: string; format: 'csv' | 'fhir'; rows: number } {
  return { path: t.path, format: t.format, rows: t.rows };
}

/** The console table of `clinsim drift`. */
export function renderDrift(task: string, reference: FeatureTable, current: FeatureTable, drift: TableDrift): string {
  const rows = drift.features.map((f) => [
    f.name,
    f.kind,
    `${f.n.reference}/${f.n.current}`,
    `${f.missing.reference}/${f.missing.current}`,
    f.test ?? '—',
    f.test === null ? 'n/a' : `${num(f.score)} (${['ks', 'chisquare', 'z'].includes(f.test) ? 'p <' : '≥'} ${f.threshold})`,
    num(f.psi),
    f.drift === null ? 'no data' : f.drift ? 'DRIFT' : 'no',
  ]);
  const share = drift.driftShare === null ? 'n/a' : `${drift.drifted} of ${drift.decided} features (${(drift.driftShare * 100).toFixed(1)}%)`;
  const lines = [
    `drift (${task}): reference ${reference.path} (${reference.rows} rows, ${reference.format}) → current ${current.path} (${current.rows} rows, ${current.format})`,
    textTable(['feature', 'kind', 'n ref/cur', 'missing', 'test', 'score (drift when)', 'PSI', 'drift'], rows),
    '',
    `drift share: ${share}; dataset drift: ${drift.datasetDrift === null ? 'n/a' : drift.datasetDrift ? 'yes' : 'no'} (at 50% of features)`,
  ];
  if (drift.notAvailable > 0) lines.push(`${drift.notAvailable} feature(s) without data on a side: not judged`);
  return lines.join('\n') + '\n';
}
