/**
 * Errors of the importer, with stable codes (decide on `code`, never on the message text) and the
 * place in the input: `file` (as given or found on disk) and, for line-oriented input, the 1-based
 * `line`. The message starts with `<file relative to the import root>:<line>: `, e.g.
 * `Condition.000.ndjson:17: not valid JSON (Unexpected token ...)`.
 */

export type ImportErrorCode =
  /** A line (NDJSON) or file (JSON) that does not parse. */
  | 'invalid-json'
  /** A JSON value that is not an object with a string `resourceType`. */
  | 'not-a-resource'
  /** Bundle input: the value is a resource, but not a Bundle (or its `entry` is not an array). */
  | 'not-a-bundle'
  /** A Patient without a string `id` (Bulk NDJSON groups by Patient.id). */
  | 'patient-without-id'
  /** Two Patient resources with the same id in one Bulk NDJSON import. */
  | 'duplicate-patient'
  /** A Bundle without any Patient entry: it cannot become a case. */
  | 'no-patient'
  /** Nothing importable at the path, or a layout the importer does not read. */
  | 'unknown-layout'
  /** Both Bulk NDJSON resources and Bundles in one folder: ambiguous. */
  | 'mixed-layout'
  /** The path cannot be read. */
  | 'unreadable';

export class ImportError extends Error {
  override readonly name = 'ImportError';
  readonly code: ImportErrorCode;
  /** The file the problem is in. */
  readonly file: string;
  /** 1-based line number for NDJSON input (and JSON files when the parser says where). */
  readonly line: number | undefined;
  /** The problem without the location prefix. */
  readonly reason: string;

  constructor(code: ImportErrorCode, where: { file: string; label?: string; line?: number }, reason: string, options?: { cause?: unknown }) {
    const label = where.label ?? where.file;
    super(`${label}${where.line !== undefined ? `:${where.line}` : ''}: ${reason}`, options);
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.reason = reason;
  }
}
