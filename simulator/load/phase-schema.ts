import { z } from 'zod';
import { durationMs, formatDuration } from './duration.ts';

/**
 * Load phases, k6-like. What an author writes (`executor`, `rate`, `duration: '20s'`, …) is
 * validated and normalised to plain numbers (per-second rates, milliseconds), with every default
 * filled in and every loop bounded: each phase has a maximum wall time and a hard maximum request
 * count.
 *
 * | executor                | model  | what it does                                                      |
 * | ----------------------- | ------ | ----------------------------------------------------------------- |
 * | `closed`                | closed | N connections, each sends its next request when a reply arrives    |
 * | `constant-arrival-rate` | open   | requests on a fixed schedule; latency from the intended send time  |
 * | `ramping-arrival-rate`  | open   | the rate moves linearly between stage targets                      |
 * | `saturation`            | open   | constant-rate steps going up until p99 or errors break the SLO     |
 */

/** Highest arrival rate, per second. */
export const MAX_RATE = 100_000;
/** Longest phase (a saturation phase: all of its steps together). */
export const MAX_PHASE_MS = 3_600_000;
/** Hard cap on the requests of one phase (or of one saturation step). */
export const MAX_REQUESTS = 10_000_000;
/** Highest in-flight cap of an open-model phase. */
export const MAX_IN_FLIGHT = 100_000;
export const MAX_CONNECTIONS = 1024;
export const MAX_PHASES = 20;
export const MAX_STAGES = 100;
export const MAX_SATURATION_STEPS = 100;

export const DEFAULT_TIMEOUT = '10s';
export const DEFAULT_CLOSED_DURATION = '10s';
export const DEFAULT_MAX_DURATION = '10m';
export const DEFAULT_STEP_DURATION = '10s';
export const DEFAULT_ERROR_BUDGET = 0.01;

export const Executor = z.enum(['closed', 'constant-arrival-rate', 'ramping-arrival-rate', 'saturation']);
export type Executor = z.infer<typeof Executor>;

const PhaseName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-", starting with a letter or digit')
  .max(100);

const Rate = z.number().nonnegative().finite();
const PositiveRate = z.number().positive().finite();
const Timeout = durationMs(1, 600_000).prefault(DEFAULT_TIMEOUT);
const PhaseDuration = durationMs(100, MAX_PHASE_MS);
const TimeUnit = durationMs(1, 3_600_000).prefault('1s');
const Count = (max: number) => z.number().int().positive().max(max);

const common = {
  /** Unique within the scenario; defaults to the executor name (numbered when repeated). */
  name: PhaseName.optional(),
  /** Run while the scenario's arms run (not before them), to see whether answers change under load. */
  background: z.boolean().default(false),
  /** Per-request deadline. */
  timeout: Timeout,
};

const openCommon = {
  /** Rates are `rate` requests per `timeUnit` (default 1s), as in k6. */
  timeUnit: TimeUnit,
  /** In-flight cap; a request due while the cap is reached is not sent and counts as dropped. */
  maxInFlight: Count(MAX_IN_FLIGHT).optional(),
  /** Hard cap on requests sent; defaults to the schedule's own count. */
  maxRequests: Count(MAX_REQUESTS).optional(),
};

const ClosedInput = z.strictObject({
  executor: z.literal('closed'),
  ...common,
  /** Concurrent connections, each waiting for its reply before sending again. */
  connections: Count(MAX_CONNECTIONS).default(10),
  /** Run for this long (default 10s when `amount` is not given) … */
  duration: PhaseDuration.optional(),
  /** … or until this many requests have been answered. */
  amount: Count(MAX_REQUESTS).optional(),
  /** Hard wall-time limit, whichever of duration or amount is used. */
  maxDuration: PhaseDuration.prefault(DEFAULT_MAX_DURATION),
});

const ConstantInput = z.strictObject({
  executor: z.literal('constant-arrival-rate'),
  ...common,
  ...openCommon,
  rate: PositiveRate,
  duration: PhaseDuration,
});

const RampingInput = z.strictObject({
  executor: z.literal('ramping-arrival-rate'),
  ...common,
  ...openCommon,
  startRate: Rate.default(0),
  stages: z
    .array(z.strictObject({ target: Rate, duration: PhaseDuration }))
    .min(1, 'needs at least one stage, e.g. [{ target: 100, duration: "30s" }]')
    .max(MAX_STAGES),
});

