import { FAIRNESS_ATTRIBUTES, QualityMetricName, type ArmReport, type AttributeFairness, type Estimate, type FairnessAttribute, type GateResult } from './report-types.ts';
import { isLoadFigure, readLoadFigure, type LoadPhaseReport } from '../load/index.ts';

/**
 * Gates are k6-style thresholds: a key naming a figure, optionally with a modifier and an arm
 * selector (`auroc[baseline]`, `auroc.drop[*]`, `safety.critical`), and an expression
 * (`>= 0.80`). A key without a selector applies to every arm, like `[*]`.
 */
export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Gate {
  readonly key: string;
  readonly expression: string;
  readonly figure: string;
  readonly selector: string;
  readonly op: Comparator;
  readonly bound: number;
}

type Reader = (arm: ArmReport, baseline: ArmReport | undefined) => number | null;

const quality = (name: QualityMetricName): Reader => (arm) => arm.metrics[name].value;
const delta = (name: QualityMetricName): Reader => (arm) => arm.delta?.[name].value ?? null;
const drop = (name: QualityMetricName): Reader => (arm) => {
  const d = arm.delta?.[name].value;
  return d === undefined || d === null ? null : -d;
};
const rate = (count: (arm: ArmReport) => number): Reader => (arm) => (arm.calls === 0 ? null : count(arm) / arm.calls);

const QUALITY: readonly QualityMetricName[] = QualityMetricName.options;

/** A figure read as an Estimate (value, and the paired delta where the arm has one), with .delta and .drop. */
function estimateFigures(
  name: string,
  value: (arm: ArmReport) => Estimate | undefined,
  change: (arm: ArmReport) => Estimate | undefined,
): [string, Reader][] {
  const d = (arm: ArmReport) => change(arm)?.value ?? null;
  return [
    [name, (arm) => value(arm)?.value ?? null],
    [`${name}.delta`, d],
    [`${name}.drop`, (arm) => {
      const x = d(arm);
      return x === null ? null : -x;
    }],
  ];
}

/** Every figure a gate can name, and how it is read from an arm of the report. */
export const FIGURES: Readonly<Record<string, Reader>> = {
  ...Object.fromEntries(QUALITY.flatMap((m) => [[m, quality(m)], [`${m}.delta`, delta(m)], [`${m}.drop`, drop(m)]])),
  // note-triage (arm.classes) and med-safety (arm.alerts); null, so failing, for other tasks.
  ...Object.fromEntries([
    ...estimateFigures('macroF1', (a) => a.classes?.macroF1, (a) => a.classes?.delta?.macroF1),
    ...estimateFigures('accuracy', (a) => a.classes?.accuracy, (a) => a.classes?.delta?.accuracy),
    ...estimateFigures('underTriage', (a) => a.classes?.underTriage, (a) => a.classes?.delta?.underTriage),
    ...estimateFigures('alertSensitivity', (a) => a.alerts?.sensitivity, (a) => a.alerts?.delta?.sensitivity),
    ...estimateFigures('falseAlertRate', (a) => a.alerts?.falseAlertRate, (a) => a.alerts?.delta?.falseAlertRate),
  ]),
  flipRate: (arm) => arm.flipRate,
  stochasticity: (arm) => arm.stochasticity,
  driftShare: (arm) => arm.drift?.driftShare ?? null,
  errorRate: rate((a) => a.outcomes.error + a.outcomes.timeout + a.outcomes.invalid),
  timeoutRate: rate((a) => a.outcomes.timeout),
  invalidRate: rate((a) => a.outcomes.invalid),
  'outcomes.ok': (arm) => arm.outcomes.ok,
  'outcomes.error': (arm) => arm.outcomes.error,
  'outcomes.timeout': (arm) => arm.outcomes.timeout,
  'outcomes.invalid': (arm) => arm.outcomes.invalid,
  'latency.p50': (arm) => arm.latency?.p50 ?? null,
  'latency.p90': (arm) => arm.latency?.p90 ?? null,
  'latency.p95': (arm) => arm.latency?.p95 ?? null,
  'latency.p99': (arm) => arm.latency?.p99 ?? null,
  'latency.max': (arm) => arm.latency?.max ?? null,
  'safety.failures': (arm) => arm.safety.failures,
  'safety.critical': (arm) => arm.safety.bySeverity.critical,
  'safety.major': (arm) => arm.safety.bySeverity.major,
  'safety.minor': (arm) => arm.safety.bySeverity.minor,
};

/** Figures compared with the baseline arm: `[*]` skips the baseline for them. */
const RELATIVE = new Set(['flipRate', 'driftShare']);
const isRelative = (figure: string): boolean => figure.endsWith('.delta') || figure.endsWith('.drop') || RELATIVE.has(figure);

/**
 * Fairness figures, per subgroup attribute rather than per arm (`fairness.eodds[sex]`), read from
 * the baseline arm's `fairness` (or, in a scenario without a baseline arm, the first arm's): the
 * model as it is, not under a perturbation. `[*]` or no selector gives one result per attribute.
 */
export const FAIRNESS_FIGURES: Readonly<Record<string, (f: AttributeFairness) => number | null>> = {
  'fairness.eodds': (f) => f.equalizedOddsDifference,
  'fairness.dpd': (f) => f.demographicParityDifference,
  'fairness.dpr': (f) => f.demographicParityRatio,
  /** 1 when the four-fifths rule is violated, 0 when not. */
  'fairness.fourFifths': (f) => (f.fourFifthsViolated === null ? null : f.fourFifthsViolated ? 1 : 0),
};

