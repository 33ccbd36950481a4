import { TOOL_VERSION } from '../version.ts';
import { RunFailure } from '../run/execute.ts';
import { EXIT, InputError } from './exit-codes.ts';
import { ImportError } from '../cohort/import/index.ts';
import { GENERATE_HELP, generateCommand } from './generate-command.ts';
import { FHIR_HELP, fhirCommand } from './fhir-command.ts';
import { DRIFT_HELP, driftCommand } from './drift-command.ts';
import { RUN_HELP, runCommand } from './run-command.ts';
import { MODELS_HELP, modelsCommand } from '../../models/server.ts';

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const COMMANDS: Record<string, { help: string; run: (argv: readonly string[], io: Io) => Promise<number> }> = {
  run: { help: RUN_HELP, run: runCommand },
  generate: { help: GENERATE_HELP, run: generateCommand },
  models: { help: MODELS_HELP, run: modelsCommand },
  fhir: { help: FHIR_HELP, run: fhirCommand },
  drift: { help: DRIFT_HELP, run: driftCommand },
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
    if (error instanceof InputError || error instanceof ImportError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`clinsim ${name}: could not run: ${message}\n`);
    if (!(error instanceof RunFailure) && process.env.CLINSIM_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.couldNotRun;
  }
}
