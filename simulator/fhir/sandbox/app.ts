import { getStatus, isOk, isResourceType, normalizeOperationOutcome } from '@medplum/core';
import { FhirRouter, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bundle, OperationOutcome, Resource } from 'fhir/r4.js';
import { capabilityStatement } from './capability.ts';
import type { SandboxDefinitions } from './definitions.ts';
import type { SandboxRepository } from './repository.ts';
import { normalizeSearch, withPaging, type NormalizedSearch } from './search-query.ts';

/**
 * The sandbox's HTTP face: fastify in front of @medplum/fhir-router's FhirRouter.
 *
 *   GET    [base]/metadata                 CapabilityStatement (built here; the router has none)
 *   GET    [base]/[type]?params            search (checked and paged here, run by the engine)
 *   POST   [base]/[type]/_search           search with form-encoded parameters, answered as GET
 *   POST   [base]                          batch / transaction Bundle (all-or-nothing)
 *   other  [base]/[type][/id[/_history[/vid]]]   read, vread, create, update, patch, delete, history
 *
 * [base] is `/fhir/R4`. Bodies are JSON (`application/fhir+json`, `application/json`, and
 * `application/json-patch+json` for PATCH); every answer is `application/fhir+json`, errors are
 * OperationOutcomes with the engine's status code.
 */

export const BASE_PATH = '/fhir/R4';
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
/** Largest request body (a transaction of 50 patients is about 1 MB). */
export const SANDBOX_BODY_LIMIT = 64 * 1024 * 1024;

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface SandboxAppOptions {
  readonly repo: SandboxRepository;
  readonly definitions: SandboxDefinitions;
  /** Fastify request logging (default off). */
  readonly logger?: boolean;
}

type IssueCode = NonNullable<OperationOutcome['issue'][number]['code']>;

function outcome(severity: 'error' | 'fatal', code: IssueCode, diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

function statusOf(error: FastifyError): number {
  return typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
}

/** `http://host:port` as the client addressed the server, so links work from where it stands. */
function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function sendResource(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(FHIR_JSON).send(JSON.stringify(body));
}

/** The fastify app, not listening (tests can use `inject`). */
export function buildSandboxApp(options: SandboxAppOptions): FastifyInstance {
  const { repo, definitions } = options;
  const router = new FhirRouter();
  const started = new Date().toISOString();
  /** CapabilityStatement per base URL the clients used (it names the base). */
  const capabilities = new Map<string, string>();
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: SANDBOX_BODY_LIMIT, forceCloseConnections: true });

  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/fhir+json', 'application/json+fhir', 'application/json-patch+json'], { parseAs: 'string' }, json);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) request.log.error(error);
    const code = status === 413 ? 'too-costly' : status === 415 ? 'not-supported' : status >= 500 ? 'exception' : 'invalid';
    return sendResource(reply, status, outcome(status >= 500 ? 'fatal' : 'error', code, error.message.slice(0, 500)));
  });
  app.setNotFoundHandler((request, reply) =>
    sendResource(
      reply,
      404,
      outcome('error', 'not-found', `no route ${request.method} ${request.url.split('?')[0]}; the FHIR base is ${origin(request)}${BASE_PATH}`),
    ),
  );

  /** Runs a request through the engine and turns its [outcome, resource] into the HTTP answer. */
  async function dispatch(
    request: FastifyRequest,
    reply: FastifyReply,
    url: string,
    search?: NormalizedSearch,
  ): Promise<FastifyReply> {
    const fhirRequest: FhirRequest = {
      // A POST _search is answered as the GET search it stands for.
      method: search ? 'GET' : (request.method as HttpMethod),
      url,
      pathname: '',
      params: {},
      query: {},
      body: search ? undefined : request.body,
      headers: request.headers,
      config: { transactions: true },
    };
    let result: Awaited<ReturnType<FhirRouter['handleRequest']>>;
    try {
      result = await router.handleRequest(fhirRequest, repo);
    } catch (error) {
      result = [normalizeOperationOutcome(error)];
    }
    const [engineOutcome, resource] = result;
    const status = getStatus(engineOutcome);
    if (!isOk(engineOutcome) || !resource) return sendResource(reply, status, engineOutcome);
    const base = `${origin(request)}${BASE_PATH}`;
    if (search && resource.resourceType === 'Bundle') {
      const searchUrl = `${base}/${url.split('?')[0]}`;
      return sendResource(reply, status, withPaging(resource as Bundle, search, searchUrl, base));
    }
    if (resource.resourceType === 'Bundle' && (resource.type === 'transaction-response' || resource.type === 'batch-response')) {
      for (const entry of resource.entry ?? []) {
        if (entry.resource?.id) entry.fullUrl = `${base}/${entry.resource.resourceType}/${entry.resource.id}`;
      }
    }
    const { versionId, lastUpdated } = (resource as Resource).meta ?? {};
    if (versionId) reply.header('etag', `W/"${versionId}"`);
    if (lastUpdated) reply.header('last-modified', new Date(lastUpdated).toUTCString());
    if (status === 201 && resource.id) {
      reply.header('location', `${base}/${resource.resourceType}/${resource.id}${versionId ? `/_history/${versionId}` : ''}`);
    }
    return sendResource(reply, status, resource);
  }

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const [pathPart = '', queryPart = ''] = request.url.slice(BASE_PATH.length).split(/\?(.*)/s);
    let segments: string[];
    try {
      segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return sendResource(reply, 400, outcome('error', 'invalid', `malformed URL path ${pathPart.slice(0, 100)}`));
    }
    const path = segments.join('/');
    const [first] = segments;
    if (first === undefined) {
      if (request.method === 'POST') return dispatch(request, reply, '');
      return sendResource(reply, 400, outcome('error', 'not-supported', 'system-level search is not supported; search one resource type, e.g. GET [base]/Patient'));
    }
    if (first === 'metadata' && segments.length === 1 && request.method === 'GET') {
      const base = `${origin(request)}${BASE_PATH}`;
      let text = capabilities.get(base);
      if (text === undefined) {
        if (capabilities.size >= 16) capabilities.clear(); // the Host header is the client's to choose
        capabilities.set(base, (text = JSON.stringify(capabilityStatement(definitions, base, started))));
      }
      return reply.code(200).type(FHIR_JSON).send(text);
    }
    if (!isResourceType(first)) return sendResource(reply, 404, outcome('error', 'not-found', `unknown resource type "${first}"`));

    const isSearch = segments.length === 1 && request.method === 'GET';
    const isPostSearch = segments.length === 2 && segments[1] === '_search' && request.method === 'POST';
    if (isSearch || isPostSearch) {
      const query = new URLSearchParams(queryPart);
      if (isPostSearch && typeof request.body === 'string') for (const [k, v] of new URLSearchParams(request.body)) query.append(k, v);
      let search: NormalizedSearch;
      try {
        search = normalizeSearch(first, query, BASE_PATH);
      } catch (error) {
        const oo = normalizeOperationOutcome(error);
        return sendResource(reply, getStatus(oo), oo);
      }
      return dispatch(request, reply, `${first}?${search.params.toString()}`, search);
    }
    return dispatch(request, reply, queryPart ? `${path}?${queryPart}` : path);
  }

  app.route({ method: [...METHODS], url: BASE_PATH, handler: handle });
  app.route({ method: [...METHODS], url: `${BASE_PATH}/*`, handler: handle });
  return app;
}