export const isFairnessFigure = (figure: string): boolean => Object.hasOwn(FAIRNESS_FIGURES, figure);

/** Figures named after a safety check (`safety.critical-miss`) are read from the check's count. */
function readerFor(figure: string, checks: readonly string[]): Reader | undefined {
  const known = FIGURES[figure];
  if (known) return known;
  const check = figure.startsWith('safety.') ? figure.slice('safety.'.length) : undefined;
  if (check !== undefined && checks.includes(check)) return (arm) => arm.safety.byCheck[check]?.count ?? 0;
  return undefined;
}

const KEY = /^([A-Za-z][A-Za-z0-9.-]*?)(?:\[([^\]]+)\])?$/;
const EXPRESSION = /^\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

export function parseGate(
  key: string,
  expression: string,
  checks: readonly string[] = [],
): { gate: Gate; error?: undefined } | { gate?: undefined; error: string } {
  const k = KEY.exec(key.trim());
  if (!k || k[2]?.trim() === '') return { error: `malformed gate key "${key}"; expected e.g. "auroc[baseline]" or "auroc.drop[*]"` };
  const figure = k[1]!;
  const fairnessFigure = isFairnessFigure(figure);
  if (!readerFor(figure, checks) && !isLoadFigure(figure) && !fairnessFigure) {
    return {
      error:
        `unknown metric "${figure}" in gate "${key}"; known: ${Object.keys(FIGURES).join(', ')}, ` +
        `${Object.keys(FAIRNESS_FIGURES).join(', ')} (with an attribute: [${FAIRNESS_ATTRIBUTES.join('|')}]), safety.<check>, load.<figure>`,
    };
  }
  const selector = k[2]?.trim() ?? '*';
  if (fairnessFigure && selector !== '*' && !(FAIRNESS_ATTRIBUTES as readonly string[]).includes(selector)) {
    return {
      error: `gate "${key}": ${figure} is read per subgroup attribute; use one of ${FAIRNESS_ATTRIBUTES.join(', ')} (or *), not "${selector}"`,
    };
  }
  const e = EXPRESSION.exec(expression);
  if (!e) return { error: `malformed expression "${expression}" for gate "${key}"; expected e.g. ">= 0.8" or "== 0"` };
  return {
    gate: { key, expression, figure, selector, op: e[1] as Comparator, bound: Number(e[2]) },
  };
}

function compare(actual: number, op: Comparator, bound: number): boolean {
  switch (op) {
    case '<': return actual < bound;
    case '<=': return actual <= bound;
    case '>': return actual > bound;
    case '>=': return actual >= bound;
    case '==': return actual === bound;
    case '!=': return actual !== bound;
  }
}

/**
 * Evaluates a gate over a scenario's arms: one result per selected arm. A figure that is not
 * available (e.g. AUROC of an arm with one class, a delta without a baseline) fails its gate.
 * Delta and drop figures skip the baseline arm under `[*]`: it is the reference, not a subject.
 */
export function evaluateGate(
  gate: Gate,
  arms: readonly ArmReport[],
  checks: readonly string[],
  load: readonly LoadPhaseReport[] = [],
): GateResult[] {
  if (isLoadFigure(gate.figure)) {
    // Load figures are per phase; without a selector the gate reads the worst phase.
    const actual = readLoadFigure(gate.figure, gate.selector, load);
    const usable = actual !== null && Number.isFinite(actual);
    return [{ name: `${gate.figure}[${gate.selector}]`, expression: gate.expression, actual: usable ? actual : null, pass: usable && compare(actual, gate.op, gate.bound) }];
  }
  const baseline = arms.find((a) => a.name === 'baseline');
  if (isFairnessFigure(gate.figure)) return evaluateFairnessGate(gate, baseline ?? arms[0]);
  const read = readerFor(gate.figure, checks)!;
  const relative = isRelative(gate.figure);
  const selected =
    gate.selector === '*' ? arms.filter((a) => !(relative && a.name === 'baseline')) : arms.filter((a) => a.name === gate.selector);
  if (selected.length === 0) {
    return [{ name: gate.key, expression: gate.expression, actual: null, pass: false }];
  }
  return selected.map((arm) => {
    const actual = read(arm, baseline);
    const usable = actual !== null && Number.isFinite(actual);
    return {
      name: `${gate.figure}[${arm.name}]`,
      expression: gate.expression,
      actual: usable ? actual : null,
      pass: usable && compare(actual, gate.op, gate.bound),
    };
  });
}

/** A fairness gate: one result per selected attribute, read from `source` (the baseline arm). */
function evaluateFairnessGate(gate: Gate, source: ArmReport | undefined): GateResult[] {
  const read = FAIRNESS_FIGURES[gate.figure]!;
  const attributes: readonly FairnessAttribute[] = gate.selector === '*' ? FAIRNESS_ATTRIBUTES : [gate.selector as FairnessAttribute];
  return attributes.map((attribute) => {
    const figures = source?.fairness?.attributes[attribute];
    const actual = figures ? read(figures) : null;
    const usable = actual !== null && Number.isFinite(actual);
    return {
      name: `${gate.figure}[${attribute}]`,
      expression: gate.expression,
      actual: usable ? actual : null,
      pass: usable && compare(actual, gate.op, gate.bound),
    };
  });
}
