import { fileURLToPath } from 'node:url';
import type { TaskName } from '../case.ts';
import { MED_SAFETY_EXPECTED } from './med-safety/expected.ts';
import { NOTE_TRIAGE_EXPECTED } from './note-triage/expected.ts';
import { SEPSIS_EXPECTED } from './sepsis/expected.ts';
import type { Cell, CohortOptions, TaskDefinition } from './task.ts';

/**
 * Documented statistics of a default cohort, and the realised ones of a generated cohort, read
 * through the task's tabular view (what an endpoint sees: task.table). Each task exports its
 * EXPECTED_STATISTICS beside its generator; docs/cohorts.md prints them with `statisticsTable`, and
 * test/unit/cohort-realized.test.ts checks a fresh 20,000-patient cohort against them and that the
 * docs print exactly these tables (one source for the numbers).
 *
 *   node --import tsx simulator/cohort/expected.ts measure <task> [patients] [seed]
 *     prints the realised figures (and the standard deviations the tolerances are derived from)
 *   node --import tsx simulator/cohort/expected.ts table [task]
 *     prints the markdown tables of the documented figures
 */

/** An expected figure and how far a realised one may be from it. */
export interface Figure {
  readonly expected: number;
  readonly tolerance: number;
}

/** A truth figure: the share of rows whose truth cell equals `equals`, or the mean of the column. */
export interface TruthFigure extends Figure {
  readonly column: string;
  readonly equals?: string | number;
}

/** Mean over the rows where the column is present, and the share of rows where it is missing. */
export interface ColumnFigures {
  readonly mean: Figure;
  readonly missing: Figure;
}

export interface ExpectedStatistics {
  readonly task: TaskName;
  /** Where the expected figures come from and what the tolerances are (printed under the table). */
  readonly basis: string;
  readonly truth: readonly TruthFigure[];
  /** Feature columns of the task's tabular view. */
  readonly columns: Readonly<Record<string, ColumnFigures>>;
}

export interface RealizedStatistics {
  readonly patients: number;
  readonly truth: readonly number[];
  readonly columns: Readonly<Record<string, { readonly mean: number | null; readonly missing: number; readonly sd: number | null }>>;
}

/** Every task's documented figures; a task without them does not compile. */
export const EXPECTED_STATISTICS: Readonly<Record<TaskName, ExpectedStatistics>> = {
  sepsis: SEPSIS_EXPECTED,
  'note-triage': NOTE_TRIAGE_EXPECTED,
  'med-safety': MED_SAFETY_EXPECTED,
};

interface Accumulator {
  n: number;
  sum: number;
  sumSq: number;
}

/** Realised figures of patients 0..patients-1 for the figures `expected` names. */
export function realizedStatistics(
  task: TaskDefinition,
  cohort: CohortOptions,
  patients: number,
  expected: Pick<ExpectedStatistics, 'truth' | 'columns'>,
): RealizedStatistics {
  const features = task.table.features;
  const truthColumns = task.table.truth;
  const columnNames = Object.keys(expected.columns);
  const featureIndex = columnNames.map((name) => {
    const i = features.indexOf(name);
    if (i < 0) throw new Error(`${task.name}: no feature column "${name}"`);
    return i;
  });
  const truthIndex = expected.truth.map((f) => {
    const i = truthColumns.indexOf(f.column);
    if (i < 0) throw new Error(`${task.name}: no truth column "${f.column}"`);
    return i;
  });
  const acc: Accumulator[] = columnNames.map(() => ({ n: 0, sum: 0, sumSq: 0 }));
  const truthSums = expected.truth.map(() => 0);
  for (let i = 0; i < patients; i++) {
    const c = task.generate(cohort, i);
    const cells = task.table.featuresOf(c.bundle);
    featureIndex.forEach((fi, j) => {
      const v: Cell | undefined = cells[fi];
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      const a = acc[j]!;
      a.n++;
      a.sum += v;
      a.sumSq += v * v;
    });
    const truth = task.table.truthOf(c.truth);
    expected.truth.forEach((f, j) => {
      const v = truth[truthIndex[j]!];
      if (f.equals !== undefined) truthSums[j]! += String(v) === String(f.equals) ? 1 : 0;
      else if (typeof v === 'number') truthSums[j]! += v;
    });
  }
  const columns: Record<string, { mean: number | null; missing: number; sd: number | null }> = {};
  columnNames.forEach((name, j) => {
    const a = acc[j]!;
    const mean = a.n > 0 ? a.sum / a.n : null;
    columns[name] = {
      mean,
      missing: 1 - a.n / patients,
      sd: a.n > 1 && mean !== null ? Math.sqrt(Math.max(0, (a.sumSq - a.n * mean * mean) / (a.n - 1))) : null,
    };
  });
  return { patients, truth: truthSums.map((s) => s / patients), columns };
}

