import { z } from 'zod';
import { Shard } from '../run/shard.ts';
import { InputError } from './exit-codes.ts';

const SHARD_FLAG = /^(\d+)\/(\d+)$/;

/** What Kubernetes sets in each pod of an Indexed Job: 0 … completions − 1. */
const CompletionIndex = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

/**
 * The shard of a run: `--shard i/N` (1-based, as vitest and Playwright count), or `--shards N`
 * with the 0-based index in JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it in every pod),
 * so that one pod template serves every index. Null when neither flag is given.
 */
export function parseShardFlags(flags: { shard?: string | undefined; shards?: string | undefined }, env: NodeJS.ProcessEnv): Shard | null {
  if (flags.shard !== undefined && flags.shards !== undefined) {
    throw new InputError('clinsim run: give --shard i/N or --shards N (with JOB_COMPLETION_INDEX), not both');
  }
  if (flags.shard !== undefined) {
    const match = SHARD_FLAG.exec(flags.shard);
    if (!match) throw new InputError(`clinsim run: --shard ${flags.shard}: expected i/N, e.g. --shard 2/3 (i counts from 1)`);
    return checked({ index: Number(match[1]), count: Number(match[2]) }, `--shard ${flags.shard}`);
  }
  if (flags.shards === undefined) return null;
  if (!/^\d+$/.test(flags.shards)) throw new InputError(`clinsim run: --shards ${flags.shards}: must be a whole number`);
  const raw = env.JOB_COMPLETION_INDEX;
  if (raw === undefined) {
    throw new InputError(`clinsim run: --shards ${flags.shards} takes the shard index from JOB_COMPLETION_INDEX (set in each pod of a Kubernetes Indexed Job), which is not set; use --shard i/N elsewhere`);
  }
  const index = CompletionIndex.safeParse(raw);
  if (!index.success) throw new InputError(`clinsim run: JOB_COMPLETION_INDEX=${raw}: ${index.error.issues[0]!.message}`);
  return checked({ index: index.data + 1, count: Number(flags.shards) }, `--shards ${flags.shards} with JOB_COMPLETION_INDEX=${raw}`);
}

function checked(shard: { index: number; count: number }, given: string): Shard {
  const parsed = Shard.safeParse(shard);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const what = issue.path[0] === 'count' ? 'the shard count' : 'the shard index';
    throw new InputError(`clinsim run: ${given}: ${what}: ${issue.message}`);
  }
  return parsed.data;
}
