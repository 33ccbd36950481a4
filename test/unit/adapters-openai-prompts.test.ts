import { describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import { AdapterError } from '../../adapters/adapter.ts';
import { readReply } from '../../adapters/openai.ts';
import { renderTemplate, TASK_PROMPTS, unknownPlaceholders } from '../../adapters/prompts/index.ts';
import { noteOf, observationLines, patientLine } from '../../adapters/prompts/bundle-text.ts';
import { secretScrubber } from '../../adapters/scrub.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { UsageTotals } from '../../simulator/metrics/arm-usage.ts';
import { record } from './journal-fixtures.ts';

/** Prompt templates read from the Bundle, the chat reply reader, the scrubber and the usage totals. */

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const bundle: Bundle = {
  resourceType: 'Bundle',
  type: 'collection',
  timestamp: '2025-03-01T10:00:00Z',
  entry: [
    { resource: { resourceType: 'Patient', gender: 'female', birthDate: '1960-03-02' } },
    {
      resource: {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '2524-7', display: 'Lactate' }] },
        valueQuantity: { value: 4.1, code: 'mmol/L' },
        effectiveDateTime: '2025-03-01T09:30:00Z',
      },
    },
    { resource: { resourceType: 'Observation', status: 'entered-in-error', code: { text: 'void' }, valueQuantity: { value: 1 } } },
    { resource: { resourceType: 'Observation', status: 'final', code: { text: 'text value' }, valueString: 'high' } as never },
    {
      resource: {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'urn:local', code: 'HR' }], text: 'Pulse [local]' },
        valueQuantity: { value: 101 },
      },
    },
    { resource: { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/html', data: b64('<p>Fever <b>and</b> rigors</p>') } }] } },
    { resource: { resourceType: 'DocumentReference', status: 'entered-in-error', content: [{ attachment: { contentType: 'text/plain', data: b64('WRONG PATIENT') } }] } },
    { resource: { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'application/pdf', data: b64('%PDF') } }] } },
    {
      resource: {
        resourceType: 'MedicationRequest',
        status: 'draft',
        intent: 'order',
        subject: { reference: 'Patient/1' },
        medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '723', display: 'amoxicillin' }] },
        dosageInstruction: [{ text: '500 mg PO q8h' }],
      },
    },
    {
      resource: {
        resourceType: 'AllergyIntolerance',
        patient: { reference: 'Patient/1' },
        criticality: 'high',
        code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7980', display: 'penicillin G' }] },
      },
    },
  ],
};

describe('prompt templates', () => {
  it('reads the note, the observations and the patient from the bundle', () => {
    expect(noteOf(bundle)).toBe(' Fever  and  rigors ');
    expect(observationLines(bundle)).toEqual(['- Lactate [LOINC 2524-7]: 4.1 mmol/L, 2025-03-01T09:30:00Z', '- Pulse (local) [urn:local|HR]: 101']);
    expect(patientLine(bundle)).toBe('64-year-old female');
  });

  it("fills med-safety's template with the order, the allergies and the other sections", () => {
    const { user } = TASK_PROMPTS['med-safety'];
    const text = renderTemplate(user, bundle, 'ANSWER');
    expect(text).toContain('Order being signed:\n- amoxicillin [RxNorm 723]: 500 mg PO q8h');
    expect(text).toContain('Allergies and intolerances:\n- penicillin G [RxNorm 7980] (criticality high)');
    expect(text).toContain('Active medications:\n(none recorded)');
  });

  it('expands each placeholder once and never re-expands placeholders found in the data', () => {
    const tricky: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { data: b64('say {{bundle}}') } }] } }] };
    expect(renderTemplate('{{note}} | {{ note }} | {{answerFormat}} | {{unknown}}', tricky, 'FMT')).toBe('say {{bundle}} | say {{bundle}} | FMT | {{unknown}}');
    expect(unknownPlaceholders('{{note}} {{vitals}} {{vitals}} {{Note}}')).toEqual(['vitals', 'Note']);
  });

  it("gives every task a prompt whose placeholders are known and whose answer format is in its system message", () => {
    for (const prompt of Object.values(TASK_PROMPTS)) {
      expect(unknownPlaceholders(prompt.system + prompt.user)).toEqual([]);
      expect(prompt.system).toContain('{{answerFormat}}');
    }
    const sepsis = renderTemplate(TASK_PROMPTS.sepsis.user, tasks.sepsis.generate({ seed: 3 }, 0).bundle, '');
    expect(sepsis).toMatch(/- Lactate.*\[LOINC 2524-7\]|Observations:\n- /);
  });

  it("reads each task's JSON answer and pattern capture", () => {
    expect(TASK_PROMPTS.sepsis.fromJson({ probability: 0.3 })).toEqual({ prediction: { score: 0.3 } });
    expect(TASK_PROMPTS.sepsis.fromJson({ probability: 30 })).toMatchObject({ problem: expect.stringMatching(/probability/) });
    expect(TASK_PROMPTS.sepsis.fromCapture('0.25')).toEqual({ prediction: { score: 0.25 } });
    expect(TASK_PROMPTS.sepsis.fromCapture('25%')).toHaveProperty('problem');
    expect(TASK_PROMPTS['med-safety'].fromJson({ alert: true, rationale: 'penicillin allergy' })).toEqual({ prediction: { label: 1 } });
    expect(TASK_PROMPTS['med-safety'].fromCapture('No')).toEqual({ prediction: { label: 0 } });
    expect(TASK_PROMPTS['note-triage'].fromCapture('non urgent')).toEqual({ prediction: { label: 'non-urgent' } });
    expect(TASK_PROMPTS['note-triage'].fromJson({ esi: '2' })).toHaveProperty('problem');
  });
});

