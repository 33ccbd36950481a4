import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRow, tableCells, tableHeader, writeCasesCsv, writeCsvFile } from '../../simulator/cohort/csv.ts';
import { cohortHasher, writeCohort } from '../../simulator/cohort/export.ts';
import { sepsisTask } from '../../simulator/cohort/sepsis/index.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { Cell } from '../../simulator/cohort/task.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'clinsim-csv-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A small RFC 4180 parser (LF or CRLF), independent of the writer, to read back what it wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('last row not terminated');
  return rows;
}

describe('csvRow', () => {
  it('prints numbers with String(n), null as an empty field, and ends with LF', () => {
    expect(csvRow([0, 1.5, -2, 0.1 + 0.2, 1e21, 5e-7, null, 'x'])).toBe('0,1.5,-2,0.30000000000000004,1e+21,5e-7,,x\n');
    expect(csvRow([])).toBe('\n');
    expect(csvRow([null])).toBe('\n');
    expect(csvRow([null, null])).toBe(',\n');
  });

  it('non-finite numbers are missing', () => {
    expect(csvRow([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1])).toBe(',,,1\n');
  });

  it('quotes fields with commas, quotes, CR, LF or edge spaces, doubling quotes (RFC 4180)', () => {
    expect(csvRow(['a,b', 'say "hi"', 'two\nlines', 'cr\r', ' lead', 'trail ', 'in side', ''])).toBe(
      '"a,b","say ""hi""","two\nlines","cr\r"," lead","trail ",in side,\n',
    );
    const cells: Cell[] = ['a,b', 'say "hi"', 'two\nlines', 'x', null, 3];
    expect(parseCsv(csvRow(cells))).toEqual([['a,b', 'say "hi"', 'two\nlines', 'x', '', '3']]);
  });

  it('is pure: same cells, same text; the input is not modified', () => {
    const cells = Object.freeze(['a', 1, null]) as readonly Cell[];
    expect(csvRow(cells)).toBe(csvRow(cells));
  });
});

