import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';

/** Larger files are not parsed: a report of a normal run is well under a megabyte. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export type JsonRead<T> = { readonly kind: 'ok'; readonly data: T } | { readonly kind: 'absent' } | { readonly kind: 'problem'; readonly problem: string };

/**
 * Parsed files by path, valid while the file's identity (inode, size, mtime) is unchanged. Run
 * files are written once, atomically (a rename gives a new inode), so a page reload re-reads only
 * the runs that changed. Bounded: the oldest entries go first.
 */
export class ParsedFileCache {
  private readonly entries = new Map<string, { readonly stamp: string; readonly read: JsonRead<unknown> }>();
  constructor(private readonly capacity: number) {}

  get(path: string, stamp: string): JsonRead<unknown> | undefined {
    const hit = this.entries.get(path);
    if (!hit || hit.stamp !== stamp) return undefined;
    this.entries.delete(path);
    this.entries.set(path, hit);
    return hit.read;
  }

  set(path: string, stamp: string, read: JsonRead<unknown>): void {
    this.entries.delete(path);
    this.entries.set(path, { stamp, read });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * Reads a JSON file of a run folder through a zod schema. Every failure (too large, not JSON, not
 * the expected shape, unreadable) becomes a one-line problem to show, never an exception: one
 * corrupt run must not take the dashboard down.
 */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S, name: string, cache?: ParsedFileCache): Promise<JsonRead<z.output<S>>> {
  let text: string;
  let stamp: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { kind: 'problem', problem: `${name}: not a file` };
    if (info.size > MAX_JSON_BYTES) return { kind: 'problem', problem: `${name}: too large to read (${info.size} bytes)` };
    stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    // Keyed by schema too, through the name: one path is always read as the same file kind.
    const cached = cache?.get(`${name}\0${path}`, stamp);
    if (cached) return cached as JsonRead<z.output<S>>;
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'problem', problem: `${name}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const read = parse(text, schema, name);
  cache?.set(`${name}\0${path}`, stamp, read);
  return read;
}

function parse<S extends z.ZodType>(text: string, schema: S, name: string): JsonRead<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'problem', problem: `${name}: not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return { kind: 'problem', problem: `${name}: ${at}: ${issue.message}` };
  }
  return { kind: 'ok', data: parsed.data };
}
