import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { MODEL_NAME, type SepsisModel } from '../sepsis/model.ts';

/**
 * The reference sepsis model as a FHIR operation, under `/fhir` (a FHIR R4 base):
 *
 *   GET  /fhir/metadata        a CapabilityStatement naming the operation
 *   POST /fhir/$sepsis-risk    Parameters { bundle: <Bundle> } → Parameters { score, label, model, version, flag* }
 *
 * `score` (valueDecimal) is the same number `POST /predict` answers for the same Bundle, `label`
 * (valueInteger) the same 0/1. Errors are OperationOutcomes (FHIR R4 "Operations"): 400 `invalid`
 * for a body that is not such a Parameters resource (or not JSON), 415 for another media type, 404
 * `not-supported` for an unknown operation or path.
 */

export const OPERATION = 'sepsis-risk';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

type IssueType = 'invalid' | 'required' | 'not-supported' | 'exception' | 'too-costly';

function outcome(reply: FastifyReply, status: number, code: IssueType, diagnostics: string) {
  return reply
    .code(status)
    .type(FHIR_JSON)
    .send({ resourceType: 'OperationOutcome', issue: [{ severity: status >= 500 ? 'fatal' : 'error', code, diagnostics }] });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Bundle of an operation request, or why the request is not one. */
export function bundleOfParameters(body: unknown): { bundle: unknown } | { problem: string; code: IssueType } {
  if (!isRecord(body) || body.resourceType !== 'Parameters') return { problem: 'the request body must be a Parameters resource', code: 'invalid' };
  if (body.parameter !== undefined && !Array.isArray(body.parameter)) return { problem: 'Parameters.parameter must be an array', code: 'invalid' };
  const bundles = (body.parameter ?? []).filter((p) => isRecord(p) && p.name === 'bundle');
  if (bundles.length !== 1) {
    return { problem: `Parameters must hold exactly one parameter "bundle", holds ${bundles.length}`, code: bundles.length === 0 ? 'required' : 'invalid' };
  }
  const resource = (bundles[0] as Record<string, unknown>).resource;
  if (!isRecord(resource) || resource.resourceType !== 'Bundle') return { problem: 'parameter "bundle" must carry a Bundle resource', code: 'invalid' };
  if (resource.entry !== undefined && !Array.isArray(resource.entry)) return { problem: 'parameter "bundle": Bundle.entry must be an array', code: 'invalid' };
  return { bundle: resource };
}

/** The routes, for `app.register(fhirOperationRoutes(sepsis), { prefix: '/fhir' })`. */
export function fhirOperationRoutes(sepsis: SepsisModel) {
  return async function routes(fhir: FastifyInstance): Promise<void> {
    fhir.setErrorHandler((error: FastifyError, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error(error);
        return outcome(reply, 500, 'exception', 'internal error');
      }
      const code: IssueType = status === 413 ? 'too-costly' : status === 415 ? 'not-supported' : 'invalid';
      return outcome(reply, status, code, error.message.slice(0, 300));
    });
    fhir.setNotFoundHandler((request, reply) =>
      outcome(reply, 404, 'not-supported', `no operation or interaction ${request.method} ${request.url.split('?')[0]} (this server answers $${OPERATION})`),
    );

    fhir.get('/metadata', async (_request, reply) =>
      reply.type(FHIR_JSON).send({
        resourceType: 'CapabilityStatement',
        status: 'active',
        date: '2026-01-01',
        kind: 'instance',
        software: { name: MODEL_NAME, version: sepsis.version },
        fhirVersion: '4.0.1',
        format: ['json'],
        rest: [{ mode: 'server', operation: [{ name: OPERATION, definition: `urn:clinsim:OperationDefinition/${OPERATION}` }] }],
      }),
    );

    fhir.post(`/$${OPERATION}`, async (request, reply) => {
      const read = bundleOfParameters(request.body);
      if ('problem' in read) return outcome(reply, 400, read.code, read.problem);
      const { score, label, flags } = sepsis.predict(read.bundle);
      return reply.type(FHIR_JSON).send({
        resourceType: 'Parameters',
        parameter: [
          { name: 'score', valueDecimal: score },
          { name: 'label', valueInteger: label },
          { name: 'model', valueString: MODEL_NAME },
          { name: 'version', valueString: sepsis.version },
          ...flags.map((flag) => ({ name: 'flag', valueCode: flag })),
        ],
      });
    });
  };
}
