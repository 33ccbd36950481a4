import { readdir } from 'node:fs/promises';
import { z } from 'zod';
import { renderConsole } from '../../reports/console.ts';
import { newRunId } from '../run/execute.ts';
import { mergeShards } from '../run/merge.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { intFlag, parseFlags } from './flags.ts';

const MergeFlags = z.object({
  out: z.string({ error: 'is required: the folder to write the merged run to' }).min(1),
  resamples: intFlag(1, 100_000).optional(),
});

export const MERGE_HELP = `clinsim merge <shard dir> ... --out <dir> [--resamples B]

Combines the folders of a sharded run (clinsim run --shard i/N, every i from 1 to N, each
complete) into one run folder with the report a single run would give: the journals are
concatenated, load phases merged, and the reports written as clinsim run writes them. Refuses (exit 2) folders
that are not the complete shards of one run: other scenarios, seeds, cohorts or shard counts, a
shard missing or given twice, a shard not finished. docs/scaling.md has the details.
Exit codes: 0 all gates pass, 1 a gate failed, 2 bad input or usage, 3 the merge could not be carried out.`;

export async function mergeCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags('merge', argv, { out: { type: 'string' }, resamples: { type: 'string' } }, MergeFlags);
  if (positionals.length === 0) throw new InputError('clinsim merge: name the shard folders to merge, e.g. clinsim merge shard-1 shard-2 shard-3 --out merged');
  const { report, manifest } = await mergeShards({ dirs: positionals, outDir: flags.out, runId: newRunId(), resamples: flags.resamples });
  io.stdout.write(renderConsole(report) + '\n');
  const files = (await readdir(flags.out)).sort();
  io.stdout.write(`\nmerged ${manifest.mergedFrom?.length ?? 0} shards into ${flags.out}\n  ${files.join('  ')}\n`);
  return report.passed ? EXIT.pass : EXIT.gateFailed;
}
