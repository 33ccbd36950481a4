import type { Case } from '../../case.ts';
import { parseLiteralReference } from '../../fhir/references.ts';
import { ImportError } from './errors.ts';
import { LineReader, readLines } from './lines.ts';
import { patientCase, type SnapshotOptions } from './snapshot.ts';

/**
 * FHIR Bulk Data NDJSON (one resource per line, typically `<Type>.000.ndjson` per type) → one Case
 * per Patient, in two passes:
 *
 * 1. Index: every file is streamed line by line; each line is parsed (a malformed line fails here,
 *    naming file and line) and only its location is kept — file number, byte offset, byte length —
 *    under the patient it belongs to. Patients are identified by Patient.id; a resource belongs to
 *    the patient its `subject`, `patient` or `beneficiary` reference names (`Patient/<id>`,
 *    `…/Patient/<id>` or `urn:uuid:<id>`). Resources with no such reference (Practitioner,
 *    Organization, Location, Medication, …) and resources of patients with no Patient line are
 *    skipped and counted.
 * 2. Emit: for each Patient in input order, its lines are read back by byte range, parsed, and
 *    turned into a Case (snapshot.ts). One patient's resources are in memory at a time.
 *
 * Memory: the index holds about 20 bytes per resource in typed arrays (no resource content) plus
 * one map entry per patient id, i.e. about 200 MB for 10 million resources; the emit pass holds one
 * patient's resources.
 */

export interface BulkFile {
  readonly path: string;
  /** Name used in error messages (relative to the import root). */
  readonly label: string;
}

export interface ImportStats {
  /** Cases produced (Patients). */
  patients: number;
  /** Resources placed into cases, Patients included. */
  resources: number;
  /** Resources not linked to any patient (shared: Practitioner, Organization, …), skipped. */
  unlinked: number;
  /** Resources linked to a patient id that has no Patient resource, skipped. */
  orphaned: number;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Growable typed-array columns: per resource its file, byte offset, byte length and next-of-patient link. */
class LocationIndex {
  private capacity = 1024;
  size = 0;
  file = new Uint32Array(this.capacity);
  offset = new Float64Array(this.capacity);
  length = new Uint32Array(this.capacity);
  next = new Int32Array(this.capacity);

  add(file: number, offset: number, length: number): number {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.file[i] = file;
    this.offset[i] = offset;
    this.length[i] = length;
    this.next[i] = -1;
    return i;
  }

  private grow(): void {
    this.capacity *= 2;
    const copy = <T extends Uint32Array | Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.capacity);
      b.set(a);
      return b;
    };
    this.file = copy(this.file, (n) => new Uint32Array(n));
    this.offset = copy(this.offset, (n) => new Float64Array(n));
    this.length = copy(this.length, (n) => new Uint32Array(n));
    this.next = copy(this.next, (n) => new Int32Array(n));
  }
}

interface PatientSlot {
  /** Location of the Patient line, -1 until seen. */
  patient: number;
  /** First and last resource location of the patient's chain. */
  head: number;
  tail: number;
}

const PATIENT_LINKS = ['subject', 'patient', 'beneficiary'] as const;

/** Largest block read at once in the emit pass (adjacent lines of one patient). */
const MAX_READ = 8 * 1024 * 1024;

/** The Patient id a resource belongs to, from its subject / patient / beneficiary reference. */
export function patientIdOf(resource: Json): string | undefined {
  for (const field of PATIENT_LINKS) {
    const ref = resource[field];
    if (!isRecord(ref) || typeof ref.reference !== 'string') continue;
    const reference = ref.reference;
    if (reference.startsWith('urn:uuid:')) return reference.slice('urn:uuid:'.length);
    const literal = parseLiteralReference(reference);
    if (literal?.type === 'Patient') return literal.id;
  }
  return undefined;
}

