#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx compiles on the fly, so scenario files need no build step.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
// Registered last so it runs first: it decides the format before tsx compiles a scenario file.
register('./resolve-clinsim.js', import.meta.url);
const { main } = await import('../simulator/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