describe('readReply', () => {
  const reply = (content: string | null, extra: Record<string, unknown> = {}) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', ...extra }],
    usage: { prompt_tokens: 1000, completion_tokens: 20, total_tokens: 1020 },
  });
  const read = (json: unknown, pattern?: RegExp) => readReply(json, TASK_PROMPTS['note-triage'], pattern, { inputPerMillion: 3, outputPerMillion: 15 });
  const problem = (json: unknown, pattern?: RegExp): string => {
    try {
      read(json, pattern);
    } catch (error) {
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).type).toBe('invalid-response');
      return (error as AdapterError).message;
    }
    throw new Error('expected a failure');
  };

  it('takes a bare or fenced JSON answer, the whole content as text, and prices the tokens', () => {
    expect(read(reply('{"esi": 1}'))).toEqual({ label: 'emergent', text: '{"esi": 1}', usage: { promptTokens: 1000, completionTokens: 20, costUsd: 0.0033 } });
    expect(read(reply('```\n{"esi": 3}\n```')).label).toBe('urgent');
    expect(read(reply('The ESI is 4.'), /ESI is (\d)/).label).toBe('non-urgent');
  });

  it('names what is wrong with a reply that is not an answer', () => {
    expect(problem(reply('```json\n{"esi": 3}\n```\nDone.'))).toMatch(/not the JSON answer/);
    expect(problem(reply(null, { finish_reason: 'tool_calls' }))).toMatch(/called a tool/);
    expect(problem(reply('   '))).toMatch(/content is empty/);
    expect(problem({ ...reply('{}'), choices: [{ index: 0, message: { role: 'user', content: '{"esi": 1}' }, finish_reason: 'stop' }] })).toMatch(/choices\.0\.message\.role/);
    expect(problem(reply('x'.repeat(500)))).toMatch(/"x{79}…"$/);
  });
});

describe('secretScrubber', () => {
  it('redacts header values and bearer tokens, leaving short values alone', () => {
    const scrub = secretScrubber({ authorization: 'Bearer sk-abcdef123456', 'x-api-key': 'k2-0987654321', 'x-short': 'abc' });
    expect(scrub.text('got Bearer sk-abcdef123456 and sk-abcdef123456 and k2-0987654321 and abc')).toBe('got [REDACTED] and [REDACTED] and [REDACTED] and abc');
    const error = scrub.error(new AdapterError('http-status', 'echo sk-abcdef123456', { status: 403 })) as AdapterError;
    expect(error).toMatchObject({ type: 'http-status', message: 'echo [REDACTED]', details: { status: 403 } });
  });
});

describe('UsageTotals', () => {
  it('sums usage over the records that carry it, cost only where priced', () => {
    const totals = new UsageTotals();
    expect(totals.report()).toBeUndefined();
    totals.add(record({ output: { label: 'urgent', usage: { promptTokens: 100, completionTokens: 10, costUsd: 0.5 } } }));
    totals.add(record({ output: { label: 'urgent', usage: { promptTokens: 50, completionTokens: 5 } } }));
    totals.add(record({ output: null, outcome: 'invalid' }));
    totals.add(record({ output: { label: 'urgent' } }));
    expect(totals.report()).toEqual({ calls: 2, promptTokens: 150, completionTokens: 15, totalTokens: 165, costUsd: 0.5 });
    const unpriced = new UsageTotals();
    unpriced.add(record({ output: { score: 0.1, usage: { promptTokens: 1, completionTokens: 2 } } }));
    expect(unpriced.report()).toMatchObject({ costUsd: null });
  });
});
