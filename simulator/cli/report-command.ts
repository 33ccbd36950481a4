import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { renderConsole } from '../../reports/console.ts';
import type { Report } from '../metrics/report-types.ts';
import { HTML_FILE } from '../../reports/html/render.ts';
import { JUNIT_FILE } from '../../reports/junit.ts';
import { JOURNAL_FILE, JournalFormatError } from '../run/journal.ts';
import { MANIFEST_FILE, readManifest, type Manifest } from '../run/manifest.ts';
import { REPORT_FILE, SUMMARY_FILE, renderRunReports } from '../run/run-files.ts';
import { resumeCommand } from '../run/resume.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { intFlag, parseFlags } from './flags.ts';

const ReportFlags = z.object({
  resamples: intFlag(1, 100_000).optional(),
  quiet: z.boolean().optional(),
});

export const REPORT_HELP = `clinsim report <run dir> [--resamples B] [--quiet]

Renders every report of a finished run folder again from its results.jsonl and manifest.json (and
load.json when the run had load phases): report.json, summary.md, junit.xml and report.html, the
same bytes the run wrote. --resamples defaults to the run's own. Prints the per-arm table and the
gates unless --quiet.
Exit codes: 0 all gates pass, 1 a gate failed, 2 not a finished run folder (no or invalid manifest,
an interrupted or unfinished run, a malformed journal) or bad usage, 3 the reports could not be written.`;

const RENDERED = [REPORT_FILE, SUMMARY_FILE, JUNIT_FILE, HTML_FILE];

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** The manifest of a run folder whose journal is complete; anything else is bad input. */
async function finishedRun(runDir: string): Promise<Manifest> {
  const info = await stat(runDir).catch(() => null);
  if (!info) throw new InputError(`clinsim report: ${runDir}: no such folder`);
  if (!info.isDirectory()) throw new InputError(`clinsim report: ${runDir}: not a folder (give the run folder that holds ${MANIFEST_FILE})`);
  if (!(await isFile(join(runDir, MANIFEST_FILE)))) throw new InputError(`clinsim report: ${runDir}: not a run folder (no ${MANIFEST_FILE})`);
  let manifest: Manifest;
  try {
    manifest = await readManifest(join(runDir, MANIFEST_FILE));
  } catch (error) {
    throw new InputError(`clinsim report: invalid manifest: ${error instanceof Error ? error.message : String(error)}`);
  }
  const partial = 'its journal holds only part of the cases, so no report is rendered';
  if (manifest.status === 'interrupted') {
    throw new InputError(`clinsim report: ${runDir}: the run was interrupted; ${partial}. Finish it with:\n  ${resumeCommand(runDir, manifest)}`);
  }
  if (manifest.status === 'running') {
    throw new InputError(`clinsim report: ${runDir}: the run has not finished (still running, or its process was killed); ${partial}. A killed run is finished with:\n  ${resumeCommand(runDir, manifest)}`);
  }
  if (manifest.status === 'failed') throw new InputError(`clinsim report: ${runDir}: the run failed before it finished; ${partial}`);
  if (manifest.shard) {
    throw new InputError(`clinsim report: ${runDir}: holds shard ${manifest.shard.index}/${manifest.shard.count} of a run; combine the shards with clinsim merge, which writes the report`);
  }
  if (!(await isFile(join(runDir, JOURNAL_FILE)))) throw new InputError(`clinsim report: ${runDir}: no ${JOURNAL_FILE} beside the manifest`);
  return manifest;
}

export async function reportCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags('report', argv, { resamples: { type: 'string' }, quiet: { type: 'boolean' } }, ReportFlags);
  if (positionals.length !== 1) throw new InputError('clinsim report: give one run folder: clinsim report <run dir> [--resamples B]');
  const runDir = positionals[0]!;
  const manifest = await finishedRun(runDir);
  let report: Report;
  try {
    report = await renderRunReports(runDir, { resamples: flags.resamples ?? manifest.invocation?.resamples ?? manifest.mergedResamples ?? undefined });
  } catch (error) {
    if (error instanceof JournalFormatError) throw new InputError(`clinsim report: ${error.message}`);
    throw error;
  }
  if (!flags.quiet) io.stdout.write(renderConsole(report) + '\n\n');
  io.stdout.write(`rendered in ${runDir}: ${RENDERED.join('  ')}\n`);
  return report.passed ? EXIT.pass : EXIT.gateFailed;
}
