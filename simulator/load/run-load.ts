import { runClosedLoop, runClosedModel, type RunningClosedModel, type WireRequests } from './closed-model.ts';
import { figuresOf } from './figures.ts';
import type { LoadPhaseReport } from './load-report.ts';
import { runOpenModel, type Send } from './open-model.ts';
import type { Executor, LoadPhase, PhaseOf } from './phase-schema.ts';
import { runSaturation } from './saturation.ts';
import { constantSchedule, rampingSchedule } from './schedule.ts';

/**
 * Runs a scenario's load phases against a target. The target is given as pre-built request bodies
 * (e.g. the cohort's ModelInputs) and a way to send one; HTTP targets also give the wire form of
 * the same bodies, which closed phases replay through autocannon.
 */
export interface LoadTarget<B> {
  /** Request bodies, cycled in order by every phase. */
  readonly bodies: readonly B[];
  /** Sends one body; open-model phases (and closed phases without `wire`) use it. */
  readonly send: Send<B>;
  /** The same requests pre-serialised for the wire: closed phases replay them with autocannon. */
  readonly wire?: WireRequests;
}

export interface LoadRunOptions {
  /** Aborting it stops the phase running and skips the rest (an interrupted run). */
  readonly signal?: AbortSignal;
  readonly onPhaseStart?: (phase: LoadPhase) => void;
  readonly onPhaseDone?: (report: LoadPhaseReport) => void;
}

export interface RunningPhase {
  readonly phase: LoadPhase;
  /** Ends the phase early (a background phase when the arms are done); its report covers the time it ran. */
  stop(): void;
  /** The phase's report; null when the run was interrupted. */
  readonly done: Promise<LoadPhaseReport | null>;
}

type Starter<E extends Executor> = <B>(phase: PhaseOf<E>, target: LoadTarget<B>, signal: AbortSignal | undefined) => RunningPhase;

function header(phase: LoadPhase): Pick<LoadPhaseReport, 'name' | 'executor' | 'background' | 'config'> {
  const { name, executor, background, ...config } = phase;
  return { name, executor, background, config: config as Record<string, unknown> };
}

const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {});

const EMPTY_FIGURES = { durationMs: 0, requests: 0, throughput: 0, latency: null, errors: { total: 0, byType: {} }, errorRate: null, dropped: 0, schedulingErrorP99Ms: null };

const openPhase: Starter<'constant-arrival-rate' | 'ramping-arrival-rate'> = (phase, target, signal) => {
  const schedule =
    phase.executor === 'constant-arrival-rate'
      ? constantSchedule(phase.ratePerSecond, phase.durationMs, phase.maxRequests)
      : rampingSchedule(phase.startRatePerSecond, phase.stages, phase.maxRequests);
  const run = runOpenModel({
    schedule,
    bodies: target.bodies,
    send: target.send,
    timeoutMs: phase.timeoutMs,
    maxInFlight: phase.maxInFlight,
    ...withSignal(signal),
  });
  return {
    phase,
    stop: run.stop,
    done: run.done.then((result) => (result.interrupted ? null : { ...header(phase), ...figuresOf(result) })),
  };
};

/** One starter per executor: a new executor without one does not compile. */
const starters: { [E in Executor]: Starter<E> } = {
  closed: (phase, target, signal) => {
    const options = {
      connections: phase.connections,
      durationMs: phase.durationMs,
      amount: phase.amount,
      maxDurationMs: phase.maxDurationMs,
      timeoutMs: phase.timeoutMs,
      ...withSignal(signal),
    };
    const run: RunningClosedModel = target.wire ? runClosedModel(target.wire, options) : runClosedLoop(target.bodies, target.send, options);
    return {
      phase,
      stop: run.stop,
      done: run.done.then((result) => (result.interrupted ? null : { ...header(phase), ...figuresOf(result) })),
    };
  },
  'constant-arrival-rate': (phase, target, signal) => openPhase(phase, target, signal),
  'ramping-arrival-rate': (phase, target, signal) => openPhase(phase, target, signal),
  saturation: (phase, target, signal) => {
    let stopped = false;
    const done = runSaturation(phase, target.bodies, target.send, { ...withSignal(signal), stopped: () => stopped }).then(
      ({ steps, sustainable, interrupted }): LoadPhaseReport | null => {
        if (interrupted) return null;
        const chosen = steps[sustainable ?? 0];
        let figures: Omit<LoadPhaseReport, 'name' | 'executor' | 'background' | 'config' | 'curve' | 'sustainableRate'> = EMPTY_FIGURES;
        if (chosen) {
          const { rate: _rate, sustainable: _ok, reason: _reason, ...rest } = chosen;
          figures = rest;
        }
        return { ...header(phase), ...figures, sustainableRate: sustainable === null ? null : steps[sustainable]!.rate, curve: steps };
      },
    );
    return { phase, stop: () => (stopped = true), done };
  },
};

/** Starts one phase now. */
export function startLoadPhase<B>(phase: LoadPhase, target: LoadTarget<B>, options: LoadRunOptions = {}): RunningPhase {
  if (target.bodies.length === 0) throw new RangeError('a load phase needs at least one request body');
  const start = starters[phase.executor] as Starter<Executor>;
  options.onPhaseStart?.(phase);
  const running = start(phase, target, options.signal);
  const done = running.done.then((report) => {
    if (report) options.onPhaseDone?.(report);
    return report;
  });
  return { phase, stop: running.stop, done };
}

/**
 * Runs phases one after the other, in order (pass the foreground phases: `splitPhases(load).foreground`).
 * Returns one report per phase; when `signal` aborts, the reports of the phases that completed.
 */
export async function runLoad<B>(phases: readonly LoadPhase[], target: LoadTarget<B>, options: LoadRunOptions = {}): Promise<LoadPhaseReport[]> {
  const reports: LoadPhaseReport[] = [];
  for (const phase of phases) {
    if (options.signal?.aborted) break;
    const report = await startLoadPhase(phase, target, options).done;
    if (report === null) break;
    reports.push(report);
  }
  return reports;
}

export interface BackgroundLoad {
  /** Stops the phases still running and gives every phase's report (interrupted ones left out). */
  stop(): Promise<LoadPhaseReport[]>;
}

/**
 * Starts phases together, to run beside the scenario's arms: call `stop()` when the arms are done.
 * A phase whose schedule ends first simply ends (the arms then run without it).
 */
export function startBackgroundLoad<B>(phases: readonly LoadPhase[], target: LoadTarget<B>, options: LoadRunOptions = {}): BackgroundLoad {
  const running = phases.map((phase) => startLoadPhase(phase, target, options));
  return {
    async stop() {
      for (const r of running) r.stop();
      const reports = await Promise.all(running.map((r) => r.done));
      return reports.filter((r): r is LoadPhaseReport => r !== null);
    },
  };
}
