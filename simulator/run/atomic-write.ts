import { open, rename, writeFile } from 'node:fs/promises';

/** Writes through a temporary file and a rename, so readers never see a half-written file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/** Flushes a file already written and closed to disk (fsync), before it is renamed or relied on. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
