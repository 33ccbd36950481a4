import type { z } from 'zod';
import type { Prediction } from '../adapter.ts';
import { shortZodMessage } from '../failures.ts';

/** A Prediction read off a model's answer, or why the answer is not the one the task asked for. */
export type AnswerReading = { readonly prediction: Prediction } | { readonly problem: string };

/**
 * What a chat model is asked about one task, and how its answer becomes a Prediction. Templates use
 * the placeholders of template.ts; `answerFormat` is what `{{answerFormat}}` expands to.
 */
export interface TaskPrompt {
  readonly system: string;
  readonly user: string;
  readonly answerFormat: string;
  /** The default answer: a JSON value (already parsed from the reply's content). */
  fromJson(value: unknown): AnswerReading;
  /** A target's `answer.pattern`: the text of its one capture group. */
  fromCapture(capture: string): AnswerReading;
}

/** `fromJson` for a zod schema of the JSON answer and its mapping to a Prediction. */
export function jsonAnswer<T>(schema: z.ZodType<T>, toPrediction: (answer: T) => Prediction): (value: unknown) => AnswerReading {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) return { problem: `the JSON answer does not match the task's answer format: ${shortZodMessage(parsed.error)}` };
    return { prediction: toPrediction(parsed.data) };
  };
}
