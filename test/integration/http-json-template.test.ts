import Fastify, { type FastifyInstance } from 'fastify';
import type { Bundle } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInput } from '../../adapters/adapter.ts';
import { httpJsonAdapter } from '../../adapters/http-json.ts';
import { HttpJsonTarget } from '../../simulator/targets/http-json.ts';

/** A server that answers with what it was sent, so the test sees the wire. */
let server: FastifyInstance;
let url: string;
const seen: Array<{ contentType: string | undefined; apiKey: string | undefined; body: unknown }> = [];

const bundle: Bundle = { resourceType: 'Bundle', id: 'case-12', type: 'collection', entry: [] };
const input: ModelInput = {
  task: 'sepsis',
  caseIndex: 12,
  bundle,
  features: { columns: ['age_years', 'lactate'], values: [64, 3.1] },
};
const ctx = () => ({ signal: AbortSignal.timeout(5_000), attempt: 1 });

beforeAll(async () => {
  server = Fastify();
  server.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
  server.post('/predict', async (req) => {
    seen.push({ contentType: req.headers['content-type'], apiKey: req.headers['x-api-key'] as string | undefined, body: req.body });
    return { result: { probability: 0.61 } };
  });
  url = `${await server.listen({ host: '127.0.0.1', port: 0 })}/predict`;
});

afterAll(async () => {
  await server?.close();
});

describe('http-json request body template', () => {
  it('sends the filled-in template as application/json, with the credentials', async () => {
    const target = HttpJsonTarget.parse({
      adapter: 'http-json',
      url,
      request: { body: { inputs: ['{{features}}'], id: '{{caseIndex}}', task: '{{task}}', resource: '{{bundle}}', model: 'sepsis-v2' } },
      response: { score: 'result.probability' },
    });
    const adapter = httpJsonAdapter({ url: target.url, request: target.request, response: target.response, headers: { 'x-api-key': 'k-123' } });
    seen.length = 0;
    await expect(adapter.invoke(input, ctx())).resolves.toEqual({ score: 0.61 });
    expect(seen).toEqual([
      {
        contentType: 'application/json',
        apiKey: 'k-123',
        body: { inputs: [{ age_years: 64, lactate: 3.1 }], id: 12, task: 'sepsis', resource: bundle, model: 'sepsis-v2' },
      },
    ]);
  });

  it('sends the Bundle itself as application/fhir+json without a template', async () => {
    const adapter = httpJsonAdapter({ url, response: { score: 'result.probability' } });
    seen.length = 0;
    await adapter.invoke(input, ctx());
    expect(seen).toEqual([{ contentType: 'application/fhir+json', apiKey: undefined, body: bundle }]);
  });
});
