import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { EXIT, InputError } from './exit-codes.ts';
import { parseFlags } from './flags.ts';

const TEMPLATES = new URL('./init-templates/', import.meta.url);

/** What `clinsim init` writes, relative to the target folder, and the template each comes from. */
export const INIT_FILES = [
  { path: join('clinsim', 'my-model.scenario.ts'), template: 'my-model.scenario.ts' },
  { path: join('.github', 'workflows', 'clinsim-nightly.yml'), template: 'clinsim-nightly.yml' },
] as const;

const InitFlags = z.object({ force: z.boolean().optional() });

export const INIT_HELP = `clinsim init [dir] [--force]

Writes a starter for testing your own endpoint into dir (default: the current folder, meant to be
the root of your repository):
  clinsim/my-model.scenario.ts              a typed, commented scenario; without a target it runs
                                            at once against the bundled reference model
  .github/workflows/clinsim-nightly.yml     a nightly GitHub Actions workflow: runs the scenario,
                                            compares with the last baseline, publishes junit.xml,
                                            uploads the reports, writes summary.md to the job summary
Existing files are never overwritten unless --force is given.
Exit codes: 0 written, 2 a file exists (or bad usage).`;

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

export async function initCommand(argv: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const { flags, positionals } = parseFlags('init', argv, { force: { type: 'boolean' } }, InitFlags);
  if (positionals.length > 1) throw new InputError(`clinsim init: expected at most one folder, got ${positionals.join(' ')}`);
  const dir = positionals[0] ?? '.';
  const targets = INIT_FILES.map((f) => ({ ...f, file: join(dir, f.path) }));
  if (!flags.force) {
    const taken = [];
    for (const t of targets) if (await exists(t.file)) taken.push(t.file);
    if (taken.length > 0) throw new InputError(`clinsim init: ${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}; nothing was written (--force overwrites)`);
  }
  for (const t of targets) {
    await mkdir(dirname(t.file), { recursive: true });
    await writeFile(t.file, await readFile(new URL(t.template, TEMPLATES), 'utf8'));
  }
  const scenario = INIT_FILES[0].path;
  const hasPackage = await exists(join(dir, 'package.json'));
  io.stdout.write(
    [
      'clinsim init wrote:',
      ...targets.map((t) => `  ${t.file}`),
      '',
      'Next:',
      `  ${dir === '.' ? '' : `cd ${dir} && `}npx clinsim run ${scenario}     # runs now, against the bundled reference model`,
      `  point it at your endpoint: uncomment \`target\` in ${scenario} and set MODEL_URL`,
      hasPackage
        ? '  for the workflow: npm install --save-dev clinsim, and commit package-lock.json'
        : '  for the workflow: npm init -y && npm install --save-dev clinsim (it runs npm ci), and commit package-lock.json',
      '  add .clinsim/ to .gitignore: run folders are written there',
      '',
    ].join('\n'),
  );
  return EXIT.pass;
}
