import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { renderConsole } from '../../reports/console.ts';
import { executeRun, newRunId, type LoadedScenario } from '../run/execute.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { intFlag, parseFlags } from './flags.ts';
import { loadScenario } from './load-scenario.ts';
import { progressReporter } from './progress.ts';
import { parseTargetFlag } from './target-flag.ts';

const BUNDLED_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

const RunFlags = z.object({
  target: z.string().optional(),
  out: z.string().min(1).optional(),
  seed: intFlag(0, Number.MAX_SAFE_INTEGER).optional(),
  size: intFlag(1, 10_000_000).optional(),
  resamples: intFlag(1, 100_000).optional(),
  quiet: z.boolean().optional(),
});

export const RUN_HELP = `clinsim run [scenario.ts ...] [--target [adapter+]url] [--out dir] [--seed N] [--size N] [--resamples B] [--quiet]

Runs scenarios (the bundled ones when none is given) and writes manifest.json, results.jsonl,
report.json and summary.md to --out (default .clinsim/runs/<run-id>/). Scenarios without a
target, or every scenario when --target is not given and they name none, run against the bundled
reference models, started on an ephemeral 127.0.0.1 port.
Exit codes: 0 all gates pass, 1 a gate failed, 2 bad input or usage, 3 the run could not be carried out.`;

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
    },
    RunFlags,
  );
  const target = flags.target === undefined ? undefined : parseTargetFlag(flags.target);
  const files = positionals.length > 0 ? positionals : await bundledScenarios();

  // Every scenario is validated before anything runs: one bad file stops the run with exit 2.
  const scenarios: LoadedScenario[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      scenarios.push(await loadScenario(file, { seed: flags.seed, size: flags.size }));
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

  const salt = process.env.CLINSIM_PSEUDONYM_SALT;
  const importing = scenarios.find((s) => s.scenario.cohort.source);
  if (importing && !salt) {
    throw new InputError(`${importing.file}: cohort.source: importing patients needs a pseudonym key: set CLINSIM_PSEUDONYM_SALT to a secret`);
  }

  const runId = newRunId();
  const runDir = flags.out ?? join('.clinsim', 'runs', runId);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr.write('\nclinsim: interrupted; finishing the calls in flight (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  const progress = progressReporter(io.stderr, { quiet: flags.quiet === true });
  try {
    const result = await executeRun({
      scenarios,
      runId,
      runDir,
      target,
      signal: controller.signal,
      pseudonymSalt: salt,
      resamples: flags.resamples,
      onProgress: (e) => progress.update(e),
      onNote: (line) => {
        if (!flags.quiet) io.stderr.write(`${line}\n`);
      },
    });
    progress.finish();
    if (!result.report) {
      io.stderr.write(`clinsim: run interrupted; partial results are in ${runDir} (no report was written)\n`);
      return EXIT.couldNotRun;
    }
    io.stdout.write(renderConsole(result.report) + '\n');
    io.stdout.write(`\nrun folder: ${runDir}\n  report.json  summary.md  results.jsonl  manifest.json\n`);
    return result.report.passed ? EXIT.pass : EXIT.gateFailed;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
