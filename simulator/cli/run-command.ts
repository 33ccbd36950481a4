import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { renderConsole } from '../../reports/console.ts';
import { executeRun, newRunId, type LoadedScenario } from '../run/execute.ts';
import { invocationOf, readResumable, resumeCommand, resumedTargetFlag } from '../run/resume.ts';
import { MANIFEST_FILE, readManifest } from '../run/manifest.ts';
import { JOURNAL_FILE } from '../run/journal.ts';
import { describeShard } from '../run/shard.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { missingCredential } from '../../adapters/auth.ts';
import { createAdapter } from '../../adapters/create.ts';
import { redactUrl } from '../run/redact.ts';
import type { Target } from '../scenario.ts';
import { intFlag, parseFlags } from './flags.ts';
import { loadScenario } from './load-scenario.ts';
import { progressReporter } from './progress.ts';
import { parseTargetFlag } from './target-flag.ts';
import { parseShardFlags } from './shard-flag.ts';
import { finishBaseline, prepareBaseline, TOLERANCE_OPTIONS, ToleranceFlags } from './compare-command.ts';

const BUNDLED_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

const RunFlags = z.object({
  target: z.string().optional(),
  out: z.string().min(1).optional(),
  seed: intFlag(0, Number.MAX_SAFE_INTEGER).optional(),
  size: intFlag(1, 10_000_000).optional(),
  resamples: intFlag(1, 100_000).optional(),
  quiet: z.boolean().optional(),
  resume: z.string().min(1).optional(),
  shard: z.string().optional(),
  shards: z.string().optional(),
  baseline: z.string().min(1).optional(),
  ...ToleranceFlags,
});

/** A resumed run takes these from its manifest; giving them again is a usage error. */
const NOT_WITH_RESUME = ['out', 'seed', 'size', 'resamples', 'shard', 'shards'] as const;

export const RUN_HELP = `clinsim run [scenario.ts ...] [--target [adapter+]url] [--out dir] [--seed N] [--size N] [--resamples B] [--shard i/N | --shards N] [--baseline report.json [--tolerance metric=value ...] [--tolerance-only]] [--quiet]
clinsim run --resume <run dir> [--target [adapter+]url] [--quiet]

Runs scenarios (the bundled ones when none is given) and writes manifest.json, results.jsonl,
report.json, report.html, summary.md and junit.xml to --out (default .clinsim/runs/<run-id>/).
Scenarios without a target, or every scenario when --target is not given and they name none, run
against the bundled reference models, started on an ephemeral 127.0.0.1 port.
--resume continues an interrupted or killed run in its folder: only the cases not yet complete.
--shard i/N runs the cases whose index % N == i - 1 (i from 1) and 1/N of every load rate, and
writes no report (clinsim merge does); --shards N takes i - 1 from JOB_COMPLETION_INDEX.
--baseline compares the run's figures with an earlier report.json at the end (clinsim compare
describes the rule and --tolerance); a regression fails the run like a gate and is written to
compare.md, compare.json, summary.md and junit.xml.
Exit codes: 0 all gates pass, 1 a gate failed (or a regression against --baseline), 2 bad input or usage, 3 the run could not be carried out.`;

/**
 * The --target's credentials and configuration, checked before anything runs: an unset variable,
 * or a value that cannot go in a header (e.g. a trailing newline), is bad input (exit 2), not a
 * run that fails part way (exit 3). Adapters connect lazily, so building one sends nothing.
 */
