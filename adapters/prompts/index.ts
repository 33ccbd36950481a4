import type { TaskName } from '../../simulator/case.ts';
import { medSafetyPrompt } from './med-safety.ts';
import { noteTriagePrompt } from './note-triage.ts';
import { sepsisPrompt } from './sepsis.ts';
import type { TaskPrompt } from './task-prompt.ts';

export { PLACEHOLDERS, renderTemplate, unknownPlaceholders, type Placeholder } from './template.ts';
export type { AnswerReading, TaskPrompt } from './task-prompt.ts';

/** Each task's default prompt and answer format (a task without one does not compile). */
export const TASK_PROMPTS: Readonly<Record<TaskName, TaskPrompt>> = {
  sepsis: sepsisPrompt,
  'note-triage': noteTriagePrompt,
  'med-safety': medSafetyPrompt,
};
