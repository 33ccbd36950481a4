import { readFileSync } from 'node:fs';

/** The tool version recorded in every manifest, read from the package itself. */
export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
