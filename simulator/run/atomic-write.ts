import { rename, writeFile } from 'node:fs/promises';

/** Writes through a temporary file and a rename, so readers never see a half-written file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}
