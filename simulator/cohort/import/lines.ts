import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { ImportError } from './errors.ts';

/**
 * Line-oriented reading of NDJSON files: streaming, with the byte position of each line so a
 * second pass can read a line back without keeping it in memory.
 */

export interface Line {
  /** The line's text (UTF-8), without its LF or CRLF and without a leading byte-order mark. */
  readonly text: string;
  /** 1-based line number. */
  readonly line: number;
  /** Byte offset of the line's first byte (after a BOM) in the file. */
  readonly offset: number;
  /** Byte length of the line without its line end. */
  readonly length: number;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Lines of a file, streamed in chunks of `highWaterMark` bytes; memory is one chunk plus the
 * longest line. Empty lines (and whitespace-only ones) are skipped but counted.
 */
export async function* readLines(path: string, label = path, highWaterMark = 1 << 20): AsyncGenerator<Line> {
  let stream;
  try {
    stream = createReadStream(path, { highWaterMark });
  } catch (err) {
    throw new ImportError('unreadable', { file: path, label }, `cannot read (${(err as Error).message})`, { cause: err });
  }
  let pending: Buffer[] = [];
  let pendingStart = 0; // byte offset of the first pending byte
  let position = 0; // byte offset of the next chunk
  let line = 0;
  let first = true;

  function* emit(buf: Buffer, start: number): Generator<Line> {
    line++;
    let bytes = buf;
    let offset = start;
    if (first) {
      first = false;
      if (bytes.length >= 3 && bytes.subarray(0, 3).equals(BOM)) {
        bytes = bytes.subarray(3);
        offset += 3;
      }
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    const text = bytes.toString('utf8', 0, end);
    if (text.trim() === '') return;
    yield { text, line, offset, length: end };
  }

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(LF, from); nl !== -1; nl = chunk.indexOf(LF, from)) {
        const piece = chunk.subarray(from, nl);
        const start = pending.length > 0 ? pendingStart : position + from;
        const buf = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        yield* emit(buf, start);
        from = nl + 1;
      }
      if (from < chunk.length) {
        if (pending.length === 0) pendingStart = position + from;
        pending.push(chunk.subarray(from));
      }
      position += chunk.length;
    }
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError('unreadable', { file: path, label }, `cannot read (${(err as Error).message})`, { cause: err });
  } finally {
    stream.destroy();
  }
  if (pending.length > 0) yield* emit(Buffer.concat(pending), pendingStart);
}

/** The first non-empty line of a file (for format detection), or undefined for an empty file. */
export async function firstLine(path: string, label = path): Promise<Line | undefined> {
  for await (const l of readLines(path, label, 64 * 1024)) return l;
  return undefined;
}

/** Random access to lines by byte range, for the second pass over Bulk NDJSON files. */
export class LineReader {
  private readonly handles = new Map<string, Awaited<ReturnType<typeof open>>>();

  async read(path: string, offset: number, length: number): Promise<string> {
    return (await this.readBytes(path, offset, length)).toString('utf8');
  }

  async readBytes(path: string, offset: number, length: number): Promise<Buffer> {
    let fh = this.handles.get(path);
    if (!fh) {
      fh = await open(path, 'r');
      this.handles.set(path, fh);
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) throw new Error(`${path} changed while importing (short read at byte ${offset + done})`);
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((fh) => fh.close()));
  }
}
