import { placeholderOf, type BodyTemplate, type Placeholder } from '../simulator/targets/request-template.ts';
import type { FeatureRow, ModelInput } from './adapter.ts';

/** The feature row as `{ column: value }`; null when the bundle was too malformed to read. */
function featureObject(row: FeatureRow | undefined): Record<string, FeatureRow['values'][number]> | null {
  if (!row) return null;
  return Object.fromEntries(row.columns.map((column, i) => [column, row.values[i] ?? null]));
}

const VALUE: Record<Placeholder, (input: ModelInput) => unknown> = {
  bundle: (input) => input.bundle,
  features: (input) => featureObject(input.features),
  caseIndex: (input) => input.caseIndex,
  task: (input) => input.task,
};

/**
 * The request body for one case: the template with each whole-string placeholder replaced by its
 * value (simulator/targets/request-template.ts); keys and every other value are kept as written.
 */
export function fillTemplate(template: BodyTemplate, input: ModelInput): unknown {
  if (typeof template === 'string') {
    const placeholder = placeholderOf(template);
    return placeholder === undefined ? template : VALUE[placeholder](input);
  }
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, input));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, item]) => [key, fillTemplate(item, input)]));
  }
  return template;
}
