import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ReferenceModels } from './server.ts';

const BIN = fileURLToPath(new URL('../bin/clinsim.js', import.meta.url));
const READY = /listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;

/**
 * Starts the reference models in a child process on an ephemeral 127.0.0.1 port. Out of process,
 * so the model's CPU time never queues behind the runner's on one event loop: the latency a run
 * measures is the endpoint's, as it would be for a real deployment.
 */
export async function spawnReferenceModels(options: { flawFree?: boolean } = {}): Promise<ReferenceModels> {
  const args = [BIN, 'models', '--port', '0', '--host', '127.0.0.1', ...(options.flawFree ? ['--flaw-free'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`reference models did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`reference models exited with code ${code}: ${output.trim()}`)));
  });
  child.removeAllListeners('exit');
  child.stdout.resume();
  child.stderr.resume();
  let closing: Promise<void> | undefined;
  return {
    url,
    sepsisUrl: `${url}/predict`,
    kserveUrl: `${url}/v2/models/sepsis`,
    mlflowUrl: url,
    triageUrl: `${url}/triage`,
    cdsUrl: `${url}/cds-services`,
    openaiUrl: `${url}/v1`,
    fhirUrl: `${url}/fhir`,
    variant: options.flawFree ? 'flaw-free' : 'flawed',
    close: () =>
      (closing ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      })()),
  };
}
