/** A target URL with a query string: the openai and fhir adapters add their path before it, not inside it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ModelInput } from '../../adapters/adapter.ts';
import { fhirAdapter } from '../../adapters/fhir.ts';
import { openAiAdapter } from '../../adapters/openai.ts';
import { ctx, sepsisCase } from './adapter-fixtures.ts';

let server: FastifyInstance;
let base: string;
const seen: string[] = [];
const input: ModelInput = sepsisCase(0);

beforeAll(async () => {
  server = Fastify({ forceCloseConnections: true });
  server.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
  server.post('/v1/chat/completions', async (req) => {
    seen.push(req.url);
    return {
      id: 'c', object: 'chat.completion', created: 0, model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: '{"probability": 0.25}' }, finish_reason: 'stop' }],
    };
  });
  server.get('/v1/models', async (req) => {
    seen.push(req.url);
    return { object: 'list', data: [] };
  });
  server.post('/fhir/:op', async (req) => {
    seen.push(req.url);
    expect(req.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect((req.body as { resourceType: string }).resourceType).toBe('Parameters');
    return { resourceType: 'Parameters', parameter: [{ name: 'score', valueDecimal: 0.75 }] };
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe('a base URL with a query string', () => {
  it('openai: POSTs {path}/chat/completions?query and GETs {path}/models?query', async () => {
    seen.length = 0;
    const adapter = openAiAdapter({ url: `${base}/v1/?api-version=2024-06-01`, model: 'm' });
    await expect(adapter.invoke(input, ctx())).resolves.toMatchObject({ score: 0.25 });
    await adapter.health!();
    expect(seen).toEqual(['/v1/chat/completions?api-version=2024-06-01', '/v1/models?api-version=2024-06-01']);
  });

  it('fhir: POSTs {path}/$operation?query, naming the operation with `$` when the target left it out', async () => {
    seen.length = 0;
    await expect(fhirAdapter({ url: `${base}/fhir?tenant=a`, operation: '$risk' }).invoke(input, ctx())).resolves.toEqual({ score: 0.75 });
    await expect(fhirAdapter({ url: `${base}/fhir/`, operation: 'risk' }).invoke(input, ctx())).resolves.toEqual({ score: 0.75 });
    expect(seen).toEqual(['/fhir/$risk?tenant=a', '/fhir/$risk']);
  });
});
