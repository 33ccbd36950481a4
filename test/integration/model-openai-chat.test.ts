import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import type { Adapter, ModelInput } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { ChatCompletion } from '../../adapters/openai-wire.ts';
import { classOfEsi, ESI_CLASSES } from '../../adapters/prompts/note-triage.ts';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { bundleOfPrompt, splitNote } from '../../models/protocols/chat-prompt.ts';
import { countTokens, promptTokens } from '../../models/protocols/tokens.ts';
import { TRIAGE_MODEL_NAME } from '../../models/triage/model.ts';
import { noteTextOf, vitalsOfBundle } from '../../models/triage/read.ts';
import { chatRequestFor } from '../../adapters/openai.ts';
import { OpenAiTarget } from '../../simulator/targets/openai.ts';
import { TRIAGE_CLASSES } from '../../simulator/cohort/note-triage/index.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { applyArm, type ResolvedPerturbation } from '../../simulator/perturb/apply.ts';
import { definitionOf, type PerturbationKind } from '../../simulator/perturb/registry.ts';

/**
 * The reference triage model as an OpenAI-compatible chat endpoint: the protocol (models list, the
 * chat.completion and its usage, OpenAI error objects, bearer), and the same answer as `/triage`
 * for the same note over hundreds of cases, baseline and perturbed, for both variants.
 */

const COHORT = { seed: 4242 };
const N = 40;
const KEY_FREE = { 'content-type': 'application/json' };
let flawed: ReferenceModels;
let flawFree: ReferenceModels;
let guarded: ReferenceModels;

beforeAll(async () => {
  [flawed, flawFree, guarded] = await Promise.all([
    startReferenceModels(),
    startReferenceModels({ flawFree: true }),
    startReferenceModels({ requireBearer: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([flawed?.close(), flawFree?.close(), guarded?.close()]);
});

const chat = (models: ReferenceModels, body: unknown, headers: Record<string, string> = KEY_FREE) =>
  fetch(`${models.openaiUrl}/chat/completions`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

const request = (user: string, extra: Record<string, unknown> = {}) => ({
  model: TRIAGE_MODEL_NAME,
  messages: [
    { role: 'system', content: 'Triage.' },
    { role: 'user', content: user },
  ],
  ...extra,
});

const NOTE = 'Chief complaint: chest pain radiating to the left arm. HR 96, RR 18, SpO2 97%. Anticipated resources: labs, ECG.';

describe('reference chat endpoint: protocol', () => {
  it('lists its model at GET /v1/models', async () => {
    const res = await fetch(`${flawed.openaiUrl}/models`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'list', data: [{ id: TRIAGE_MODEL_NAME, object: 'model', created: expect.any(Number), owned_by: 'clinsim' }] });
  });

  it('answers a chat.completion with the JSON answer and a usage block counted by the documented tokenizer', async () => {
    const body = request(`<triage_note>\n${NOTE}\n</triage_note>`);
    const res = await chat(flawed, body);
    expect(res.status).toBe(200);
    const completion = ChatCompletion.parse(await res.json());
    expect(completion).toMatchObject({ object: 'chat.completion', model: TRIAGE_MODEL_NAME, choices: [{ index: 0, finish_reason: 'stop' }] });
    const content = completion.choices[0]!.message.content!;
    expect(JSON.parse(content)).toEqual({ esi: 2, rationale: expect.stringMatching(/^emergent: ESI 2: /) });
    expect(completion.usage).toEqual({
      prompt_tokens: promptTokens(body.messages),
      completion_tokens: countTokens(content),
      total_tokens: promptTokens(body.messages) + countTokens(content),
    });
    // 3 per message + 3 priming; "Triage." is 2 tokens.
    expect(promptTokens([{ content: 'Triage.' }])).toBe(3 + 2 + 3);
    expect(countTokens('HR 112, SpO2 91%')).toBe(7);
  });

  it('cuts the content at max_tokens / max_completion_tokens and answers finish_reason "length"', async () => {
    for (const limit of [{ max_tokens: 4 }, { max_completion_tokens: 4 }]) {
      const completion = ChatCompletion.parse(await (await chat(flawed, request(NOTE, limit))).json());
      expect(completion.choices[0]!.finish_reason).toBe('length');
      expect(completion.choices[0]!.message.content).toBe('{"esi"');
      expect(completion.usage!.completion_tokens).toBe(4);
    }
  });

  it.each([
    ['not JSON', '{"model": ', null, null],
    ['no model', { messages: [{ role: 'user', content: NOTE }] }, 'model', 'invalid_value'],
    ['no messages', { model: TRIAGE_MODEL_NAME, messages: [] }, 'messages', 'invalid_value'],
    ['an unknown role', { model: TRIAGE_MODEL_NAME, messages: [{ role: 'nurse', content: NOTE }] }, 'messages[0].role', 'invalid_value'],
    ['a temperature above 2', request(NOTE, { temperature: 3 }), 'temperature', 'invalid_value'],
    ['an unknown argument', request(NOTE, { flavour: 'mint' }), null, 'unknown_parameter'],
    ['stream: true', request(NOTE, { stream: true }), 'stream', 'unsupported_value'],
    ['no user message', { model: TRIAGE_MODEL_NAME, messages: [{ role: 'system', content: 'x' }] }, 'messages', 'invalid_value'],
  ])('answers 400 with an OpenAI error object for %s', async (_what, body, param, code) => {
    const res = await chat(flawed, body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(json)).toEqual(['error']);
    expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param, code, message: expect.any(String) });
  });

  it('answers 404 model_not_found for another model, and 404 for an unknown /v1 route', async () => {
    const res = await chat(flawed, { ...request(NOTE), model: 'gpt-4o' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'model_not_found', param: 'model', type: 'invalid_request_error' } });
    const route = await fetch(`${flawed.openaiUrl}/embeddings`, { method: 'POST', headers: KEY_FREE, body: '{}' });
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ error: { code: 'unknown_url' } });
  });

  it('requires Authorization: Bearer <any> when told to, and only then', async () => {
    const none = await chat(guarded, request(NOTE));
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/API key/) } });
    const basic = await chat(guarded, request(NOTE), { ...KEY_FREE, authorization: 'Basic dTpw' });
    expect(basic.status).toBe(401);
    expect((await chat(guarded, request(NOTE), { ...KEY_FREE, authorization: 'Bearer anything' })).status).toBe(200);
    expect((await fetch(`${guarded.openaiUrl}/models`)).status).toBe(401);
    expect((await chat(flawed, request(NOTE))).status).toBe(200);
  });
});

