import { mkdtemp, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JournalFormatError, JournalWriter, readJournal } from '../../simulator/run/journal.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { record } from './journal-fixtures.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clinsim-journal-'));
  file = join(dir, 'results.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  for await (const r of readJournal(path)) out.push(r);
  return out;
}

/** Reads until the journal throws; returns what was read and the error. */
async function readUntilError(path: string): Promise<{ read: JournalRecord[]; error: unknown }> {
  const read: JournalRecord[] = [];
  try {
    for await (const r of readJournal(path)) read.push(r);
  } catch (error) {
    return { read, error };
  }
  throw new Error('expected the journal to be rejected');
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('JournalWriter', () => {
  it('appends one JSON line per record and counts them', async () => {
    const journal = await JournalWriter.open(file);
    const a = record({ case: 0 });
    const b = record({ case: 0, arm: 'older' });
    const c = record({ case: 1, outcome: 'timeout', latencyMs: null, status: null, output: null, error: 'timeout: late' });
    await journal.append([a, b]);
    await journal.append([c]);
    expect(journal.records).toBe(3);
    await journal.close();
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(lines(text).map((l) => JSON.parse(l))).toEqual([a, b, c]);
  });

  it('writes nothing for an empty batch', async () => {
    const journal = await JournalWriter.open(file);
    await journal.append([]);
    expect(journal.records).toBe(0);
    await journal.close();
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('appends to an existing journal rather than truncating it', async () => {
    const first = await JournalWriter.open(file);
    await first.append([record({ case: 0 })]);
    await first.close();
    const second = await JournalWriter.open(file);
    await second.append([record({ case: 1 })]);
    await second.close();
    expect((await readAll(file)).map((r) => r.case)).toEqual([0, 1]);
  });

  it('keeps concurrent batches whole and in call order', async () => {
    const journal = await JournalWriter.open(file);
    // Large lines (well over a pipe or stream chunk) so unchained writes would interleave.
    const padding = 'x'.repeat(70_000);
    const batches = Array.from({ length: 20 }, (_, c) =>
      ['baseline', 'older', 'units'].map((arm) => record({ case: c, arm, error: `${arm}:${c}:${padding}` })),
    );
    await Promise.all(batches.map((batch) => journal.append(batch)));
    expect(journal.records).toBe(60);
    await journal.close();
    const read = lines(await readFile(file, 'utf8')).map((l) => JSON.parse(l) as JournalRecord);
    expect(read.map((r) => `${r.case}/${r.arm}`)).toEqual(batches.flat().map((r) => `${r.case}/${r.arm}`));
    expect(read.every((r) => r.error === `${r.arm}:${r.case}:${padding}`)).toBe(true);
  });

  it('never has two writes in flight, even when an earlier write is slower', async () => {
    // A slow disk: each write waits before it goes out, earlier writes longest. Unchained writes
    // would overlap and land out of order.
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const realWrite = proto.write;
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    const spy = vi.spyOn(proto, 'write').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const delay = 30 - 10 * calls++;
      await new Promise((r) => setTimeout(r, Math.max(delay, 0)));
      try {
        return await (realWrite as (...a: unknown[]) => Promise<never>).apply(this, args);
      } finally {
        inFlight--;
      }
    });
    try {
      const journal = await JournalWriter.open(file);
      await Promise.all([0, 1, 2].map((c) => journal.append([record({ case: c })])));
      await journal.close();
    } finally {
      spy.mockRestore();
    }
    expect(peak).toBe(1);
    expect((await readAll(file)).map((r) => r.case)).toEqual([0, 1, 2]);
  });
});

describe('readJournal', () => {
  it('yields the validated records in file order, skipping blank lines and CRLF endings', async () => {
    const a = record({ case: 0, safety: [{ check: 'critical-miss', severity: 'critical', detail: 'missed' }], checks: ['critical-miss'] });
    const b = record({ case: 1, arm: 'older', truth: { label: 1, risk: 0.7 }, output: { score: 0.9, label: 1 } });
    await writeFile(file, `${JSON.stringify(a)}\r\n\n   \n${JSON.stringify(b)}\n`);
    expect(await readAll(file)).toEqual([a, b]);
  });

  it('reads an empty journal as no records', async () => {
    await writeFile(file, '');
    expect(await readAll(file)).toEqual([]);
  });

  it('drops fields the schema does not know (forward-compatible journals)', async () => {
    await writeFile(file, JSON.stringify({ ...record(), addedLater: true }) + '\n');
    const [read] = await readAll(file);
    expect(read).toEqual(record());
  });

  it('names the file and line of a torn last line, after yielding the good ones', async () => {
    const good = JSON.stringify(record());
    await writeFile(file, `${good}\n${good}\n${good.slice(0, 40)}`);
    const { read, error } = await readUntilError(file);
    expect(read).toHaveLength(2);
    expect(error).toBeInstanceOf(JournalFormatError);
    expect((error as Error).message).toBe(`${file}:3: not valid JSON`);
  });

  it('names the line of a non-JSON line in the middle', async () => {
    await writeFile(file, `${JSON.stringify(record())}\nhello world\n${JSON.stringify(record())}\n`);
    const { error } = await readUntilError(file);
    expect((error as Error).message).toBe(`${file}:2: not valid JSON`);
  });

  it('names the field of a record that fails the schema', async () => {
    const bad = { ...record(), output: { score: 2 } };
    await writeFile(file, `${JSON.stringify(record())}\n${JSON.stringify(bad)}\n`);
    const { read, error } = await readUntilError(file);
    expect(read).toHaveLength(1);
    expect(error).toBeInstanceOf(JournalFormatError);
    expect((error as Error).message).toBe(`${file}:2: output.score: Too big: expected number to be <=1`);
  });

  it('names nested and missing fields, and a line that is not an object', async () => {
    const { checks: _checks, ...noChecks } = record();
    const cases: Array<[unknown, string]> = [
      [noChecks, 'checks: Invalid input: expected array, received undefined'],
      [{ ...record(), safety: [{ check: 'x', severity: 'fatal', detail: '' }] }, 'safety.0.severity: Invalid option: expected one of "critical"|"major"|"minor"'],
      [{ ...record(), case: -1 }, 'case: Too small: expected number to be >=0'],
      [42, '(record): Invalid input: expected object, received number'],
    ];
    for (const [value, problem] of cases) {
      await writeFile(file, JSON.stringify(value) + '\n');
      const { error } = await readUntilError(file);
      expect((error as Error).message).toBe(`${file}:1: ${problem}`);
    }
  });

  it('fails on a journal that does not exist', async () => {
    await expect(readAll(join(dir, 'missing.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
