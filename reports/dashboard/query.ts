import { z } from 'zod';
import { METRIC_NAMES, type MetricName } from './trend-metrics.ts';

/** Query strings and route parameters, validated before anything reads them. */

const name = z.string().max(200, 'at most 200 characters');
/** An empty form field means "not chosen". */
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

export const ListQuery = z.object({
  scenario: z.preprocess(blankIsAbsent, name.optional()),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const TrendsQuery = z.object({
  scenario: z.preprocess(blankIsAbsent, name.optional()),
  metric: z.preprocess(blankIsAbsent, z.enum(METRIC_NAMES as [MetricName, ...MetricName[]]).optional()),
  // Checkboxes: one `arm` per checked box, so a string or a list.
  arm: z
    .union([name, z.array(name).max(100, 'at most 100 arms')])
    .optional()
    .transform((v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v)),
});
export type TrendsQuery = z.infer<typeof TrendsQuery>;

export const RunParams = z.object({ id: z.string() });
export const RunFileParams = z.object({ id: z.string(), file: z.string() });
