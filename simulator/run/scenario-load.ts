import type { Adapter, ModelInput } from '../../adapters/adapter.ts';
import type { CaseSource } from '../cohort/source.ts';
import {
  adapterLoadTarget,
  DEFAULT_LOAD_BODIES,
  runLoad,
  splitPhases,
  startBackgroundLoad,
  type LoadPhase,
  type LoadPhaseReport,
} from '../load/index.ts';
import type { Target } from '../scenario.ts';
import { httpJsonRequest } from '../../adapters/http-json.ts';
import { authHeaders } from '../../adapters/auth.ts';
import { featureRowOf } from '../cohort/feature-row.ts';
import { tasks } from '../cohort/tasks.ts';

export interface ScenarioLoad {
  /** Stops the background phases, runs the foreground ones, and gives every report in scenario order. */
  finish(): Promise<LoadPhaseReport[]>;
}

async function firstInputs(source: CaseSource, count: number, signal: AbortSignal): Promise<ModelInput[]> {
  const inputs: ModelInput[] = [];
  for await (const c of source.cases(signal)) {
    const features = featureRowOf(tasks[c.task], c.bundle);
    inputs.push({ task: c.task, caseIndex: c.index, bundle: c.bundle, ...(features ? { features } : {}) });
    if (inputs.length >= count) break;
  }
  return inputs;
}

/**
 * A scenario's load phases: background phases start now and run while the arms run, so the report
 * shows whether answers change under load; foreground phases run after the arms, on their own.
 * Every phase replays the cohort's first patients (real bodies, in the adapter's wire encoding).
 */
export async function startScenarioLoad(
  phases: readonly LoadPhase[],
  adapter: Adapter,
  target: Target,
  source: CaseSource,
  signal: AbortSignal,
  onPhase?: (phase: LoadPhase) => void,
): Promise<ScenarioLoad> {
  const inputs = await firstInputs(source, Math.min(source.size, DEFAULT_LOAD_BODIES), signal);
  const wire =
    target.adapter === 'http-json'
      ? httpJsonRequest({ url: target.url, headers: authHeaders(target.auth), ...(target.request ? { request: target.request } : {}) })
      : undefined;
  const loadTarget = adapterLoadTarget(adapter, inputs, wire);
  const { foreground, background } = splitPhases(phases);
  const options = { signal, onPhaseStart: onPhase };
  const running = background.length > 0 ? startBackgroundLoad(background, loadTarget, options) : undefined;
  return {
    async finish() {
      const reports = [...((await running?.stop()) ?? []), ...(await runLoad(foreground, loadTarget, options))];
      const order = new Map(phases.map((p, i) => [p.name, i]));
      return reports.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    },
  };
}
