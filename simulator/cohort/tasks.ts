import type { TaskName } from '../case.ts';
import { medSafetyTask } from './med-safety/index.ts';
import { noteTriageTask } from './note-triage/index.ts';
import { sepsisTask } from './sepsis/index.ts';
import type { TaskDefinition } from './task.ts';

/** Every clinical task by name; a task name without a generator does not compile. */
export const tasks: Record<TaskName, TaskDefinition> = {
  sepsis: sepsisTask,
  'note-triage': noteTriageTask,
  'med-safety': medSafetyTask,
};
