import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { JournalRecord } from './journal-record.ts';

export const JOURNAL_FILE = 'results.jsonl';

/**
 * fdatasync at most this often while a run goes on (and always at close). Measured on the
 * development VM with 4 records of 1.5 kB per case: 81 µs per case without any sync, 372 µs with
 * one per case, 46–62 µs with one per second or per 200 ms (noise exceeds the cost): a sync per
 * case would cap a fast endpoint at about 2,700 cases per second on that disk, and slower disks
 * cost more, for little gain (what a power cut can lose: JournalWriter).
 */
export const SYNC_INTERVAL_MS = 1_000;

/**
 * Append-only writer of results.jsonl. All records of one case go out in a single write, so the
 * unit of durability is a case. Writes are chained: concurrent cases never interleave their lines.
 * What survives a crash:
 * - the process dies (SIGKILL, OOM kill, a crash): every case whose write returned is in the
 *   operating system's page cache and survives; a write cut short leaves a torn last line or the
 *   first lines of a case, which `clinsim run --resume` removes before running that case again;
 * - the machine loses power: also the cases written since the last fdatasync (at most
 *   SYNC_INTERVAL_MS of them), which resume runs again.
 */
export class JournalWriter {
  private chain: Promise<void> = Promise.resolve();
  private written = 0;
  private lastSync = performance.now();
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  /** A failed background sync, reported by the next append or by close. */
  private failure: unknown = null;

  private constructor(
    private readonly handle: FileHandle,
    private readonly syncIntervalMs: number,
  ) {}

  static async open(path: string, options: { syncIntervalMs?: number } = {}): Promise<JournalWriter> {
    return new JournalWriter(await open(path, 'a'), options.syncIntervalMs ?? SYNC_INTERVAL_MS);
  }

  get records(): number {
    return this.written;
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return this.chain;
    const bytes = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    this.chain = this.chain.then(async () => {
      this.throwFailure();
      await writeAll(this.handle, bytes);
      this.written += records.length;
      this.dirty = true;
      if (performance.now() - this.lastSync >= this.syncIntervalMs) await this.sync();
      else this.scheduleSync();
    });
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.chain;
      this.throwFailure();
      await this.handle.datasync();
    } finally {
      await this.handle.close();
    }
  }

  private async sync(): Promise<void> {
    this.dirty = false;
    this.lastSync = performance.now();
    await this.handle.datasync();
  }

  /** A write after a quiet spell is synced within the interval even if no other write follows. */
  private scheduleSync(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.syncIntervalMs - (performance.now() - this.lastSync));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.chain = this.chain.then(() => (this.dirty ? this.sync() : undefined)).catch((error: unknown) => {
        this.failure ??= error;
      });
    }, wait);
    this.timer.unref();
  }

  private throwFailure(): void {
    if (this.failure !== null) throw this.failure;
  }
}

/** write(2) may write less than asked (a signal, a full disk): carry on from where it stopped. */
async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten === 0) throw new Error('the journal write made no progress');
    offset += bytesWritten;
  }
}

/**
 * Cuts a torn last line (the end of a write a crash cut short: the journal's lines always end with
 * a newline) off the journal, and returns how many bytes were removed. Reads only the tail.
 */
export async function truncateTornTail(path: string): Promise<number> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    let keep = 0;
    search: while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (chunk[i] === 0x0a) {
          keep = start + i + 1;
          break search;
        }
      }
      end = start;
    }
    if (keep === size) return 0;
    await handle.truncate(keep);
    await handle.datasync();
    return size - keep;
  } finally {
    await handle.close();
  }
}

export class JournalFormatError extends Error {
  override readonly name = 'JournalFormatError';
}

/** Streams the records of a journal, validating each line; a bad line is named by file and line number. */
export async function* readJournal(path: string): AsyncGenerator<JournalRecord> {
  for await (const { record } of readJournalEntries(path)) yield record;
}

/** A journal record with the line it came from, as written (fields the schema does not know kept). */
export interface JournalEntry {
  readonly record: JournalRecord;
  readonly text: string;
  /** 1-based line number. */
  readonly line: number;
}

/** Like readJournal, with each record's text and line number (to copy records exactly). */
export async function* readJournalEntries(path: string): AsyncGenerator<JournalEntry> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new JournalFormatError(`${path}:${n}: not valid JSON`);
    }
    const parsed = JournalRecord.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new JournalFormatError(`${path}:${n}: ${issue.path.join('.') || '(record)'}: ${issue.message}`);
    }
    yield { record: parsed.data, text, line: n };
  }
}
