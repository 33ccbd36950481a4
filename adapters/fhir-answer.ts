import { z } from 'zod';
import { AdapterError, type Prediction } from './adapter.ts';
import { shortZodMessage, validatePrediction } from './failures.ts';

/*
 * The answer of a FHIR operation as a Prediction. FHIR R4 "Operations": the response is a
 * Parameters resource, or, when the operation's only output is a resource named `return`, that
 * resource itself; an error is an OperationOutcome. Parameters inv-1: a parameter has exactly one of
 * value[x], resource, part.
 */

export interface ParameterNames {
  readonly score: string;
  readonly label: string;
  readonly text: string;
}

const Parameter = z
  .object({ name: z.string().min(1), resource: z.record(z.string(), z.unknown()).optional(), part: z.array(z.unknown()).optional() })
  .catchall(z.unknown())
  .superRefine((p, ctx) => {
    const kinds = Object.keys(p).filter((k) => k === 'resource' || k === 'part' || /^value[A-Z]/.test(k));
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `parameter "${p.name}" must have exactly one of value[x], resource, part (inv-1), has ${kinds.length}` });
  });
type Parameter = z.infer<typeof Parameter>;

const Parameters = z.object({ resourceType: z.literal('Parameters'), parameter: z.array(Parameter).optional() });

const RiskAssessment = z.object({
  resourceType: z.literal('RiskAssessment'),
  status: z.string().optional(),
  prediction: z.array(z.object({ probabilityDecimal: z.number().optional() }).catchall(z.unknown())).min(1, 'has no prediction'),
});

const OperationOutcome = z.object({
  resourceType: z.literal('OperationOutcome'),
  issue: z.array(
    z.object({
      severity: z.string(),
      code: z.string(),
      diagnostics: z.string().optional(),
      details: z.object({ text: z.string().optional() }).catchall(z.unknown()).optional(),
    }),
  ),
});

/**
 * `error invalid: Bundle is required; warning …` — an OperationOutcome in one line, or undefined when
 * `body` is not one. `scrub` runs before the 300-character cut: a key cut there would no longer
 * match in full.
 */
export function outcomeText(body: unknown, scrub: (text: string) => string = (text) => text): string | undefined {
  const parsed = OperationOutcome.safeParse(body);
  if (!parsed.success) return undefined;
  const text = parsed.data.issue
    .map((i) => {
      const why = i.diagnostics ?? i.details?.text;
      return `${i.severity} ${i.code}${why ? `: ${why}` : ''}`;
    })
    .join('; ');
  const clean = scrub(text);
  return clean.length <= 300 ? clean : `${clean.slice(0, 299)}…`;
}

const invalid = (message: string, cause?: unknown): AdapterError => new AdapterError('invalid-response', message, cause === undefined ? {} : { cause });

/** The value[x] of a parameter: `[type, value]`, e.g. `['Decimal', 0.42]`. */
function valueOf(p: Parameter): [string, unknown] | undefined {
  const key = Object.keys(p).find((k) => /^value[A-Z]/.test(k));
  return key === undefined ? undefined : [key.slice('value'.length), p[key]];
}

function single(parameters: readonly Parameter[], name: string): Parameter | undefined {
  const found = parameters.filter((p) => p.name === name);
  if (found.length > 1) throw invalid(`Parameters has ${found.length} parameters named "${name}", expected at most one`);
  return found[0];
}

function scoreOf(p: Parameter): number {
  const value = valueOf(p);
  if (!value || value[0] !== 'Decimal' || typeof value[1] !== 'number') throw invalid(`parameter "${p.name}" must be a valueDecimal, is ${value ? `value${value[0]}` : 'not a value'}`);
  return value[1];
}

function labelOf(p: Parameter): number | string {
  const value = valueOf(p);
  if (value) {
    const [type, v] = value;
    if (type === 'Integer' && Number.isInteger(v)) return v as number;
    if ((type === 'Code' || type === 'String') && typeof v === 'string') return v;
    if (type === 'Boolean' && typeof v === 'boolean') return v ? 1 : 0;
  }
  throw invalid(`parameter "${p.name}" must be a valueInteger, valueCode, valueString or valueBoolean`);
}

function textOf(p: Parameter): string {
  const value = valueOf(p);
  if (value && (value[0] === 'String' || value[0] === 'Markdown') && typeof value[1] === 'string') return value[1];
  throw invalid(`parameter "${p.name}" must be a valueString or valueMarkdown`);
}

function fromRiskAssessment(resource: unknown): Prediction {
  const parsed = RiskAssessment.safeParse(resource);
  if (!parsed.success) throw invalid(`not a valid RiskAssessment: ${shortZodMessage(parsed.error)}`, parsed.error);
  const probability = parsed.data.prediction[0]!.probabilityDecimal;
  if (probability === undefined) throw invalid('RiskAssessment.prediction[0] has no probabilityDecimal');
  return validatePrediction({ score: probability });
}

/** The Prediction of a 2xx operation reply; throws `invalid-response` naming what was wrong. */
export function predictionOfOperation(body: unknown, names: ParameterNames, scrub: (text: string) => string = (text) => text): Prediction {
  const type = typeof body === 'object' && body !== null && 'resourceType' in body ? (body as { resourceType: unknown }).resourceType : undefined;
  if (type === 'RiskAssessment') return fromRiskAssessment(body);
  if (type === 'OperationOutcome') throw invalid(`the operation answered an OperationOutcome: ${outcomeText(body, scrub) ?? 'unreadable'}`);
  if (type !== 'Parameters') {
    throw invalid(`the operation answered ${typeof type === 'string' ? `a ${type.slice(0, 40)}` : 'something that is not a FHIR resource'}, expected Parameters or RiskAssessment`);
  }
  const parsed = Parameters.safeParse(body);
  if (!parsed.success) throw invalid(`not a valid Parameters resource: ${shortZodMessage(parsed.error)}`, parsed.error);
  const parameters = parsed.data.parameter ?? [];
  const returned = single(parameters, 'return');
  if (returned?.resource?.resourceType === 'RiskAssessment') return fromRiskAssessment(returned.resource);

  const score = single(parameters, names.score);
  const label = single(parameters, names.label);
  const text = single(parameters, names.text);
  if (!score && !label && !text) {
    const present = parameters.map((p) => p.name).slice(0, 8).join(', ') || 'none';
    throw invalid(`Parameters has none of "${names.score}", "${names.label}", "${names.text}" (parameters: ${present})`);
  }
  return validatePrediction({
    ...(score ? { score: scoreOf(score) } : {}),
    ...(label ? { label: labelOf(label) } : {}),
    ...(text ? { text: textOf(text) } : {}),
  });
}
