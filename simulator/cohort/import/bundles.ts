import { readFile } from 'node:fs/promises';
import type { Case } from '../../case.ts';
import type { ImportStats } from './bulk.ts';
import { patientIdOf } from './bulk.ts';
import { ImportError } from './errors.ts';
import { readLines } from './lines.ts';
import { patientCase, type PatientInput, type SnapshotOptions } from './snapshot.ts';

/**
 * FHIR Bundles → Cases: a `.json` file holding one Bundle, or an NDJSON file with one Bundle per
 * line. Any Bundle type is read (collection, transaction as Synthea writes, searchset, …); only
 * `fullUrl` and `resource` of each entry are kept.
 *
 * - A Bundle with one Patient gives one Case holding all its resources (shared ones such as
 *   Practitioner or Organization included, so the bundle's references keep resolving).
 * - A Bundle with several Patients gives one Case per Patient, in entry order, each holding the
 *   resources linked to it (subject / patient / beneficiary, as for Bulk NDJSON); resources linked
 *   to no Patient of the bundle are left out and counted as unlinked.
 * - A Bundle without a Patient is an error (`no-patient`): it cannot become a case.
 *
 * Memory: one Bundle at a time (a `.json` file is read whole; an NDJSON file line by line).
 */

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface BundleSource {
  readonly path: string;
  readonly label: string;
  readonly kind: 'json' | 'ndjson';
}

/** 1-based line of a character position in a text. */
function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseJsonFile(text: string, where: { file: string; label: string }): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const message = (err as Error).message;
    const lineCol = /\(line (\d+) column \d+\)/.exec(message);
    const position = /at position (\d+)/.exec(message);
    // V8 names a position for some syntax errors only ("Unexpected token …" has none): no line then.
    const end = /Unexpected end of JSON input/.test(message) ? text.length : undefined;
    const line = lineCol ? Number(lineCol[1]) : position ? lineAt(text, Number(position[1])) : end !== undefined ? lineAt(text, end) : undefined;
    throw new ImportError('invalid-json', { ...where, ...(line !== undefined ? { line } : {}) }, `not valid JSON (${message})`, { cause: err });
  }
}

function asBundle(value: unknown, where: { file: string; label: string; line?: number }): Json {
  if (!isRecord(value) || typeof value.resourceType !== 'string') {
    throw new ImportError('not-a-resource', where, 'not a FHIR resource (no resourceType)');
  }
  if (value.resourceType !== 'Bundle') throw new ImportError('not-a-bundle', where, `a ${value.resourceType}, not a Bundle`);
  if (value.entry !== undefined && !Array.isArray(value.entry)) throw new ImportError('not-a-bundle', where, 'Bundle.entry is not an array');
  return value;
}

/** Patient groups of one Bundle, per the rules of the module comment. */
export function groupBundle(bundle: Json, where: { file: string; label: string; line?: number }, stats: ImportStats): { patient: Json; items: PatientInput[] }[] {
  const items: PatientInput[] = [];
  for (const e of (bundle.entry as unknown[] | undefined) ?? []) {
    if (!isRecord(e) || !isRecord(e.resource)) continue;
    if (typeof e.resource.resourceType !== 'string') {
      throw new ImportError('not-a-resource', where, 'a Bundle entry whose resource has no resourceType');
    }
    items.push({ resource: e.resource, ...(typeof e.fullUrl === 'string' ? { fullUrl: e.fullUrl } : {}) });
  }
  const patients = items.filter((i) => i.resource.resourceType === 'Patient');
  if (patients.length === 0) throw new ImportError('no-patient', where, 'a Bundle without a Patient');
  if (patients.length === 1) return [{ patient: patients[0]!.resource, items }];

  const groups = new Map<Json, PatientInput[]>(patients.map((p) => [p.resource, [p]]));
  const byKey = new Map<string, Json>();
  for (const p of patients) {
    if (typeof p.resource.id === 'string') byKey.set(p.resource.id, p.resource);
    if (p.fullUrl?.startsWith('urn:uuid:')) byKey.set(p.fullUrl.slice('urn:uuid:'.length), p.resource);
  }
  for (const item of items) {
    if (item.resource.resourceType === 'Patient') continue;
    const owner = patientIdOf(item.resource);
    const patient = owner === undefined ? undefined : byKey.get(owner);
    if (patient) groups.get(patient)!.push(item);
    else stats.unlinked++;
  }
  return [...groups].map(([patient, group]) => ({ patient, items: group }));
}

/** Cases of Bundle files, in the order given. `stats` is filled in as the import proceeds. */
export async function* bundleCases(
  sources: readonly BundleSource[],
  options: SnapshotOptions & { signal?: AbortSignal; stats: ImportStats; firstIndex?: number },
): AsyncGenerator<Case> {
  const { signal, stats } = options;
  let caseIndex = options.firstIndex ?? 0;
  function* casesOf(bundle: Json, where: { file: string; label: string; line?: number }): Generator<Case> {
    for (const { patient, items } of groupBundle(bundle, where, stats)) {
      stats.patients++;
      stats.resources += items.length;
      yield patientCase(items, patient, caseIndex++, options);
    }
  }
  for (const source of sources) {
    signal?.throwIfAborted();
    const where = { file: source.path, label: source.label };
    if (source.kind === 'json') {
      let text: string;
      try {
        text = await readFile(source.path, 'utf8');
      } catch (err) {
        throw new ImportError('unreadable', where, `cannot read (${(err as Error).message})`, { cause: err });
      }
      yield* casesOf(asBundle(parseJsonFile(text, where), where), where);
      continue;
    }
    for await (const line of readLines(source.path, source.label)) {
      signal?.throwIfAborted();
      const at = { ...where, line: line.line };
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch (err) {
        throw new ImportError('invalid-json', at, `not valid JSON (${(err as Error).message})`, { cause: err });
      }
      yield* casesOf(asBundle(value, at), at);
    }
  }
}