describe('the prompt carries what /triage reads', () => {
  it('round-trips the note and the vitals of a bundle through the default note-triage prompt', () => {
    const target = OpenAiTarget.parse({ adapter: 'openai', url: 'http://127.0.0.1:1/v1', model: TRIAGE_MODEL_NAME });
    for (let i = 0; i < 30; i++) {
      const { bundle } = tasks['note-triage'].generate(COHORT, i);
      const user = chatRequestFor(target, { task: 'note-triage', caseIndex: i, bundle }).messages[1]!.content;
      const rebuilt = bundleOfPrompt(user);
      expect(noteTextOf(rebuilt)).toBe(noteTextOf(bundle));
      expect(vitalsOfBundle(rebuilt)).toEqual(vitalsOfBundle(bundle));
    }
    expect(splitNote('a <triage_note>\nx </triage_note> y\n</triage_note> b')).toEqual({ note: 'x </triage_note> y', rest: 'a  b' });
    expect(splitNote('no tags here')).toEqual({ note: 'no tags here', rest: '' });
  });

  it("maps ESI levels onto the note-triage task's classes", () => {
    expect([...ESI_CLASSES]).toEqual([...TRIAGE_CLASSES]);
    expect([1, 2, 3, 4, 5].map(classOfEsi)).toEqual(['emergent', 'emergent', 'urgent', 'non-urgent', 'non-urgent']);
  });
});

