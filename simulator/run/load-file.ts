import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LoadReport, type LoadPhaseReport } from '../load/index.ts';
import { writeFileAtomic } from './atomic-write.ts';

/**
 * load.json: the load phases' results per scenario. Load figures come from histograms, not from
 * the journal, so they are kept beside it: a report rendered again later reads them from here.
 */
export const LOAD_FILE = 'load.json';

const LoadFile = z.array(z.object({ scenario: z.string(), phases: LoadReport }));

export async function writeLoadFile(path: string, byScenario: ReadonlyMap<string, readonly LoadPhaseReport[]>): Promise<void> {
  const entries = [...byScenario].map(([scenario, phases]) => ({ scenario, phases: [...phases] }));
  await writeFileAtomic(path, JSON.stringify(entries, null, 2) + '\n');
}

/** The load results of a run folder; an empty map when the run had no load phases. */
export async function readLoadFile(path: string): Promise<Map<string, LoadPhaseReport[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const parsed = LoadFile.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return new Map(parsed.data.map((e) => [e.scenario, e.phases]));
}
