import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { compareReports, sharesScenario, type Comparison, type CompareOptions } from '../../reports/compare.ts';
import { specOf } from '../../reports/compare-metrics.ts';
import { renderCompareConsole, renderCompareMarkdown } from '../../reports/compare-render.ts';
import { parseToleranceOverrides } from '../../reports/compare-tolerance.ts';
import { Report } from '../metrics/report-types.ts';
import { writeBaselineFiles } from '../run/run-files.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { formatIssues } from './issue-path.ts';
import { parseFlags } from './flags.ts';

/** The options `compare` and `run --baseline` share. */
export const TOLERANCE_OPTIONS = {
  tolerance: { type: 'string', multiple: true },
  'tolerance-only': { type: 'boolean' },
} as const;

export const ToleranceFlags = {
  tolerance: z.array(z.string()).optional(),
  'tolerance-only': z.boolean().optional(),
};

const CompareFlags = z.object({ ...ToleranceFlags, markdown: z.string().min(1).optional() });

export const COMPARE_HELP = `clinsim compare <base report.json> <new report.json> [--tolerance metric=value ...] [--tolerance-only] [--markdown file]

Compares two runs' report.json figure by figure (same scenario name and task, same arm) and prints
every figure that moved: base, new, change, its tolerance, whether the move is beyond the
tolerance and outside the base's 95% CI, and the verdict; then how often each arm's answers
changed between repeats (flaky answers). A regression is a move in the worse direction beyond the
tolerance; where the runs saw different patients (another seed, size or version), an arm's
perturbations changed or its answers were flaky, it must also leave the base's CI (docs/ci.md
lists the figures and default tolerances).
  --tolerance metric=value   override a tolerance: auroc=0.01, latency.p95=10%, flipRate[arm]=0,
                             safety.*=0.01 (repeatable)
  --tolerance-only           judge by tolerance alone, never consulting the CI
  --markdown file            also write the comparison as Markdown (CI step summaries, PR comments)
Exit codes: 0 no regression, 1 a regression, 2 unreadable or invalid reports, or no scenario in common.`;

/** Reads a report.json and validates it against the report schema (exit 2 on any problem). */
export async function readReportFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not a report: invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = Report.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > 5 ? `\n… and ${issues.length - 5} more problems` : '';
    throw new InputError(`${path}: not a clinsim report.json (schema 1):\n${formatIssues(path, issues.slice(0, 5))}${more}`);
  }
  return parsed.data;
}

export function compareOptions(flags: z.infer<z.ZodObject<typeof ToleranceFlags>>, command: string): CompareOptions {
  const parsed = parseToleranceOverrides(flags.tolerance ?? [], (m) => specOf(m) !== undefined);
  if (parsed.error !== undefined) throw new InputError(`clinsim ${command}: --tolerance ${parsed.error} (docs/ci.md lists the figures)`);
  return { tolerances: parsed.overrides, toleranceOnly: flags['tolerance-only'] === true };
}

function noOverlap(base: { name: string; task: string }[], next: { name: string; task: string }[], baseLabel: string, nextLabel: string): InputError {
  const list = (s: { name: string; task: string }[]) => s.map((x) => `${x.name} (${x.task})`).join(', ') || 'none';
  return new InputError(
    `${baseLabel} and ${nextLabel} have no scenario in common (same name and task), so there is nothing to compare: ` +
      `${baseLabel} has ${list(base)}; ${nextLabel} has ${list(next)}`,
  );
}

export async function compareCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags('compare', argv, { ...TOLERANCE_OPTIONS, markdown: { type: 'string' } }, CompareFlags);
  if (positionals.length !== 2) throw new InputError(`clinsim compare: expected two report files (base, new), got ${positionals.length}\n\n${COMPARE_HELP}`);
  const [baseFile, nextFile] = positionals as [string, string];
  const options = compareOptions(flags, 'compare');
  const base = await readReportFile(baseFile);
  const next = await readReportFile(nextFile);
  if (!sharesScenario(base.scenarios, next.scenarios)) throw noOverlap(base.scenarios, next.scenarios, baseFile, nextFile);
  const comparison = compareReports(base, next, { ...options, baseFile, nextFile });
  io.stdout.write(renderCompareConsole(comparison) + '\n');
  if (flags.markdown) await writeFile(flags.markdown, renderCompareMarkdown(comparison));
  return comparison.regressions.length > 0 ? EXIT.gateFailed : EXIT.pass;
}

/** `run --baseline`: the base report, read and checked against the scenarios before anything runs. */
export interface Baseline {
  readonly file: string;
  readonly report: Report;
  readonly options: CompareOptions;
}

export async function prepareBaseline(
  flags: z.infer<z.ZodObject<typeof ToleranceFlags>> & { baseline?: string },
  scenarios: readonly { name: string; task: string }[],
): Promise<Baseline | undefined> {
  if (flags.baseline === undefined) {
    if (flags.tolerance?.length || flags['tolerance-only']) throw new InputError('clinsim run: --tolerance and --tolerance-only apply to a comparison; give --baseline <report.json>');
    return undefined;
  }
  const options = compareOptions(flags, 'run');
  const report = await readReportFile(flags.baseline);
  if (!sharesScenario(report.scenarios, scenarios)) throw noOverlap(report.scenarios, [...scenarios], `--baseline ${flags.baseline}`, 'this run');
  return { file: flags.baseline, report, options: { ...options, baseFile: flags.baseline } };
}

/**
 * After the run: the comparison printed and written into the run folder (compare.md, compare.json,
 * a section of summary.md, suites of junit.xml). Returns it; a regression fails the run like a gate.
 */
export async function finishBaseline(baseline: Baseline, report: Report, runDir: string, io: { stdout: NodeJS.WriteStream }): Promise<Comparison> {
  const comparison = compareReports(baseline.report, report, baseline.options);
  io.stdout.write(`\n${renderCompareConsole(comparison)}\n`);
  await writeBaselineFiles(runDir, comparison);
  return comparison;
}
