import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunAggregator } from '../metrics/aggregate.ts';
import type { Report } from '../metrics/report-types.ts';
import { renderSummaryMarkdown } from '../../reports/markdown.ts';
import { appendJunitSuites, JUNIT_FILE, renderJunit } from '../../reports/junit.ts';
import { SafetyDetails } from '../../reports/junit-details.ts';
import type { Comparison } from '../../reports/compare.ts';
import { comparisonSuites } from '../../reports/compare-junit.ts';
import { renderCompareMarkdown } from '../../reports/compare-render.ts';
import { HTML_FILE, renderHtmlReport } from '../../reports/html/render.ts';
import { ReportDetailCollector } from '../metrics/report-details.ts';
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
  const details = new SafetyDetails();
  const htmlDetails = new ReportDetailCollector(manifest);
  for await (const record of readJournal(join(runDir, JOURNAL_FILE))) {
    aggregator.add(record);
    details.add(record);
    htmlDetails.add(record);
  }
  const load = await readLoadFile(join(runDir, LOAD_FILE));
  const report = aggregator.report({ manifestFile: MANIFEST_FILE, resamples: options.resamples, load });
  await writeFileAtomic(join(runDir, SUMMARY_FILE), renderSummaryMarkdown(report));
  await writeFileAtomic(join(runDir, JUNIT_FILE), renderJunit(report, { manifest, details }));
  await writeFileAtomic(join(runDir, HTML_FILE), await renderHtmlReport({ report, manifest, details: htmlDetails.finish() }));
  await writeFileAtomic(join(runDir, REPORT_FILE), JSON.stringify(report, null, 2) + '\n');
  return report;
}

export const COMPARE_FILE = 'compare.md';
export const COMPARE_JSON_FILE = 'compare.json';

/**
 * `run --baseline`: adds the comparison to a run folder whose reports are written: compare.md and
 * compare.json, a section at the end of summary.md, one suite per scenario in junit.xml.
 */
export async function writeBaselineFiles(runDir: string, comparison: Comparison): Promise<void> {
  const markdown = renderCompareMarkdown(comparison);
  await writeFileAtomic(join(runDir, COMPARE_FILE), markdown);
  await writeFileAtomic(join(runDir, COMPARE_JSON_FILE), JSON.stringify(comparison, null, 2) + '\n');
  const summary = await readFile(join(runDir, SUMMARY_FILE), 'utf8');
  await writeFileAtomic(join(runDir, SUMMARY_FILE), `${summary.trimEnd()}\n\n${markdown}`);
  const junit = await readFile(join(runDir, JUNIT_FILE), 'utf8');
  await writeFileAtomic(join(runDir, JUNIT_FILE), appendJunitSuites(junit, comparisonSuites(comparison)));
}