/** Shortest decimal form of a figure (no float noise). */
function num(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function truthLabel(f: TruthFigure): string {
  return f.equals !== undefined ? `share of \`${f.column}\` = ${f.equals}` : `mean \`${f.column}\``;
}

/** The markdown table of a task's documented figures, as docs/cohorts.md prints it. */
export function statisticsTable(s: ExpectedStatistics): string {
  const lines = [
    '| Figure | Expected | Tolerance (±) |',
    '| --- | --- | --- |',
    ...s.truth.map((f) => `| ${truthLabel(f)} | ${num(f.expected)} | ${num(f.tolerance)} |`),
  ];
  for (const [name, c] of Object.entries(s.columns)) {
    if (c.missing.expected < 1) lines.push(`| mean \`${name}\` (where present) | ${num(c.mean.expected)} | ${num(c.mean.tolerance)} |`);
    lines.push(`| missing \`${name}\` | ${num(c.missing.expected)} | ${num(c.missing.tolerance)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Differences of realised from expected beyond the tolerance, as readable lines (empty: all within). */
export function outsideTolerance(s: ExpectedStatistics, r: RealizedStatistics): string[] {
  const out: string[] = [];
  const check = (label: string, f: Figure, actual: number | null) => {
    if (actual === null || Math.abs(actual - f.expected) > f.tolerance) {
      out.push(`${s.task}: ${label} = ${actual === null ? 'n/a' : num(actual)}, expected ${num(f.expected)} ± ${num(f.tolerance)}`);
    }
  };
  s.truth.forEach((f, j) => check(truthLabel(f), f, r.truth[j]!));
  for (const [name, c] of Object.entries(s.columns)) {
    const real = r.columns[name]!;
    if (c.missing.expected < 1) check(`mean ${name}`, c.mean, real.mean);
    check(`missing ${name}`, c.missing, real.missing);
  }
  return out;
}

async function main(argv: readonly string[]): Promise<void> {
  const { tasks } = await import('./tasks.ts');
  const [command, taskName, patientsArg, seedArg] = argv;
  if (command === 'table') {
    for (const s of Object.values(EXPECTED_STATISTICS)) {
      if (taskName && s.task !== taskName) continue;
      process.stdout.write(`${s.task}\n\n${statisticsTable(s)}\n`);
    }
    return;
  }
  if (command === 'measure' && taskName && Object.hasOwn(tasks, taskName)) {
    const name = taskName as TaskName;
    const patients = Number(patientsArg ?? 400_000);
    const seed = Number(seedArg ?? 1);
    const r = realizedStatistics(tasks[name], { seed }, patients, EXPECTED_STATISTICS[name]);
    // 4 standard errors of a 20,000-patient cohort, for choosing tolerances.
    const se = (sd: number, n: number) => (4 * sd) / Math.sqrt(n);
    const report = {
      task: name,
      patients,
      seed,
      truth: EXPECTED_STATISTICS[name].truth.map((f, j) => ({ figure: truthLabel(f), realized: r.truth[j], fourSe20k: se(Math.sqrt(r.truth[j]! * (1 - r.truth[j]!)), 20_000) })),
      columns: Object.fromEntries(
        Object.entries(r.columns).map(([k, v]) => [
          k,
          {
            mean: v.mean,
            missing: v.missing,
            meanFourSe20k: v.sd === null ? null : se(v.sd, 20_000 * (1 - v.missing)),
            missingFourSe20k: se(Math.sqrt(v.missing * (1 - v.missing)), 20_000),
          },
        ]),
      ),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stderr.write('usage: expected.ts measure <task> [patients] [seed] | table [task]\n');
  process.exitCode = 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
