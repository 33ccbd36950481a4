#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx compiles on the fly, so scenario files need no build step.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./resolve-clinsim.js', import.meta.url);
registerTsx();
const { main } = await import('../simulator/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
