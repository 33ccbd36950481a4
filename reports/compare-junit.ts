import type { Comparison } from './compare.ts';
import { regressionLine, renderCompareConsole, ruleText } from './compare-render.ts';
import { junitTimestamp, type JunitSuite } from './junit.ts';

/**
 * The baseline comparison as JUnit suites, one per compared scenario (`<scenario> vs baseline`),
 * one testcase per figure compared, failing on a regression: in CI a regression shows where a
 * failed gate does.
 */
export function comparisonSuites(c: Comparison): JunitSuite[] {
  return c.scenarios.map((s) => ({
    name: `${s.name} vs baseline`,
    timestamp: junitTimestamp(c.next.startedAt),
    time: 0,
    properties: [
      ['runId', c.next.id],
      ['baselineRunId', c.base.id],
      ...(c.base.file ? [['baselineFile', c.base.file] as [string, string]] : []),
      ['scenario', s.name],
      ['rule', ruleText(c)],
    ],
    cases: s.metrics.map((m) => ({
      classname: `clinsim.${s.name}.baseline`,
      name: m.name,
      ...(m.regression ? { failure: { type: 'baseline', message: regressionLine(m), body: `${regressionLine(m)}\n${ruleText(c)}` } } : {}),
    })),
    out: renderCompareConsole({ ...c, scenarios: [s], onlyInBase: [], onlyInNext: [], regressions: c.regressions.filter((m) => m.scenario === s.name) }),
  }));
}