const SaturationInput = z.strictObject({
  executor: z.literal('saturation'),
  name: PhaseName.optional(),
  timeout: Timeout,
  timeUnit: TimeUnit,
  maxInFlight: Count(MAX_IN_FLIGHT).optional(),
  /** Rate of the first step. */
  startRate: PositiveRate,
  /** Added to the rate at each step; defaults to `startRate` (so 50, 100, 150, …). */
  step: PositiveRate.optional(),
  /** Last rate tried. */
  maxRate: PositiveRate,
  stepDuration: PhaseDuration.prefault(DEFAULT_STEP_DURATION),
  /** A step is sustainable when its p99 is at most `slo.p99` (ms) … */
  slo: z.strictObject({ p99: z.number().positive().finite() }),
  /** … and its share of failed requests (errors and dropped) at most this. */
  errorBudget: z.number().min(0).max(1).default(DEFAULT_ERROR_BUDGET),
});

/** One phase as an author writes it. */
export const PhaseInputSchema = z.discriminatedUnion('executor', [ClosedInput, ConstantInput, RampingInput, SaturationInput]);
export type PhaseInput = z.input<typeof PhaseInputSchema>;

interface PhaseBase {
  /** Unique within the scenario. */
  readonly name: string;
  readonly timeoutMs: number;
}

export interface ClosedPhase extends PhaseBase {
  readonly executor: 'closed';
  readonly background: boolean;
  readonly connections: number;
  /** Exactly one of durationMs and amount is set. */
  readonly durationMs: number | null;
  readonly amount: number | null;
  readonly maxDurationMs: number;
}

export interface ConstantArrivalRatePhase extends PhaseBase {
  readonly executor: 'constant-arrival-rate';
  readonly background: boolean;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly maxInFlight: number;
  readonly maxRequests: number;
}

export interface RampingStage {
  readonly targetPerSecond: number;
  readonly durationMs: number;
}

export interface RampingArrivalRatePhase extends PhaseBase {
  readonly executor: 'ramping-arrival-rate';
  readonly background: boolean;
  readonly startRatePerSecond: number;
  readonly stages: readonly RampingStage[];
  /** Sum of the stages. */
  readonly durationMs: number;
  readonly maxInFlight: number;
  readonly maxRequests: number;
}

export interface SaturationPhase extends PhaseBase {
  readonly executor: 'saturation';
  readonly background: false;
  /** The rates tried, in order. */
  readonly ratesPerSecond: readonly number[];
  readonly stepDurationMs: number;
  readonly sloP99Ms: number;
  readonly errorBudget: number;
  /** Null: each step gets the default for its rate. */
  readonly maxInFlight: number | null;
}

/** An open-model phase with a fixed schedule (a saturation step is one of these). */
export type ArrivalRatePhase = ConstantArrivalRatePhase | RampingArrivalRatePhase;
/** A validated, normalised phase. */
export type LoadPhase = ClosedPhase | ConstantArrivalRatePhase | RampingArrivalRatePhase | SaturationPhase;
export type PhaseOf<E extends Executor> = Extract<LoadPhase, { executor: E }>;

/**
 * Default in-flight cap: every request sent within one timeout (plus a second of slack for the
 * abort to land) may still be in flight, so the cap cannot bind before requests time out.
 */
export function defaultMaxInFlight(peakRatePerSecond: number, timeoutMs: number): number {
  return Math.ceil((peakRatePerSecond * (timeoutMs + 1_000)) / 1_000) + 10;
}

/** Requests a ramping schedule sends (its integral), as a whole count. */
export function rampingCount(startRatePerSecond: number, stages: readonly RampingStage[]): number {
  let total = 0;
  let from = startRatePerSecond;
  for (const stage of stages) {
    total += ((from + stage.targetPerSecond) / 2) * (stage.durationMs / 1_000);
    from = stage.targetPerSecond;
  }
  return Math.ceil(total - 1e-9);
}

type Ctx = z.RefinementCtx;
type Out<E extends Executor> = Extract<z.output<typeof PhaseInputSchema>, { executor: E }>;

function perSecond(rate: number, timeUnitMs: number): number {
  return (rate * 1_000) / timeUnitMs;
}

