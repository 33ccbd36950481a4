import { TOOL_VERSION } from '../version.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { ImportError } from '../cohort/import/errors.ts';

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

interface Command {
  readonly help: string;
  run(argv: readonly string[], io: Io): Promise<number>;
}

/**
 * Each command's module, loaded only when that command runs: a CLI start then pays for the code
 * it uses, not for every command's dependencies.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => ((m) => ({ help: m.RUN_HELP, run: m.runCommand }))(await import('./run-command.ts')),
  merge: async () => ((m) => ({ help: m.MERGE_HELP, run: m.mergeCommand }))(await import('./merge-command.ts')),
  report: async () => ((m) => ({ help: m.REPORT_HELP, run: m.reportCommand }))(await import('./report-command.ts')),
  generate: async () => ((m) => ({ help: m.GENERATE_HELP, run: m.generateCommand }))(await import('./generate-command.ts')),
  models: async () => ((m) => ({ help: m.MODELS_HELP, run: m.modelsCommand }))(await import('../../models/server.ts')),
  fhir: async () => ((m) => ({ help: m.FHIR_HELP, run: m.fhirCommand }))(await import('./fhir-command.ts')),
  drift: async () => ((m) => ({ help: m.DRIFT_HELP, run: m.driftCommand }))(await import('./drift-command.ts')),
  validate: async () => ((m) => ({ help: m.VALIDATE_HELP, run: m.validateCommand }))(await import('./validate-command.ts')),
  serve: async () => ((m) => ({ help: m.SERVE_HELP, run: m.serveCommand }))(await import('./serve-command.ts')),
  compare: async () => ((m) => ({ help: m.COMPARE_HELP, run: m.compareCommand }))(await import('./compare-command.ts')),
  init: async () => ((m) => ({ help: m.INIT_HELP, run: m.initCommand }))(await import('./init-command.ts')),
};

async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return `clinsim ${TOOL_VERSION}: clinical simulation and stress testing for AI models

Usage: clinsim <command> [options]   (clinsim <command> --help for details)

Commands:
${commands.map((c) => `  ${c.help.split('\n')[0]!.replace(/^clinsim /, '')}`).join('\n')}
`;
}

/** Errors that mean bad input (exit 2): a run folder that cannot be resumed, or shards that do not belong together, too. */
async function isBadInput(error: unknown): Promise<boolean> {
  if (error instanceof InputError || error instanceof ImportError) return true;
  const [{ ResumeRefusal }, { MergeRefusal }] = await Promise.all([import('../run/resume.ts'), import('../run/merge.ts')]);
  return error instanceof ResumeRefusal || error instanceof MergeRefusal;
}

/** Runs one CLI invocation and returns its exit code; errors are printed, never thrown. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(await usage());
    return name === undefined ? EXIT.badInput : EXIT.pass;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.pass;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr.write(`clinsim: unknown command "${name}"\n\n${await usage()}`);
    return EXIT.badInput;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return EXIT.pass;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (await isBadInput(error)) {
      io.stderr.write(`${(error as Error).message}\n`);
      return EXIT.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`clinsim ${name}: could not run: ${message}\n`);
    if (process.env.CLINSIM_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return EXIT.couldNotRun;
  }
}