async function checkFlagTarget(target: Target): Promise<void> {
  // Named by adapter and redacted URL: the flag's URL may carry a credential of its own.
  const flag = 'url' in target ? `${target.adapter}+${redactUrl(target.url)}` : target.adapter;
  const missing = missingCredential(target.auth);
  if (missing) throw new InputError(`--target ${flag}: auth.${missing.field}: ${missing.message}`);
  try {
    await createAdapter(target).close?.();
  } catch (error) {
    throw new InputError(`--target ${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function bundledScenarios(): Promise<string[]> {
  const names = (await readdir(BUNDLED_SCENARIOS)).filter((n) => n.endsWith('.scenario.ts')).sort();
  return names.map((n) => join(BUNDLED_SCENARIOS, n));
}

export async function runCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags(
    'run',
    argv,
    {
      target: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      size: { type: 'string' },
      resamples: { type: 'string' },
      quiet: { type: 'boolean' },
      resume: { type: 'string' },
      shard: { type: 'string' },
      shards: { type: 'string' },
      baseline: { type: 'string' },
      ...TOLERANCE_OPTIONS,
    },
    RunFlags,
  );
  if (flags.resume !== undefined) {
    const extra = [...positionals, ...NOT_WITH_RESUME.filter((f) => flags[f] !== undefined).map((f) => `--${f}`)];
    if (extra.length > 0) throw new InputError(`clinsim run: --resume continues a run with its own scenarios and options; drop ${extra.join(', ')}`);
  }
  const resume = flags.resume === undefined ? undefined : await readResumable(flags.resume);
  const invoked = resume?.invocation;
  const given = flags.target === undefined ? undefined : parseTargetFlag(flags.target);
  const storedTarget = invoked ? resumedTargetFlag(invoked, given) : undefined;
  const target = storedTarget === undefined ? given : parseTargetFlag(storedTarget);
  if (target) await checkFlagTarget(target);
  const files = invoked ? invoked.files : positionals.length > 0 ? positionals : await bundledScenarios();
  const overrides = invoked ? { seed: invoked.seed ?? undefined, size: invoked.size ?? undefined } : { seed: flags.seed, size: flags.size };
  const resamples = invoked ? (invoked.resamples ?? undefined) : flags.resamples;
  const shard = resume ? (resume.shard ?? null) : parseShardFlags(flags, process.env);

  // Every scenario is validated before anything runs: one bad file stops the run with exit 2.
  const scenarios: LoadedScenario[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      scenarios.push(await loadScenario(file, { ...overrides, targetReplaced: target !== undefined }));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new InputError(problems.join('\n'));
  const names = new Set<string>();
  for (const s of scenarios) {
    if (names.has(s.scenario.name)) throw new InputError(`${s.file}: name: scenario name "${s.scenario.name}" is used twice in this run`);
    names.add(s.scenario.name);
  }
  if (flags.baseline !== undefined && shard) throw new InputError('clinsim run: --baseline compares a report, and one shard writes none; compare after clinsim merge');
  const baseline = await prepareBaseline(flags, scenarios.map((s) => s.scenario));

  const salt = process.env.CLINSIM_PSEUDONYM_SALT;
  const importing = scenarios.find((s) => s.scenario.cohort.source);
  if (importing && !salt) {
    throw new InputError(`${importing.file}: cohort.source: importing patients needs a pseudonym key: set CLINSIM_PSEUDONYM_SALT to a secret`);
  }

  const runId = resume?.runId ?? newRunId();
  const runDir = flags.resume ?? flags.out ?? join('.clinsim', 'runs', runId);
  // A usage problem (exit 2), found before anything starts; executeRun refuses it too, as a
  // RunFailure, for callers in code.
  if (!resume && (await stat(join(runDir, JOURNAL_FILE)).catch(() => null))) {
    throw new InputError(`--out ${runDir} already holds a run (${JOURNAL_FILE} exists); choose another --out, or continue it with --resume ${runDir}`);
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr.write('\nclinsim: interrupted; finishing the calls in flight (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  // Kubernetes stops a pod with SIGTERM: the same clean stop, so the shard can be resumed.
  process.on('SIGTERM', onSigint);
  const progress = progressReporter(io.stderr, { quiet: flags.quiet === true });
  try {
    const result = await executeRun({
      scenarios,
      runId,
      runDir,
      target,
      signal: controller.signal,
      pseudonymSalt: salt,
      resamples,
      shard,
      invocation: invocationOf(files, { ...overrides, resamples }, given),
      resume,
      onProgress: (e) => progress.update(e),
      onNote: (line) => {
        if (!flags.quiet) io.stderr.write(`${line}\n`);
      },
    });
    progress.finish();
    if (result.manifest.status !== 'complete') {
      io.stderr.write(`clinsim: run interrupted; the cases completed so far are in ${runDir} (no report was written). Resume with:\n  ${resumeCommand(runDir, result.manifest)}\n`);
      return EXIT.couldNotRun;
    }
    if (!result.report) {
      const cases = result.manifest.scenarios.map((s) => `${s.name} ${s.cases}`).join(', ');
      io.stdout.write(`shard ${describeShard(shard!)} complete (cases: ${cases}) in ${runDir}\nno report for one shard: combine all ${shard!.count} with  npx clinsim merge <shard folders...> --out <dir>\n`);
      return EXIT.pass;
    }
    io.stdout.write(renderConsole(result.report) + '\n');
    io.stdout.write(`\nrun folder: ${runDir}\n  report.html  report.json  summary.md  junit.xml  results.jsonl  manifest.json\n`);
    const regressions = baseline ? (await finishBaseline(baseline, result.report, runDir, io)).regressions.length : 0;
    if (regressions > 0 && result.report.passed) io.stdout.write('verdict: FAILED (a regression against the baseline)\n');
    return result.report.passed && regressions === 0 ? EXIT.pass : EXIT.gateFailed;
  } catch (error) {
    // A run that failed part way (an endpoint gone, a full disk) keeps its whole cases.
    const manifest = await readManifest(join(runDir, MANIFEST_FILE)).catch(() => null);
    if (manifest?.status === 'failed' && manifest.invocation) {
      io.stderr.write(`clinsim: the run stopped on the error below; the cases completed so far are kept in ${runDir}. Once it is fixed, resume with:\n  ${resumeCommand(runDir, manifest)}\n`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
