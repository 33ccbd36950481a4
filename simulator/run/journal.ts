import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { JournalRecord } from './journal-record.ts';

export const JOURNAL_FILE = 'results.jsonl';

/**
 * Append-only writer of results.jsonl. All records of one case go out in a single write, so a case
 * is either wholly in the journal or not at all (apart from a torn last line after a crash).
 * Writes are chained: concurrent cases never interleave their lines.
 */
export class JournalWriter {
  private chain: Promise<void> = Promise.resolve();
  private written = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<JournalWriter> {
    return new JournalWriter(await open(path, 'a'));
  }

  get records(): number {
    return this.written;
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return this.chain;
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    this.chain = this.chain.then(async () => {
      await this.handle.write(text);
      this.written += records.length;
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.sync();
    await this.handle.close();
  }
}

export class JournalFormatError extends Error {
  override readonly name = 'JournalFormatError';
}

/** Streams the records of a journal, validating each line; a bad line is named by file and line number. */
export async function* readJournal(path: string): AsyncGenerator<JournalRecord> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new JournalFormatError(`${path}:${n}: not valid JSON`);
    }
    const parsed = JournalRecord.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new JournalFormatError(`${path}:${n}: ${issue.path.join('.') || '(record)'}: ${issue.message}`);
    }
    yield parsed.data;
  }
}
