/**
 * Every HTTP adapter, built by createAdapter, against a loopback server that echoes the request's
 * credentials back: in 401/500 error bodies (as an auth proxy does) and in a 200's answer text. No
 * AdapterError message and no Prediction may hold the key or any 8-character piece of it, whatever
 * the echo's position relative to the 200-character cut of an error detail.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { statusOf, type ModelInput } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { kserveAdapter } from '../../adapters/kserve.ts';
import type { Target } from '../../simulator/targets/index.ts';
import { ctx, failure, sepsisCase } from './adapter-fixtures.ts';

const TOKEN = `sk-proj-${randomBytes(24).toString('base64url')}`;
const API_KEY = `xk-${randomBytes(20).toString('hex')}`;
const input: ModelInput = sepsisCase(0);
/** Paddings before the echoed key: it lands whole, or is cut at the 200-character limit at every offset. */
const PADS = [0, 120, 160, 170, 175, 178, 180, 185, 190, 195];

type Kind = 'http-json' | 'kserve' | 'mlflow' | 'cds-hooks' | 'openai';

let server: FastifyInstance;
let base: string;

/** What the server says it received: both credentials, after `pad` filler characters. */
function echo(req: FastifyRequest, pad: number): string {
  return `${'.'.repeat(pad)}Received API Key = ${String(req.headers.authorization)} ; X-API-Key = ${String(req.headers['x-api-key'])}`;
}

/** The error body each protocol's adapter reads its message from. */
function errorBody(kind: string, text: string): unknown {
  if (kind === 'openai') return { error: { message: text, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
  if (kind === 'mlflow') return { error_code: 'UNAUTHENTICATED', message: text };
  return { error: text, message: text };
}

beforeAll(async () => {
  server = Fastify({ forceCloseConnections: true });
  server.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
  server.all('/:kind/:status/:pad/*', async (req, reply) => {
    const { kind, status, pad } = req.params as { kind: string; status: string; pad: string };
    const text = echo(req, Number(pad));
    if ((status === '200' || status === '299') && kind === 'openai') {
      // 299: content that is not the JSON answer, which the error message quotes (cut at 80 characters).
      const content = status === '200' ? JSON.stringify({ probability: 0.5, note: text }) : text;
      return {
        id: 'c', object: 'chat.completion', created: 0, model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      };
    }
    if (status === '200') return { score: 0.5, text };
    return reply.code(Number(status)).send(errorBody(kind, text));
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
});

function url(kind: Kind, status: number, pad: number): string {
  const at = `${base}/${kind}/${status}/${pad}`;
  switch (kind) {
    case 'http-json':
      return `${at}/predict`;
    case 'kserve':
      return `${at}/v2/models/sepsis`;
    case 'mlflow':
      return `${at}/invocations`;
    case 'cds-hooks':
      return `${at}/cds-services/med-check`;
    case 'openai':
      return `${at}/v1`;
  }
}

const AUTHS = [
  { name: 'bearer', auth: { bearerEnv: 'K' }, env: { K: TOKEN } },
  { name: 'X-API-Key', auth: { header: 'X-API-Key', valueEnv: 'K' }, env: { K: API_KEY } },
] as const;

function target(kind: Kind, status: number, pad: number, auth: (typeof AUTHS)[number]['auth']): Target {
  const policy = { timeoutMs: 5000, concurrency: 1, retries: 0 };
  if (kind === 'openai') return { adapter: 'openai', url: url(kind, status, pad), model: 'm', temperature: 0, jsonMode: false, auth, ...policy };
  return { adapter: kind, url: url(kind, status, pad), auth, ...policy } as Target;
}

/** Fails when `text` holds either secret or any 8-character piece of one. */
function expectNoSecret(text: string): void {
  for (const secret of [TOKEN, API_KEY]) {
    expect(text).not.toContain(secret);
    for (let i = 0; i + 8 <= secret.length; i++) {
      const piece = secret.slice(i, i + 8);
      if (text.includes(piece)) expect.fail(`"${text}" holds ${piece}, characters ${i}–${i + 8} of a secret`);
    }
  }
}

describe.each(['http-json', 'kserve', 'mlflow', 'cds-hooks', 'openai'] as const)('%s: a server echoing the credentials', (kind) => {
  it.each(AUTHS)('keeps the $name key out of 401 and 500 error messages, cut or whole', async ({ auth, env }) => {
    for (const status of [401, 500]) {
      for (const pad of PADS) {
        const error = await failure(createAdapter(target(kind, status, pad, auth), env).invoke(input, ctx()));
        expect(error).toMatchObject({ type: 'http-status', details: { status } });
        expectNoSecret(error.message);
      }
    }
  });
});

describe('answers echoing the credentials', () => {
  it.each(AUTHS)('http-json and openai: the $name key is not in the Prediction, which keeps its status', async ({ auth, env }) => {
    for (const kind of ['http-json', 'openai'] as const) {
      for (const pad of PADS) {
        const prediction = await createAdapter(target(kind, 200, pad, auth), env).invoke(input, ctx());
        expect(prediction.score).toBe(0.5);
        expect(prediction.text).toContain('[REDACTED]');
        expectNoSecret(JSON.stringify(prediction));
        expect(statusOf(prediction)).toBe(200);
      }
    }
  });
});

describe('a quoted answer echoing the credentials', () => {
  it.each(AUTHS)('openai: the $name key is not in the invalid-response message, cut at 80 characters or whole', async ({ auth, env }) => {
    for (const pad of [0, 30, 40, 45, 50, 55, 60, 65, 70]) {
      const error = await failure(createAdapter(target('openai', 299, pad, auth), env).invoke(input, ctx()));
      expect(error).toMatchObject({ type: 'invalid-response', details: { status: 200 } });
      expectNoSecret(error.message);
    }
  });
});

describe('exchangeJson on its own', () => {
  it('scrubs an error detail before cutting it, so no fragment of the key survives the cut', async () => {
    for (const pad of PADS) {
      const adapter = kserveAdapter({ url: url('kserve', 401, pad), headers: { authorization: `Bearer ${TOKEN}` } });
      const error = await failure(adapter.invoke(input, ctx()));
      expectNoSecret(error.message);
    }
  });
});
