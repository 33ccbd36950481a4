import type { Case } from '../case.ts';
import { importCases, type ImportScope } from './import/index.ts';
import type { CohortOptions, TaskDefinition } from './task.ts';

/** Where a scenario's base cases come from: the task's generator, or FHIR data on disk. */
export interface CaseSource {
  /** Number of patients in the cohort. */
  readonly size: number;
  /** Base cases in patient index order. */
  cases(signal: AbortSignal): AsyncIterable<Case>;
}

export function generatedSource(task: TaskDefinition, cohort: CohortOptions, size: number): CaseSource {
  return {
    size,
    async *cases(signal) {
      for (let i = 0; i < size && !signal.aborted; i++) yield task.generate(cohort, i);
    },
  };
}

export interface ImportedSourceOptions {
  readonly path: string;
  readonly scope: ImportScope;
  /** Key of the pseudonyms given to imported patients; never written to any output. */
  readonly salt: string;
  /** Reads at most this many patients. */
  readonly limit?: number;
}

/**
 * An imported cohort. The data are read twice: once here to count the patients (the report sizes
 * its per-case arrays and the progress line its total from the count), once when the run streams
 * them. Neither pass holds more than one patient's resources at a time.
 */
export async function importedSource(task: TaskDefinition, options: ImportedSourceOptions, signal: AbortSignal): Promise<CaseSource> {
  const read = () => importCases(options.path, { task: task.name, salt: options.salt, scope: options.scope, signal });
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let size = 0;
  for await (const _ of read()) {
    if (++size >= limit) break;
  }
  return {
    size,
    async *cases() {
      let n = 0;
      for await (const c of read()) {
        if (n++ >= size) break;
        yield c;
      }
    },
  };
}
