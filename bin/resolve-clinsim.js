// Module resolution hooks for scenario files.
// - `import … from 'clinsim'` resolves to this installation's public entry, so a scenario file
//   anywhere on disk works even where clinsim is not installed in the scenario's project.
// - TypeScript files outside node_modules load as ES modules even in a folder whose package.json
//   does not say "type": "module" (a scenario uses `import`/`export default`).
const entry = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'clinsim') return { url: entry, format: 'module', shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.startsWith('file:') && !resolved.url.includes('/node_modules/') && /\.ts$/.test(new URL(resolved.url).pathname)) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
