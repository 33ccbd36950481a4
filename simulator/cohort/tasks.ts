import type { TaskName } from '../case.ts';
import { sepsisTask } from './sepsis/index.ts';
import type { TaskDefinition } from './task.ts';

/** Every task and its definition; a TaskName without an entry does not compile. */
export const tasks: Record<TaskName, TaskDefinition> = {
  sepsis: sepsisTask,
};