function checkRate(ratePerSecond: number, path: PropertyKey[], ctx: Ctx): void {
  if (ratePerSecond > MAX_RATE) {
    ctx.addIssue({ code: 'custom', path, message: `${round(ratePerSecond)}/s is above the limit of ${MAX_RATE}/s` });
  }
}

function inFlightCap(explicit: number | undefined, peak: number, timeoutMs: number, ctx: Ctx, executor: Executor): number {
  if (explicit !== undefined) return explicit;
  const cap = defaultMaxInFlight(peak, timeoutMs);
  if (cap > MAX_IN_FLIGHT) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxInFlight'],
      message: `${executor} at ${round(peak)}/s with a ${formatDuration(timeoutMs)} timeout may need ${cap} requests in flight, above the limit of ${MAX_IN_FLIGHT}: lower "timeout", or set "maxInFlight" (requests due while it is reached are dropped)`,
    });
  }
  return Math.min(cap, MAX_IN_FLIGHT);
}

function requestCap(explicit: number | undefined, scheduled: number, ctx: Ctx): number {
  if (scheduled > MAX_REQUESTS && explicit === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `the schedule sends ${scheduled} requests, above the limit of ${MAX_REQUESTS}: lower the rate or the duration, or set "maxRequests"`,
    });
  }
  return Math.min(explicit ?? scheduled, scheduled, MAX_REQUESTS);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Normalisers, one per executor: a new executor without one does not compile. */
const normalisers: { [E in Executor]: (input: Out<E>, ctx: Ctx) => Omit<PhaseOf<E>, 'name'> } = {
  closed: (p, ctx) => {
    if (p.duration !== undefined && p.amount !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'give "duration" or "amount", not both' });
    }
    const durationMs = p.amount === undefined ? (p.duration ?? 10_000) : null;
    if (durationMs !== null && durationMs > p.maxDuration) {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: `longer than maxDuration (${formatDuration(p.maxDuration)})` });
    }
    if (p.timeout < 1_000) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'a closed phase needs a timeout of at least 1s (autocannon counts whole seconds)' });
    }
    return {
      executor: 'closed',
      background: p.background,
      timeoutMs: p.timeout,
      connections: p.amount === undefined ? p.connections : Math.min(p.connections, p.amount),
      durationMs,
      amount: p.amount ?? null,
      maxDurationMs: p.maxDuration,
    };
  },
  'constant-arrival-rate': (p, ctx) => {
    const ratePerSecond = perSecond(p.rate, p.timeUnit);
    checkRate(ratePerSecond, ['rate'], ctx);
    const scheduled = Math.ceil((ratePerSecond * p.duration) / 1_000 - 1e-9);
    return {
      executor: 'constant-arrival-rate',
      background: p.background,
      timeoutMs: p.timeout,
      ratePerSecond,
      durationMs: p.duration,
      maxInFlight: inFlightCap(p.maxInFlight, ratePerSecond, p.timeout, ctx, 'constant-arrival-rate'),
      maxRequests: requestCap(p.maxRequests, scheduled, ctx),
    };
  },
  'ramping-arrival-rate': (p, ctx) => {
    const startRatePerSecond = perSecond(p.startRate, p.timeUnit);
    checkRate(startRatePerSecond, ['startRate'], ctx);
    const stages = p.stages.map((s, i) => {
      const targetPerSecond = perSecond(s.target, p.timeUnit);
      checkRate(targetPerSecond, ['stages', i, 'target'], ctx);
      return { targetPerSecond, durationMs: s.duration };
    });
    const total = stages.reduce((sum, s) => sum + s.durationMs, 0);
    if (total > MAX_PHASE_MS) {
      ctx.addIssue({ code: 'custom', path: ['stages'], message: `stages last ${formatDuration(total)} in all, above the limit of ${formatDuration(MAX_PHASE_MS)}` });
    }
    const peak = Math.max(startRatePerSecond, ...stages.map((s) => s.targetPerSecond));
    const scheduled = rampingCount(startRatePerSecond, stages);
    if (scheduled === 0) ctx.addIssue({ code: 'custom', path: ['stages'], message: 'every stage has rate 0: nothing would be sent' });
    return {
      executor: 'ramping-arrival-rate',
      background: p.background,
      timeoutMs: p.timeout,
      startRatePerSecond,
      stages,
      durationMs: total,
      maxInFlight: inFlightCap(p.maxInFlight, peak, p.timeout, ctx, 'ramping-arrival-rate'),
      maxRequests: requestCap(p.maxRequests, scheduled, ctx),
    };
  },
  saturation: (p, ctx) => {
    const start = perSecond(p.startRate, p.timeUnit);
    const step = perSecond(p.step ?? p.startRate, p.timeUnit);
    const max = perSecond(p.maxRate, p.timeUnit);
    checkRate(max, ['maxRate'], ctx);
    if (max < start) ctx.addIssue({ code: 'custom', path: ['maxRate'], message: 'must be at least startRate' });
    const count = Math.floor((max - start) / step + 1e-9) + 1;
    if (count > MAX_SATURATION_STEPS) {
      ctx.addIssue({ code: 'custom', path: ['step'], message: `${count} steps from startRate to maxRate, above the limit of ${MAX_SATURATION_STEPS}: use a larger step` });
    }
    const ratesPerSecond = Array.from({ length: Math.max(1, Math.min(count, MAX_SATURATION_STEPS)) }, (_, i) => start + i * step);
    if (ratesPerSecond.length * p.stepDuration > MAX_PHASE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['stepDuration'],
        message: `${ratesPerSecond.length} steps of ${formatDuration(p.stepDuration)} exceed the limit of ${formatDuration(MAX_PHASE_MS)}`,
      });
    }
    if (p.maxInFlight === undefined) inFlightCap(undefined, ratesPerSecond.at(-1)!, p.timeout, ctx, 'saturation');
    const stepRequests = Math.ceil((ratesPerSecond.at(-1)! * p.stepDuration) / 1_000);
    if (stepRequests > MAX_REQUESTS) {
      ctx.addIssue({ code: 'custom', path: ['stepDuration'], message: `the last step would send ${stepRequests} requests, above the limit of ${MAX_REQUESTS}` });
    }
    return {
      executor: 'saturation',
      background: false,
      timeoutMs: p.timeout,
      ratesPerSecond,
      stepDurationMs: p.stepDuration,
      sloP99Ms: p.slo.p99,
      errorBudget: p.errorBudget,
      maxInFlight: p.maxInFlight ?? null,
    };
  },
};

