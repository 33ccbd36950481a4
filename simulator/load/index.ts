/**
 * Load and latency: closed (autocannon) and open (own scheduler, coordinated-omission correct)
 * workload models. docs/load.md explains the models, the phase options and the figures.
 */
export {
  LoadSchema,
  PhaseSchema,
  PhaseInputSchema,
  Executor,
  splitPhases,
  defaultMaxInFlight,
  type Load,
  type LoadInput,
  type LoadPhase,
  type PhaseInput,
  type PhaseOf,
  type ClosedPhase,
  type ConstantArrivalRatePhase,
  type RampingArrivalRatePhase,
  type SaturationPhase,
} from './phase-schema.ts';
export { parseDuration, formatDuration } from './duration.ts';
export { LoadPhaseReport, LoadReport, LoadLatency, LoadErrors, LoadFigures, SaturationStep } from './load-report.ts';
export { runLoad, startLoadPhase, startBackgroundLoad, type LoadTarget, type LoadRunOptions, type RunningPhase, type BackgroundLoad } from './run-load.ts';
export { adapterLoadTarget, adapterSend, httpJsonWire, cohortInputs, DEFAULT_LOAD_BODIES } from './target.ts';
export { LOAD_FIGURES, isLoadFigure, readLoadFigure, type LoadFigureName } from './load-figures.ts';
export { runOpenModel, type Send, type SendResult, type Sample, type OpenModelResult } from './open-model.ts';
export { runClosedModel, runClosedLoop, type WireRequests, type ClosedModelResult } from './closed-model.ts';
export { runSaturation, judgeStep } from './saturation.ts';
export { constantSchedule, rampingSchedule, type Schedule } from './schedule.ts';
export { LatencyHistogram, type LatencySummary } from './histogram.ts';
