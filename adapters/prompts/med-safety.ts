import { z } from 'zod';
import type { TaskPrompt } from './task-prompt.ts';
import { jsonAnswer } from './task-prompt.ts';

/**
 * med-safety: a medication order being signed, in the context of allergies, active medications
 * and labs → whether to alert. The task's `label`: 1 alert, 0 none (the med-safety output contract).
 */

const Answer = z.object({
  alert: z.boolean(),
  rationale: z.string().optional(),
});

const YES = /^(?:yes|true|1|alert)$/i;
const NO = /^(?:no|false|0|no[- ]alert|none)$/i;

export const medSafetyPrompt: TaskPrompt = {
  system: [
    'You are a clinical pharmacist reviewing a medication order before it is signed. Decide whether the order has a clinically',
    "significant conflict with the patient's allergies, active medications (interactions, duplications) or laboratory results.",
    'Alert only for a conflict that should stop the order as written.',
    '{{answerFormat}}',
  ].join('\n'),
  user: [
    'Patient: {{patient}}',
    '',
    'Order being signed:',
    '{{orders}}',
    '',
    'Allergies and intolerances:',
    '{{allergies}}',
    '',
    'Active medications:',
    '{{medications}}',
    '',
    'Observations:',
    '{{observations}}',
    '',
    'Conditions:',
    '{{conditions}}',
  ].join('\n'),
  answerFormat: 'Answer with one JSON object and nothing else: {"alert": <true or false>, "rationale": "<one short sentence>"}',
  fromJson: jsonAnswer(Answer, (a) => ({ label: a.alert ? 1 : 0 })),
  fromCapture(capture) {
    const text = capture.trim();
    if (YES.test(text)) return { prediction: { label: 1 } };
    if (NO.test(text)) return { prediction: { label: 0 } };
    return { problem: `the pattern captured "${capture.slice(0, 40)}", expected yes/no, true/false, 1/0 or alert/no-alert` };
  },
};