/** Parses one NDJSON line into a resource, or throws the ImportError naming file and line. */
export function parseResourceLine(text: string, where: { file: string; label: string; line?: number }): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ImportError('invalid-json', where, `not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (!isRecord(value)) throw new ImportError('not-a-resource', where, `not a FHIR resource (a JSON ${Array.isArray(value) ? 'array' : typeof value === 'object' ? 'null' : typeof value})`);
  if (typeof value.resourceType !== 'string' || value.resourceType === '') {
    throw new ImportError('not-a-resource', where, 'not a FHIR resource (no resourceType)');
  }
  return value;
}

/**
 * Cases of a Bulk NDJSON import; `files` in the order to read (sorted by name by the caller).
 * `stats` is filled in as the import proceeds.
 */
export async function* bulkCases(
  files: readonly BulkFile[],
  options: SnapshotOptions & { signal?: AbortSignal; stats: ImportStats; firstIndex?: number },
): AsyncGenerator<Case> {
  const { signal, stats } = options;
  const index = new LocationIndex();
  const slots = new Map<string, PatientSlot>();
  const order: string[] = [];
  const slotOf = (id: string): PatientSlot => {
    let s = slots.get(id);
    if (!s) {
      s = { patient: -1, head: -1, tail: -1 };
      slots.set(id, s);
    }
    return s;
  };

  // Pass 1: index.
  for (let f = 0; f < files.length; f++) {
    const { path, label } = files[f]!;
    for await (const line of readLines(path, label)) {
      signal?.throwIfAborted();
      const where = { file: path, label, line: line.line };
      const resource = parseResourceLine(line.text, where);
      if (resource.resourceType === 'Bundle') {
        throw new ImportError('mixed-layout', where, 'a Bundle in Bulk NDJSON input (one resource per line expected)');
      }
      if (resource.resourceType === 'Patient') {
        if (typeof resource.id !== 'string' || resource.id === '') throw new ImportError('patient-without-id', where, 'Patient without an id');
        const slot = slotOf(resource.id);
        if (slot.patient !== -1) throw new ImportError('duplicate-patient', where, `second Patient with id ${JSON.stringify(resource.id)}`);
        slot.patient = index.add(f, line.offset, line.length);
        order.push(resource.id);
        continue;
      }
      const owner = patientIdOf(resource);
      if (owner === undefined) {
        stats.unlinked++;
        continue;
      }
      const slot = slotOf(owner);
      const at = index.add(f, line.offset, line.length);
      if (slot.tail === -1) slot.head = at;
      else index.next[slot.tail] = at;
      slot.tail = at;
    }
  }
  for (const slot of slots.values()) {
    if (slot.patient !== -1) continue;
    for (let at = slot.head; at !== -1; at = index.next[at]!) stats.orphaned++;
  }

  // Pass 2: emit, one patient at a time.
  const reader = new LineReader();
  try {
    let caseIndex = options.firstIndex ?? 0;
    for (const id of order) {
      signal?.throwIfAborted();
      const slot = slots.get(id)!;
      const locations = [slot.patient];
      for (let at = slot.head; at !== -1; at = index.next[at]!) locations.push(at);
      const resources: Json[] = [];
      // Lines of a patient that are adjacent in a file (a Bulk export usually writes a patient's
      // resources together) are read in one call, then split.
      for (let k = 0; k < locations.length; ) {
        const first = locations[k]!;
        const fileNo = index.file[first]!;
        const start = index.offset[first]!;
        let end = start + index.length[first]!;
        let stop = k + 1;
        while (stop < locations.length) {
          const at = locations[stop]!;
          const gap = index.offset[at]! - end;
          if (index.file[at] !== fileNo || gap < 0 || gap > 2 || index.offset[at]! + index.length[at]! - start > MAX_READ) break;
          end = index.offset[at]! + index.length[at]!;
          stop++;
        }
        const file = files[fileNo]!;
        const block = await reader.readBytes(file.path, start, end - start);
        for (; k < stop; k++) {
          const at = locations[k]!;
          const from = index.offset[at]! - start;
          const text = block.toString('utf8', from, from + index.length[at]!);
          // Already parsed once in pass 1; fails only if the file changed in between.
          resources.push(parseResourceLine(text, { file: file.path, label: file.label }));
        }
      }
      stats.patients++;
      stats.resources += resources.length;
      yield patientCase(
        resources.map((resource) => ({ resource })),
        resources[0]!,
        caseIndex++,
        options,
      );
    }
  } finally {
    await reader.close();
  }
}