/** One phase, validated and normalised; `name` stays as written (possibly undefined). */
export const PhaseSchema = PhaseInputSchema.transform((input, ctx) => {
  const normalise = normalisers[input.executor] as (p: typeof input, ctx: Ctx) => Omit<LoadPhase, 'name'>;
  return { ...normalise(input, ctx), name: input.name } as Omit<LoadPhase, 'name'> & { name: string | undefined };
});

/**
 * A scenario's `load`: one phase (`{ executor: 'constant-arrival-rate', rate: 50, duration: '20s' }`)
 * or a list of phases, run in order; phases marked `background: true` run beside the arms instead.
 * The output is always a list, each phase named: an unnamed phase takes its executor's name,
 * numbered (`closed-2`) when that name is already taken.
 */
const PhaseList = z.array(PhaseSchema).min(1, 'needs at least one phase').max(MAX_PHASES);

export const LoadSchema = z
  .custom<PhaseInput | PhaseInput[]>((value) => value !== undefined, 'a load phase or a list of load phases')
  .transform((value, ctx): LoadPhase[] => {
    // Not a z.union: its "invalid input" would hide the phase's own problem behind the list option.
    const parsed = Array.isArray(value) ? PhaseList.safeParse(value) : PhaseSchema.transform((p) => [p]).safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    const phases = parsed.data;
    const explicit = new Set<string>();
    phases.forEach((phase, i) => {
      if (phase.name === undefined) return;
      if (explicit.has(phase.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `phase name "${phase.name}" is used twice` });
      }
      explicit.add(phase.name);
    });
    const taken = new Set(explicit);
    return phases.map((phase) => {
      let name = phase.name;
      if (name === undefined) {
        name = phase.executor;
        for (let k = 2; taken.has(name); k++) name = `${phase.executor}-${k}`;
        taken.add(name);
      }
      return { ...phase, name } as LoadPhase;
    });
  });
export type LoadInput = z.input<typeof LoadSchema>;
export type Load = z.output<typeof LoadSchema>;

/** The phases that run before/after the arms, in order, and those that run beside them. */
export function splitPhases(phases: readonly LoadPhase[]): { foreground: LoadPhase[]; background: LoadPhase[] } {
  return { foreground: phases.filter((p) => !p.background), background: phases.filter((p) => p.background) };
}
