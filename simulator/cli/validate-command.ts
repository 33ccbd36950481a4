import { z } from 'zod';
import { ImportError } from '../cohort/import/index.ts';
import { importedSource } from '../cohort/source.ts';
import { tasks } from '../cohort/tasks.ts';
import type { LoadedScenario } from '../run/execute.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { intFlag, parseFlags } from './flags.ts';
import { loadScenario } from './load-scenario.ts';

const ValidateFlags = z.object({
  seed: intFlag(0, Number.MAX_SAFE_INTEGER).optional(),
  size: intFlag(1, 10_000_000).optional(),
});

export const VALIDATE_HELP = `validate <scenario.ts ...> [--seed N] [--size N]   checks scenario files without running them

Loads each scenario file as clinsim run would (the schema, \${NAME} in the target, credentials named
in target.auth, gates, duplicate keys such as two arms of one name) and reads an imported cohort's
FHIR data through, without calling any model. Prints one line per file:
  ok <file>: <name> (<task>, N cases × M arms)
or each problem as <file>: <field path>: <what is wrong>.
--seed, --size: the overrides clinsim run would be given.
Exit codes: 0 every file is valid, 2 a file has a problem (or bad usage).`;

/** Pseudonym key for reading imported data when none is set: nothing read is output here. */
const VALIDATION_SALT = 'clinsim-validate: identifiers are not output';

/** Cases the run would carry out: the size for a generated cohort, the patients read for an imported one. */
async function casesOf(loaded: LoadedScenario, salt: string): Promise<number> {
  const { scenario } = loaded;
  const { source, size } = scenario.cohort;
  if (!source) return size!;
  try {
    const imported = await importedSource(tasks[scenario.task], { ...source, salt, limit: size }, AbortSignal.timeout(10 * 60_000));
    return imported.size;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    const where = error.line === undefined ? error.file : `${error.file}:${error.line}`;
    throw new InputError(`${loaded.file}: cohort.source: ${where}: ${error.reason}`);
  }
}

function summary(loaded: LoadedScenario, cases: number): string {
  const { scenario } = loaded;
  const arms = Object.keys(scenario.arms).length;
  const repeats = scenario.repeats > 1 ? ` × ${scenario.repeats} repeats` : '';
  return `ok ${loaded.file}: ${scenario.name} (${scenario.task}, ${cases} cases × ${arms} arm${arms === 1 ? '' : 's'}${repeats})`;
}

export async function validateCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags('validate', argv, { seed: { type: 'string' }, size: { type: 'string' } }, ValidateFlags);
  if (positionals.length === 0) throw new InputError('clinsim validate: give one or more scenario files, e.g. clinsim validate my.scenario.ts');

  const envSalt = process.env.CLINSIM_PSEUDONYM_SALT;
  const byName = new Map<string, string>();
  let failed = 0;
  for (const file of positionals) {
    const problems: string[] = [];
    let line: string | undefined;
    try {
      const loaded = await loadScenario(file, { seed: flags.seed, size: flags.size });
      const { name, cohort } = loaded.scenario;
      const other = byName.get(name);
      if (other !== undefined) problems.push(`${file}: name: scenario name "${name}" is also used by ${other}; a run needs distinct names`);
      else byName.set(name, file);
      if (cohort.source && !envSalt) {
        problems.push(`${file}: cohort.source: importing patients needs a pseudonym key: set CLINSIM_PSEUDONYM_SALT to a secret`);
      }
      line = summary(loaded, await casesOf(loaded, envSalt || VALIDATION_SALT));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error.message);
    }
    if (problems.length > 0) {
      failed++;
      io.stderr.write(`${problems.join('\n')}\n`);
    } else {
      io.stdout.write(`${line}\n`);
    }
  }
  if (failed > 0) io.stderr.write(`${failed} of ${positionals.length} scenario file${positionals.length === 1 ? '' : 's'} ha${failed === 1 ? 's' : 've'} problems\n`);
  return failed > 0 ? EXIT.badInput : EXIT.pass;
}
