import type { FeatureRow } from '../../adapters/adapter.ts';
import type { Case } from '../case.ts';
import type { TaskDefinition } from './task.ts';

/**
 * A bundle as one row of the task's tabular view (`task.table`), non-finite numbers as null. The
 * views tolerate malformed bundles (fuzz perturbations); should one still throw, the row is absent.
 */
export function featureRowOf(task: TaskDefinition, bundle: Case['bundle']): FeatureRow | undefined {
  let cells: ReturnType<TaskDefinition['table']['featuresOf']>;
  try {
    cells = task.table.featuresOf(bundle);
  } catch {
    return undefined;
  }
  const values = task.table.features.map((_, i) => {
    const cell = cells[i];
    return cell === undefined || (typeof cell === 'number' && !Number.isFinite(cell)) ? null : cell;
  });
  return { columns: task.table.features, values };
}

/** The row as `{ column: value }`, the journal's `features` field. */
export function featureRecord(row: FeatureRow): Record<string, FeatureRow['values'][number]> {
  return Object.fromEntries(row.columns.map((column, i) => [column, row.values[i] ?? null]));
}
