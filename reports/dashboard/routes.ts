import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DashboardError, parseRequest } from './dashboard-error.ts';
import { renderListPage } from './list-page.ts';
import { ListQuery, RunFileParams, RunParams, TrendsQuery } from './query.ts';
import type { ParsedFileCache } from './read-json.ts';
import { indexRuns, readRun } from './run-index.ts';
import { renderRunPage } from './run-page.ts';
import { isRunFileName, isRunId, realRunsRoot, RUN_FILES, resolveRunDir, resolveRunFile, type RunFileName } from './run-paths.ts';
import { renderTrendSvg } from './trend-chart.ts';
import { headlineMetric, metricLabel } from './trend-metrics.ts';
import { scenarioNames, trendData } from './trends.ts';
import { renderTrendsPage } from './trends-page.ts';

/** summary.md beyond this is cut on the fallback page (the file itself is served whole). */
const MAX_SUMMARY_BYTES = 1024 * 1024;

export interface RouteOptions {
  readonly runsDir: string;
  readonly limit: number;
  readonly cache: ParsedFileCache;
}

const HTML = 'text/html; charset=utf-8';

/** The runs folder and the run folder of a request, or a 400/404 page. */
async function runDirOf(runsDir: string, id: string): Promise<{ root: string; dir: string }> {
  if (!isRunId(id)) throw new DashboardError(400, 'not a run id');
  const root = await realRunsRoot(runsDir);
  const dir = root === null ? null : await resolveRunDir(root, id);
  if (root === null || dir === null) throw new DashboardError(404, `no run ${id}`);
  return { root, dir };
}

async function sendRunFile(reply: FastifyReply, path: string, name: RunFileName): Promise<FastifyReply> {
  const { size } = await stat(path);
  return reply.type(RUN_FILES[name]).header('content-length', size).send(createReadStream(path));
}

async function summaryText(root: string, dir: string): Promise<string | null> {
  const path = await resolveRunFile(root, dir, 'summary.md');
  if (path === null) return null;
  try {
    const text = await readFile(path, 'utf8');
    return text.length > MAX_SUMMARY_BYTES ? `${text.slice(0, MAX_SUMMARY_BYTES)}\n… (cut)` : text;
  } catch {
    return null;
  }
}

export function registerRoutes(app: FastifyInstance, { runsDir, limit, cache }: RouteOptions): void {
  app.get('/', async (request, reply) => {
    const query = parseRequest('query', ListQuery, request.query);
    const index = await indexRuns(runsDir, limit, cache);
    return reply.type(HTML).send(renderListPage(index, scenarioNames(index.runs), query.scenario, runsDir));
  });

  app.get('/trends', async (request, reply) => {
    const query = parseRequest('query', TrendsQuery, request.query);
    const index = await indexRuns(runsDir, limit, cache);
    const scenarios = scenarioNames(index.runs);
    const scenario = query.scenario ?? scenarios[0];
    if (scenario === undefined) return reply.type(HTML).send(renderTrendsPage({ scenarios, data: null, svg: null, note: null }));
    if (!scenarios.includes(scenario)) throw new DashboardError(404, `no runs of scenario ${scenario}`);
    const task = index.runs.flatMap((r) => r.scenarios).find((s) => s.name === scenario)?.task ?? '';
    let data = trendData(index.runs, scenario, query.metric ?? headlineMetric(task), query.arm);
    let note: string | null = null;
    // A figure this scenario never has (the form kept it from another scenario): show the one it has.
    if (!data.metrics.includes(data.metric) && data.metrics.length > 0) {
      const fallback = data.metrics.includes(headlineMetric(task)) ? headlineMetric(task) : data.metrics[0]!;
      note = `${data.scenario} has no ${metricLabel(data.metric)}; showing ${metricLabel(fallback)}.`;
      data = trendData(index.runs, scenario, fallback, query.arm);
    }
    // The legend names the arms that have a line (the baseline has no flip rate, for one).
    const arms = data.plotted.filter((a) => data.points.some((p) => p.arm === a));
    const svg = data.points.length === 0 ? null : await renderTrendSvg(data.points, { metricLabel: metricLabel(data.metric), arms });
    return reply.type(HTML).send(renderTrendsPage({ scenarios, data, svg, note }));
  });

  // Relative links inside a run's report.html resolve against the folder, so the folder URL ends in /.
  app.get('/runs/:id', async (request, reply) => {
    const { id } = parseRequest('path', RunParams, request.params);
    await runDirOf(runsDir, id);
    return reply.redirect(`/runs/${encodeURIComponent(id)}/`, 301);
  });

  app.get('/runs/:id/', async (request, reply) => {
    const { id } = parseRequest('path', RunParams, request.params);
    const { root, dir } = await runDirOf(runsDir, id);
    const report = await resolveRunFile(root, dir, 'report.html');
    if (report !== null) return sendRunFile(reply, report, 'report.html');
    const run = await readRun(root, id, cache);
    if (run === null) throw new DashboardError(404, `no run ${id}`);
    return reply.type(HTML).send(renderRunPage(run, await summaryText(root, dir)));
  });

  app.get('/runs/:id/:file', async (request, reply) => {
    const { id, file } = parseRequest('path', RunFileParams, request.params);
    const { root, dir } = await runDirOf(runsDir, id);
    if (!isRunFileName(file)) throw new DashboardError(404, `a run folder's files served here: ${Object.keys(RUN_FILES).join(', ')}`);
    const path = await resolveRunFile(root, dir, file);
    if (path === null) throw new DashboardError(404, `run ${id} has no ${file}`);
    return sendRunFile(reply, path, file);
  });
}
