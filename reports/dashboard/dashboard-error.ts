import type { z } from 'zod';

/** A request the dashboard answers with an error page; `status` is the HTTP status. */
export class DashboardError extends Error {
  override readonly name = 'DashboardError';
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

/** Request input through its schema; a failure is a 400 that names the field. */
export function parseRequest<S extends z.ZodType>(what: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new DashboardError(400, `${what}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
}
