/**
 * What the model was sent in a failed case, as the report shows it: the note around the perturbed
 * spans (marked), the other changes the perturbations recorded (before → after), or the input's
 * tabular view when nothing was changed.
 *
 * The journal holds a note's edits, not the note. A generated case is rebuilt instead: patient i
 * of a scenario depends on (seed, task, i) alone and its perturbations on (seed, arm, position, i),
 * so the manifest is enough. The rebuilt case is used only when its provenance equals the
 * journal's and the tool version is the one that wrote the run; otherwise (or for an imported
 * cohort) the report shows the recorded edits alone.
 */
import { isDeepStrictEqual } from 'node:util';
import { TaskName } from '../case.ts';
import { tasks } from '../cohort/tasks.ts';
import { noteText } from '../fhir/bundle-access.ts';
import { applyArm, type ResolvedPerturbation } from '../perturb/apply.ts';
import type { Provenance } from '../perturb/perturbation.ts';
import { isPerturbationKind } from '../perturb/registry.ts';
import type { ScenarioLineage } from '../run/manifest.ts';
import { TOOL_VERSION } from '../version.ts';
import { NOTE_BLOAT_PATH, NOTE_TEXT_PATH, noteExcerpt, type NoteExcerpt } from './note-excerpt.ts';
import type { FailedCase } from './worst-cases.ts';

export interface ChangeRow {
  /** The perturbation kind that recorded the change. */
  readonly kind: string;
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

export interface CaseInput {
  /** The note with the perturbed spans marked; null when the input has none or it cannot be rebuilt. */
  readonly note: NoteExcerpt | null;
  /** Recorded changes that moved a value (the note's text edits only when the note is not shown). */
  readonly changes: ChangeRow[];
  /** Changes left out of `changes`. */
  readonly moreChanges: number;
  /** The input's tabular view (column, value) when the perturbations changed nothing; else null. */
  readonly features: [string, string][] | null;
}

const MAX_CHANGES = 12;
const MAX_FEATURES = 40;
const VALUE_CHARS = 300;

/** A recorded value as text: `(absent)` for null, `(empty)` for '', JSON for objects, cut to a readable length. */
export function displayValue(value: unknown): string {
  if (value === '') return '(empty)';
  const text = value === null || value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text;
}

/** The note of the case as the model received it, rebuilt from the manifest; null when that is not possible. */
export function rebuiltNote(lineage: ScenarioLineage, toolVersion: string, failed: Pick<FailedCase, 'arm' | 'case' | 'perturbations'>): string | null {
  const task = TaskName.safeParse(lineage.task);
  const arm = lineage.arms.find((a) => a.name === failed.arm);
  if (lineage.source !== null || toolVersion !== TOOL_VERSION || !task.success || !arm) return null;
  const perturbations: ResolvedPerturbation[] = [];
  for (const p of arm.perturbations) {
    if (!isPerturbationKind(p.kind)) return null;
    perturbations.push({ kind: p.kind, params: p.params });
  }
  try {
    const definition = tasks[task.data];
    const cohort = { seed: lineage.seed, prevalence: lineage.prevalence ?? undefined };
    const perturbed = applyArm(definition.generate(cohort, failed.case), failed.arm, perturbations, definition, cohort);
    // The journal went through JSON: compare what JSON keeps.
    const rebuilt: unknown = JSON.parse(JSON.stringify(perturbed.provenance));
    if (!isDeepStrictEqual(rebuilt, JSON.parse(JSON.stringify(failed.perturbations)))) return null;
    return noteText(perturbed.case.bundle) ?? null;
  } catch {
    // A fuzzed bundle may not be readable as a note; the recorded changes are shown instead.
    return null;
  }
}

const touchesNote = (p: Provenance): boolean => p.changes.some((c) => c.path === NOTE_TEXT_PATH || c.path === NOTE_BLOAT_PATH);

export function caseInput(lineage: ScenarioLineage, toolVersion: string, failed: FailedCase): CaseInput {
  const wantsNote = lineage.task === 'note-triage' || failed.perturbations.some(touchesNote);
  const text = wantsNote ? rebuiltNote(lineage, toolVersion, failed) : null;
  const note = text === null ? null : noteExcerpt(text, failed.perturbations);

  const rows: ChangeRow[] = [];
  for (const p of failed.perturbations) {
    for (const c of p.changes) {
      if (note && (c.path === NOTE_TEXT_PATH || c.path === NOTE_BLOAT_PATH)) continue;
      // Missingness and noise record the values they examined and kept; only moves are shown.
      if (isDeepStrictEqual(c.before, c.after)) continue;
      const span = c.path === NOTE_TEXT_PATH;
      rows.push({
        kind: p.kind,
        path: c.path,
        before: displayValue(span ? (c.before as { text?: unknown } | null)?.text : c.before),
        after: displayValue(span ? (c.after as { text?: unknown } | null)?.text : c.after),
      });
    }
  }
  const features =
    rows.length === 0 && !note && failed.features
      ? Object.entries(failed.features)
          .slice(0, MAX_FEATURES)
          .map(([name, value]): [string, string] => [name, displayValue(value)])
      : null;
  return { note, changes: rows.slice(0, MAX_CHANGES), moreChanges: Math.max(0, rows.length - MAX_CHANGES), features };
}
