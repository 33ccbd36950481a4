import { z } from 'zod';
import type { TaskPrompt } from './task-prompt.ts';
import { jsonAnswer } from './task-prompt.ts';

/**
 * sepsis: an adult ED encounter snapshot → the probability of sepsis within the horizon, the
 * task's `score` (0..1; the scenario's threshold turns it into an alert).
 */

const Answer = z.object({
  probability: z.number().min(0).max(1),
  rationale: z.string().optional(),
});

export const sepsisPrompt: TaskPrompt = {
  system: [
    'You are a clinical decision support model in an emergency department. From the data below, estimate the probability',
    '(0 to 1) that this adult patient has or will develop sepsis during this encounter. Missing measurements were not taken.',
    '{{answerFormat}}',
  ].join('\n'),
  user: [
    'Patient: {{patient}}',
    '',
    'Observations:',
    '{{observations}}',
    '',
    'Conditions:',
    '{{conditions}}',
    '',
    '<triage_note>',
    '{{note}}',
    '</triage_note>',
  ].join('\n'),
  answerFormat: 'Answer with one JSON object and nothing else: {"probability": <number between 0 and 1>, "rationale": "<one short sentence>"}',
  fromJson: jsonAnswer(Answer, (a) => ({ score: a.probability })),
  fromCapture(capture) {
    const text = capture.trim();
    const value = /^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(value)) return { problem: `the pattern captured "${capture.slice(0, 40)}", expected a probability between 0 and 1` };
    return { prediction: { score: value } };
  },
};
