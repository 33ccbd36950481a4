import { TOOL_VERSION } from '../version.ts';
import { RunFailure } from '../run/execute.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { ImportError } from '../cohort/import/index.ts';
import { GENERATE_HELP, generateCommand } from './generate-command.ts';
import { FHIR_HELP, fhirCommand } from './fhir-command.ts';
import { DRIFT_HELP, driftCommand } from './drift-command.ts';
import { RUN_HELP, runCommand } from './run-command.ts';
import { MERGE_HELP, mergeCommand } from './merge-command.ts';
import { ResumeRefusal } from '../run/resume.ts';
import { MergeRefusal } from '../run/merge.ts';
import { MODELS_HELP, modelsCommand } from '../../models/server.ts';
import { VALIDATE_HELP, validateCommand } from './validate-command.ts';
import { SERVE_HELP, serveCommand } from './serve-command.ts';
import { COMPARE_HELP, compareCommand } from './compare-command.ts';
import { INIT_HELP, initCommand } from './init-command.ts';
import { REPORT_HELP, reportCommand } from './report-command.ts';

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const COMMANDS: Record<string, { help: string; run: (argv: readonly string[], io: Io) => Promise<number> }> = {
  run: { help: RUN_HELP, run: runCommand },
  merge: { help: MERGE_HELP, run: mergeCommand },
  report: { help: REPORT_HELP, run: reportCommand },
  generate: { help: GENERATE_HELP, run: generateCommand },
  models: { help: MODELS_HELP, run: modelsCommand },
  fhir: { help: FHIR_HELP, run: fhirCommand },
  drift: { help: DRIFT_HELP, run: driftCommand },
  validate: { help: VALIDATE_HELP, run: validateCommand },
  serve: { help: SERVE_HELP, run: serveCommand },
  compare: { help: COMPARE_HELP, run: compareCommand },
  init: { help: INIT_HELP, run: initCommand },
};

const USAGE = `clinsim ${TOOL_VERSION}: clinical simulation and stress testing for AI models

Usage: clinsim <command> [options]   (clinsim <command> --help for details)

Commands:
${Object.values(COMMANDS).map((c) => `  ${c.help.split('\n')[0]}`).join('\n')}
`;

/** Runs one CLI invocation and returns its exit code; errors are printed, never thrown. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return name === undefined ? EXIT.badInput : EXIT.pass;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.pass;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`clinsim: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.badInput;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return EXIT.pass;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // A run folder that cannot be resumed, or shards that do not belong together, are bad input too.
    if (error instanceof InputError || error instanceof ImportError || error instanceof ResumeRefusal || error instanceof MergeRefusal) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`clinsim ${name}: could not run: ${message}\n`);
    if (!(error instanceof RunFailure) && process.env.CLINSIM_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.couldNotRun;
  }
}
