import { join } from 'node:path';
import { RunAggregator } from '../metrics/aggregate.ts';
import type { Report } from '../metrics/report-types.ts';
import { renderSummaryMarkdown } from '../../reports/markdown.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { JOURNAL_FILE, readJournal } from './journal.ts';
import { MANIFEST_FILE, readManifest } from './manifest.ts';
import { LOAD_FILE, readLoadFile } from './load-file.ts';

export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'summary.md';

/**
 * Computes the report of a run folder from its journal and manifest alone, and writes every report
 * file. Each file is written atomically; report.json goes last, so its presence means the run's
 * reports are complete.
 */
export async function renderRunReports(runDir: string, options: { resamples?: number } = {}): Promise<Report> {
  const manifest = await readManifest(join(runDir, MANIFEST_FILE));
  const aggregator = new RunAggregator(manifest);
  for await (const record of readJournal(join(runDir, JOURNAL_FILE))) aggregator.add(record);
  const load = await readLoadFile(join(runDir, LOAD_FILE));
  const report = aggregator.report({ manifestFile: MANIFEST_FILE, resamples: options.resamples, load });
  await writeFileAtomic(join(runDir, SUMMARY_FILE), renderSummaryMarkdown(report));
  await writeFileAtomic(join(runDir, REPORT_FILE), JSON.stringify(report, null, 2) + '\n');
  return report;
}