describe('writeCsvFile', () => {
  it('streams a header and many rows (several chunks) and returns the row count', async () => {
    const path = join(root, 'many.csv');
    function* rows(): Generator<Cell[]> {
      for (let i = 0; i < 20_000; i++) yield [i, i % 7 === 0 ? null : i / 8, `r,${i}`];
    }
    const n = await writeCsvFile(path, ['i', 'x', 's'], rows());
    expect(n).toBe(20_000);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const parsed = parseCsv(text);
    expect(parsed).toHaveLength(20_001);
    expect(parsed[0]).toEqual(['i', 'x', 's']);
    expect(parsed[15]).toEqual(['14', '', 'r,14']);
    expect(parsed[19_999]).toEqual(['19998', String(19998 / 8), 'r,19998']); // 19998 % 7 ≠ 0
    expect(parsed[20_000]).toEqual(['19999', '', 'r,19999']); // 19999 = 7 × 2857
  });

  it('rejects a row with the wrong number of cells', async () => {
    await expect(writeCsvFile(join(root, 'bad.csv'), ['a', 'b'], [[1, 2], [3]])).rejects.toThrow(/row 2 has 1 cells for 2 columns/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    function* rows(): Generator<Cell[]> {
      for (let i = 0; ; i++) {
        if (i === 100) controller.abort();
        yield [i];
      }
    }
    await expect(writeCsvFile(join(root, 'aborted.csv'), ['i'], rows(), controller.signal)).rejects.toThrow();
  });
});

describe('writeCohort --format csv', () => {
  const cohort = { seed: 20260101 };
  const SIZE = 300;

  it('writes one <task>.csv: header, one row per patient, same hash as the other formats', async () => {
    const dir = join(root, 'csv-a');
    const result = await writeCohort({ task: sepsisTask, cohort, size: SIZE, outDir: dir, format: 'csv', hash: true });
    expect(await readdir(dir)).toEqual(['sepsis.csv']);
    expect(result.patients).toBe(SIZE);
    expect(result.files).toBe(1);
    expect(result.byType.Patient).toBe(SIZE);
    // Not every lab is ordered for every patient: the count comes from the generated bundles.
    let observations = 0;
    for (let i = 0; i < SIZE; i++) {
      for (const e of sepsisTask.generate(cohort, i).bundle.entry!) if (e.resource?.resourceType === 'Observation') observations++;
    }
    expect(observations).toBeLessThan(SIZE * 11);
    expect(result.byType.Observation).toBe(observations);

    const h = cohortHasher();
    for (let i = 0; i < SIZE; i++) h.add(sepsisTask.generate(cohort, i).bundle);
    expect(result.hash).toBe(h.digest());

    const text = await readFile(join(dir, 'sepsis.csv'), 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(SIZE + 1);
    expect(lines[0]).toBe(
      'case,age_years,sex_female,heart_rate,resp_rate,temp_c,sbp_mmhg,spo2_pct,gcs,lactate_mmol_l,wbc_10e9_l,creatinine_mg_dl,platelets_10e9_l,bilirubin_mg_dl,label,risk',
    );
    for (let i = 0; i < SIZE; i += 37) {
      expect(`${lines[i + 1]}\n`).toBe(csvRow(tableCells(sepsisTask.table, sepsisTask.generate(cohort, i))));
    }
    expect(text).not.toContain('\r');
  });

  it('is byte-identical across runs, and follows the given indices', async () => {
    const a = join(root, 'csv-1');
    const b = join(root, 'csv-2');
    await writeCohort({ task: sepsisTask, cohort, size: SIZE, outDir: a, format: 'csv' });
    await writeCohort({ task: sepsisTask, cohort, size: SIZE, outDir: b, format: 'csv' });
    expect((await readFile(join(a, 'sepsis.csv'))).equals(await readFile(join(b, 'sepsis.csv')))).toBe(true);

    const c = join(root, 'csv-shard');
    const result = await writeCohort({ task: sepsisTask, cohort, size: 0, indices: [5, 2, 9], outDir: c, format: 'csv' });
    expect(result.patients).toBe(3);
    const rows = (await readFile(join(c, 'sepsis.csv'), 'utf8')).split('\n').slice(1, 4);
    expect(rows.map((r) => r.split(',')[0])).toEqual(['5', '2', '9']);
  });

  it('writeCasesCsv writes any stream of cases with the view', async () => {
    const path = join(root, 'cases.csv');
    async function* cases() {
      for (let i = 0; i < 3; i++) yield sepsisTask.generate(cohort, i);
    }
    expect(await writeCasesCsv(path, sepsisTask.table, cases())).toBe(3);
    const parsed = parseCsv(await readFile(path, 'utf8'));
    expect(parsed[0]).toEqual(tableHeader(sepsisTask.table));
    expect(parsed).toHaveLength(4);
  });
});

describe.each(Object.values(tasks).map((t) => [t.name, t] as const))('--format csv for task %s', (name, task) => {
  it('one row per patient, every row as wide as the header, byte-identical across runs', async () => {
    const a = join(root, `task-${name}-a`);
    const b = join(root, `task-${name}-b`);
    const result = await writeCohort({ task, cohort: { seed: 7 }, size: 200, outDir: a, format: 'csv' });
    await writeCohort({ task, cohort: { seed: 7 }, size: 200, outDir: b, format: 'csv' });
    expect(await readdir(a)).toEqual([`${name}.csv`]);
    expect(result.patients).toBe(200);
    const bytes = await readFile(join(a, `${name}.csv`));
    expect(bytes.equals(await readFile(join(b, `${name}.csv`)))).toBe(true);
    const parsed = parseCsv(bytes.toString('utf8'));
    expect(parsed[0]).toEqual(tableHeader(task.table));
    expect(parsed).toHaveLength(201);
    for (const row of parsed) expect(row).toHaveLength(parsed[0]!.length);
    expect(parsed.slice(1).map((r) => r[0])).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });
});
