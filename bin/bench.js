#!/usr/bin/env node
// Launcher for `npm run bench`: registers the tsx loader, then runs the TypeScript benchmarks.
import { register } from 'tsx/esm/api';

register();
await import('../bench/index.ts');