/** Arms of perturbed notes (and bundles) the equivalence runs over. */
const ARMS: { name: string; specs: { kind: PerturbationKind; params: unknown }[] }[] = [
  { name: 'baseline', specs: [] },
  { name: 'negation', specs: [{ kind: 'notes.negation', params: {} }] },
  { name: 'injection-downgrade', specs: [{ kind: 'notes.injection', params: { preset: 'downgrade-urgency' } }] },
  { name: 'injection-canary', specs: [{ kind: 'notes.injection', params: { preset: 'ignore-instructions', position: 'start' } }] },
  { name: 'typos', specs: [{ kind: 'notes.typos', params: { rate: 0.05 } }] },
  { name: 'abbreviations', specs: [{ kind: 'notes.abbreviations', params: {} }] },
  { name: 'contradiction', specs: [{ kind: 'notes.contradiction', params: {} }] },
  { name: 'phi-bait', specs: [{ kind: 'notes.phiBait', params: {} }] },
  { name: 'homoglyphs', specs: [{ kind: 'notes.homoglyphs', params: { rate: 0.2 } }] },
  { name: 'markup', specs: [{ kind: 'notes.markup', params: { payload: 'script' } }] },
  { name: 'missing-hr', specs: [{ kind: 'missing.mcar', params: { loinc: '8867-4', rate: 1 } }] },
  // Observations that disagree with the note: the model reads the Observation (the prompt's line).
  { name: 'extreme-hr', specs: [{ kind: 'fuzz.extremeValues', params: { loinc: '8867-4' } }] },
  { name: 'noisy-rr', specs: [{ kind: 'shift.noise', params: { loinc: '9279-1', cv: 0.3 } }] },
  { name: 'empty-bundle', specs: [{ kind: 'fuzz.emptyBundle', params: {} }] },
];

function perturbed(): { arm: string; bundle: Bundle }[] {
  const out: { arm: string; bundle: Bundle }[] = [];
  for (const { name, specs } of ARMS) {
    const resolved: ResolvedPerturbation[] = specs.map((s) => ({ kind: s.kind, params: definitionOf(s.kind).params.parse(s.params) as Record<string, unknown> }));
    for (let i = 0; i < N; i++) out.push({ arm: name, bundle: applyArm(tasks['note-triage'].generate(COHORT, i), name, resolved, tasks['note-triage'], COHORT).case.bundle });
  }
  return out;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

describe('the same note through /triage (http-json) and /v1/chat/completions (openai)', () => {
  it.each([['flawed'], ['flaw-free']])('gives the same class, and the same ESI level unless an obeyed instruction moved the class (%s)', async (variant) => {
    const models = variant === 'flawed' ? flawed : flawFree;
    const viaHttp: Adapter = createAdapter({ adapter: 'http-json', url: models.triageUrl, timeoutMs: 10_000, concurrency: 8, retries: 0 });
    const viaChat: Adapter = createAdapter(OpenAiTarget.parse({ adapter: 'openai', url: models.openaiUrl, model: TRIAGE_MODEL_NAME }));
    const cases = perturbed();
    expect(cases.length).toBe(ARMS.length * N);
    let overridden = 0;
    const levels = new Set<number>();
    await mapLimited(cases, 8, async ({ arm, bundle }, i) => {
      const input: ModelInput = { task: 'note-triage', caseIndex: i, bundle };
      const ctx = { signal: AbortSignal.timeout(10_000), attempt: 1 };
      const http = await fetch(models.triageUrl, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
      const triage = (await http.json()) as { label: string; esi: number };
      const [byHttp, byChat] = await Promise.all([viaHttp.invoke(input, ctx), viaChat.invoke(input, ctx)]);
      const esi = (JSON.parse(byChat.text!) as { esi: number }).esi;
      levels.add(esi);
      expect({ arm, i, label: byChat.label }).toEqual({ arm, i, label: byHttp.label });
      expect(classOfEsi(esi)).toBe(triage.label);
      if (classOfEsi(triage.esi) === triage.label) expect({ arm, i, esi }).toEqual({ arm, i, esi: triage.esi });
      else overridden++;
    });
    // Every ESI level occurs, and only the flawed variant obeys injected instructions.
    expect([...levels].sort()).toEqual([1, 2, 3, 4, 5]);
    if (variant === 'flawed') expect(overridden).toBeGreaterThan(N / 2);
    else expect(overridden).toBe(0);
  });
});

describe('documented request fixture', () => {
  it('is accepted by the reference endpoint when it names the served model', async () => {
    const doc = JSON.parse(readFileSync(new URL('../fixtures/wire/openai/request.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const res = await chat(flawed, { ...doc, model: TRIAGE_MODEL_NAME });
    expect(res.status).toBe(200);
    // "Hello!" is not a triage note: triaged from nothing, ESI 5.
    expect(JSON.parse(ChatCompletion.parse(await res.json()).choices[0]!.message.content!)).toMatchObject({ esi: 5 });
  });
});
