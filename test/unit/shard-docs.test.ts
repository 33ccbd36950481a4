/**
 * docs/scaling.md's Kubernetes manifests and GitHub Actions workflow: valid YAML, and the parts
 * that must agree with each other and with the CLI (shard counts, the index variable, artifact
 * names, the merge step) do.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

const doc = await readFile(new URL('../../docs/scaling.md', import.meta.url), 'utf8');
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

function documents(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as unknown;
  });
}

const Container = z.object({ name: z.string(), image: z.string(), command: z.array(z.string()), args: z.array(z.string()) });
const JobSpec = z.object({
  kind: z.literal('Job'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    completionMode: z.string().optional(),
    completions: z.number().optional(),
    parallelism: z.number().optional(),
    template: z.object({ spec: z.object({ restartPolicy: z.literal('Never'), containers: z.array(Container).length(1) }) }),
  }),
});

/** The shell script a container runs, checked by the shell's parser. */
function checkShell(script: string): void {
  execFileSync('/bin/sh', ['-n', '-c', script]);
}

describe('docs/scaling.md', () => {
  it('has the shards Job, the merge Job and the workflow as valid YAML', () => {
    expect(yamlBlocks).toHaveLength(3);
  });

  it('runs an Indexed Job whose shard count matches --shards, resuming retried pods, on a shared volume', () => {
    const [pvc, job] = documents(yamlBlocks[0]!) as [Record<string, unknown>, unknown];
    expect(pvc.kind).toBe('PersistentVolumeClaim');
    const shards = JobSpec.parse(job);
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(shards.spec.parallelism).toBe(shards.spec.completions);
    const script = shards.spec.template.spec.containers[0]!.args.join('\n');
    checkShell(script);
    expect(script).toContain(`--shards ${shards.spec.completions} --out "$out"`);
    expect(script).toContain('out="/results/shard-$JOB_COMPLETION_INDEX"');
    expect(script).toContain('npx clinsim run --resume "$out"');
    // The retry check reads the manifest as clinsim writes it (JSON.stringify with two spaces).
    expect(script).toContain(`'${JSON.stringify({ status: 'complete' }, null, 2).split('\n')[1]!.trim()}'`);

    const [mergeJob] = documents(yamlBlocks[1]!);
    const merge = JobSpec.parse(mergeJob);
    const mergeScript = merge.spec.template.spec.containers[0]!.args.join('\n');
    checkShell(mergeScript);
    expect(mergeScript).toContain('npx clinsim merge /results/shard-* --out /results/merged');
  });

  it('runs a nightly matrix of shards, uploads each, and merges them in a job that needs them all', () => {
    const Step = z.object({ uses: z.string().optional(), run: z.string().optional(), with: z.record(z.string(), z.unknown()).optional() });
    const Workflow = z.object({
      on: z.object({ schedule: z.array(z.object({ cron: z.string() })) }),
      jobs: z.object({
        shard: z.object({ strategy: z.object({ matrix: z.object({ shard: z.array(z.number()) }) }), steps: z.array(Step) }),
        merge: z.object({ needs: z.string(), steps: z.array(Step) }),
      }),
    });
    const [raw] = documents(yamlBlocks[2]!);
    const workflow = Workflow.parse(raw);
    const matrix = workflow.jobs.shard.strategy.matrix.shard;
    expect(matrix).toEqual(Array.from({ length: matrix.length }, (_, i) => i + 1));
    const run = workflow.jobs.shard.steps.find((s) => s.run?.includes('clinsim run'))!.run!;
    expect(run).toContain(`--shard \${{ matrix.shard }}/${matrix.length} --out shard-\${{ matrix.shard }}`);
    const upload = workflow.jobs.shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with).toMatchObject({ name: 'clinsim-shard-${{ matrix.shard }}', path: 'shard-${{ matrix.shard }}' });

    expect(workflow.jobs.merge.needs).toBe('shard');
    const download = workflow.jobs.merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
    expect(download.with).toMatchObject({ pattern: 'clinsim-shard-*', path: 'shards' });
    // Without merge-multiple, each artifact lands in a folder named after it.
    expect(download.with).not.toHaveProperty('merge-multiple');
    expect(workflow.jobs.merge.steps.some((s) => s.run === 'npx clinsim merge shards/clinsim-shard-* --out merged')).toBe(true);
    for (const step of workflow.jobs.merge.steps) if (step.run) checkShell(step.run.replaceAll('${{', '').replaceAll('}}', ''));
  });
});
