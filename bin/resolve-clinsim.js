// Module resolution hook: a scenario file anywhere on disk can `import … from 'clinsim'` and get
// this installation's public entry, even when clinsim is not installed in the scenario's project.
const entry = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'clinsim') return { url: entry, shortCircuit: true };
  return nextResolve(specifier, context);
}
