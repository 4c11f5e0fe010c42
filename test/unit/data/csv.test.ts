/**
 * The shared numeric CSV reader (src/data/csv.ts) and its number grammar (src/data/csv-number.ts): every format
 * rule, every message, the bounds, and identical results whatever the chunking of the input.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, OptionError } from '../../../src/api/errors.js';
import { isMissingToken, nonFiniteToken, parseNumber } from '../../../src/data/csv-number.js';
import {
  _setFastPath,
  quoteValue,
  readCsv,
  readCsvTable,
  resolveColumns,
  type CsvChunk,
  type CsvInfo,
  type CsvInput,
  type CsvOptions,
  type CsvTable,
} from '../../../src/data/csv.js';

const tmp = mkdtempSync(join(tmpdir(), 'gaussmix-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string | Uint8Array): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

/** The table of a text given as one piece. */
const table = (text: string, o: CsvOptions = {}): Promise<CsvTable> => readCsvTable([text], o);

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** The message of the DataError reading `text` fails with. */
async function dataError(text: string | CsvInput, o: CsvOptions = {}): Promise<string> {
  const e = await failure(typeof text === 'string' ? table(text, o) : readCsvTable(text, o));
  expect(e).toBeInstanceOf(DataError);
  return e.message;
}

/** Everything a table says, in plain arrays (comparable with toEqual, NaN included). */
const plain = (t: CsvTable) => ({
  header: t.header,
  delimiter: t.delimiter,
  names: t.names,
  columns: t.columns,
  rows: t.rows,
  cols: t.cols,
  data: Array.from(t.data),
  weights: t.weights && Array.from(t.weights),
  lines: Array.from(t.lines),
  notes: t.notes,
});

/** All chunks and the summary of a readCsv run. */
async function chunksOf(input: CsvInput, o: CsvOptions = {}): Promise<{ chunks: CsvChunk[]; info: CsvInfo }> {
  const it = readCsv(input, o);
  const chunks: CsvChunk[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return { chunks, info: r.value };
    chunks.push(r.value);
  }
}

describe('the number grammar', () => {
  it('accepts decimal numbers, with surrounding blanks', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['7', 7],
      ['+1', 1],
      ['-2', -2],
      ['1.', 1],
      ['.5', 0.5],
      ['-.5e-3', -0.0005],
      ['1e5', 1e5],
      ['1E+5', 1e5],
      ['2.5e-3', 0.0025],
      [' 2.5 ', 2.5],
      ['\t3\r\n', 3],
      ['007', 7],
      ['0.1', 0.1],
      ['0.30000000000000004', 0.30000000000000004],
      ['1.7976931348623157e308', 1.7976931348623157e308],
      ['5e-324', 5e-324],
      ['123456789012345678901234567890', 1.2345678901234568e29],
      ['9007199254740993', 9007199254740992],
      ['0e99999', 0],
      ['1e-99999', 0],
      ['3.14159265358979323846', Math.PI],
    ];
    for (const [s, v] of cases) expect(parseNumber(s), s).toBe(v);
    expect(Object.is(parseNumber('-0'), -0)).toBe(true);
    expect(Object.is(parseNumber('-0.0e5'), -0)).toBe(true);
  });

  it('rejects everything else, including what Number() accepts', () => {
    for (const s of [
      '',
      ' ',
      '0x10',
      '0X1f',
      '0b11',
      '0o7',
      'Infinity',
      '-Infinity',
      '+Infinity',
      'NaN',
      'inf',
      '1_000',
      '1e',
      '1e+',
      '.',
      '+',
      '-',
      '1.2.3',
      '1,5',
      '--1',
      '+-1',
      'e5',
      '.e5',
      '1 2',
      '١',
      '1d',
      '0x',
      '1f',
      ' - 1',
      '1e5.5',
      '1e 5',
      '+ 1',
    ]) {
      expect(parseNumber(s), JSON.stringify(s)).toBeNaN();
    }
  });

  it('can overflow to ±Infinity, which callers reject', () => {
    expect(parseNumber('1e999')).toBe(Infinity);
    expect(parseNumber('-1e999')).toBe(-Infinity);
  });

  it('gives exactly Number() for every number of the grammar (fast path and slow path alike)', () => {
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
    const number = fc
      .tuple(
        fc.constantFrom('', '+', '-'),
        fc.oneof(
          fc
            .tuple(digits(1, 25), fc.constantFrom('', '.'), digits(0, 25))
            .map(([a, dot, b]) => a + (dot ? dot + b : '')),
          digits(1, 25).map((b) => `.${b}`),
        ),
        fc.option(
          fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4)).map((t) => t.join('')),
          { nil: '' },
        ),
      )
      .map((t) => t.join(''));
    fc.assert(
      fc.property(number, (s) => Object.is(parseNumber(s), Number(s))),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        for (const s of [
          String(x),
          x.toExponential(),
          x.toPrecision(7),
          Math.abs(x) < 1e21 ? x.toFixed(6) : String(x),
        ]) {
          if (!Object.is(parseNumber(s), Number(s))) return false;
        }
        return true;
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads the same values in a CSV (whose fast path has its own scan of the commonest forms)', async () => {
    const fields = [
      '0',
      '-0',
      '7',
      '-7.25',
      '+7.25',
      '.5',
      '-.5',
      '5.',
      '007.500',
      '123456789012345',
      '1234567890123456',
      '0.000000000000001234',
      '-999999999999999',
      '1e3',
      '2.5E-3',
      '1.7976931348623157e308',
      '5e-324',
      '0.1',
      '-0.30000000000000004',
      '1.00000000000000011',
    ];
    const t = await table(`${fields.join(',')}\n${fields.map((f) => ` ${f} `).join('\t,')}\n`);
    const expected = fields.map(Number);
    expect(Array.from(t.data)).toEqual([...expected, ...expected]);
    expect(Object.is(t.data[1], -0)).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }),
        async (xs) => {
          const strings = xs
            .flatMap((x) => [String(x), x.toPrecision(6), x.toExponential(3)])
            .filter((f) => Number.isFinite(Number(f)));
          const got = await table(`${strings.join(',')}\n`);
          return strings.every((s, i) => Object.is(got.data[i], Number(s)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is linear: a long run of digits followed by a letter is rejected at once', () => {
    expect(parseNumber(`${'1'.repeat(1_000_000)}x`)).toBeNaN();
    expect(parseNumber(`${'1'.repeat(500_000)}.${'2'.repeat(500_000)}e`)).toBeNaN();
  });

  it('names the tokens of missing and non-finite values', () => {
    expect(['NA', 'na', 'N/A', 'n/a', 'NaN', 'nan', '-nan', '', '  '].every(isMissingToken)).toBe(true);
    expect(['0', 'NAN1', 'none', 'Inf'].some(isMissingToken)).toBe(false);
    expect(['Inf', '-inf', 'Infinity', '+INFINITY'].map(nonFiniteToken)).toEqual(['inf', 'inf', 'inf', 'inf']);
    expect(nonFiniteToken('NaN')).toBe('nan');
    expect(nonFiniteToken('Infinit')).toBeNull();
  });
});

describe('delimiter and header detection', () => {
  it('detects tab, else comma, else semicolon, else comma, from the first non-blank line', async () => {
    expect((await table('a\tb,c\n1\t2\n')).delimiter).toBe('\t');
    expect((await table('a,b;c\n1,2\n')).delimiter).toBe(',');
    expect((await table('a;b\n1;2\n')).delimiter).toBe(';');
    expect((await table('a\n1\n')).delimiter).toBe(',');
    expect((await table('\n \t \n  a;b\n1;2\n')).delimiter).toBe(';');
    expect(await table('a,b\n1\t2,3\n').catch(() => null)).toBeNull(); // later lines do not count
  });

  it('takes a given delimiter, and " " as runs of spaces and tabs', async () => {
    expect(plain(await table('a|b\n1|2\n', { delimiter: '|' })).data).toEqual([1, 2]);
    const t = await table('  x   y\n 1 \t 2\n3\t4   \n\n', { delimiter: ' ' });
    expect(plain(t)).toMatchObject({ columns: ['x', 'y'], data: [1, 2, 3, 4], lines: [2, 3], delimiter: ' ' });
  });

  it('finds a header when a first-record field is non-empty and not a number', async () => {
    expect((await table('a,b\n1,2\n')).header).toBe(true);
    expect((await table('1,2\n3,4\n')).header).toBe(false);
    expect((await table('1,b\n3,4\n')).header).toBe(true);
    expect((await table('0x10,1\n3,4\n')).header).toBe(true); // hex is not a number
    expect((await table(',1\n3,4\n', { missing: 'nan' })).header).toBe(false); // empty fields do not make a header
  });

  it('counts NaN and Infinity tokens as numbers for the header test', async () => {
    const e = await dataError('NaN,Infinity\n1,2\n');
    expect(e).toContain("line 1, column 'x1': 'NaN' is not a number"); // data, not a header
  });

  it('counts missing-value tokens as numbers when missing is nan', async () => {
    const t = await table('NA,1\n2,3\n', { missing: 'nan' });
    expect(plain(t)).toMatchObject({ header: false, data: [NaN, 1, 2, 3], lines: [1, 2] });
    expect((await table('NA,1\n2,3\n')).header).toBe(true);
  });

  it('obeys header: true and header: false', async () => {
    const t = await table('1,2\n3,4\n', { header: true });
    expect(plain(t)).toMatchObject({ header: true, columns: ['1', '2'], data: [3, 4], lines: [2] });
    expect(await dataError('a,b\n1,2\n', { header: false })).toBe("<input>: line 1, column 'x1': 'a' is not a number");
  });

  it('names columns x1, x2, … without a header, and fills empty header names', async () => {
    expect((await table('1,2\n')).columns).toEqual(['x1', 'x2']);
    expect((await table('a,,c\n1,2,3\n')).columns).toEqual(['a', 'x2', 'c']);
  });
});

describe('records', () => {
  it('reads RFC 4180 quoting: delimiters, doubled quotes and newlines inside quotes', async () => {
    const text = 'name,"a ""quoted"" b","c,d"\n"x, y",1,"2"\n"multi\nline\nname",3,4\n"z" , " 5 ",6\n';
    const t = await table(text, { columns: '2,3' });
    expect(plain(t)).toMatchObject({
      names: ['name', 'a "quoted" b', 'c,d'],
      columns: ['a "quoted" b', 'c,d'],
      data: [1, 2, 3, 4, 5, 6],
      lines: [2, 3, 6],
    });
  });

  it('numbers a record by the physical line it starts on', async () => {
    const t = await table('a,b\n\n1,"\n\n2"\n\n\n3,4\n"5",6');
    expect(Array.from(t.lines)).toEqual([3, 8, 9]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('treats a quote inside an unquoted field as a literal character', async () => {
    const t = await table('id,x\n5"7,1\nab"c"d,2\n', { columns: 'x' });
    expect(Array.from(t.data)).toEqual([1, 2]);
  });

  it('handles CRLF, a BOM, blank and whitespace-only lines, trailing blank lines, and a last line without a newline', async () => {
    const t = await table('\uFEFFa,b\r\n\r\n 1 , 2 \r\n   \r\n\t\r\n3,4\r\n5,6\r\n\r\n\n  ');
    expect(plain(t)).toMatchObject({ names: ['a', 'b'], data: [1, 2, 3, 4, 5, 6], lines: [3, 6, 7] });
    expect(Array.from((await table('a,b\n1,2\n3,4')).data)).toEqual([1, 2, 3, 4]);
    const bytes = new TextEncoder().encode('\uFEFFx;y\n1;2\n');
    expect(plain(await readCsvTable([bytes]))).toMatchObject({ names: ['x', 'y'], data: [1, 2] });
  });

  it('counts lines through long runs of blank lines and blanks, cut into pieces', async () => {
    const text = `${'\n \r\n'.repeat(100_000)}a,b\n${' '.repeat(300_000)}1,2\n${'\n'.repeat(100_000)}3,4`;
    const pieces = Array.from({ length: Math.ceil(text.length / 1000) }, (_, i) =>
      text.slice(i * 1000, (i + 1) * 1000),
    );
    const t = plain(await readCsvTable(pieces));
    expect(t).toMatchObject({ names: ['a', 'b'], data: [1, 2, 3, 4], lines: [200_002, 300_003] });
    expect(plain(await table(text))).toEqual(t);
  });

  it('reads a tab-separated file with empty fields as missing values', async () => {
    const t = await table('a\tb\tc\n\t1\t2\n3\t\t4\n', { missing: 'nan' });
    expect(Array.from(t.data)).toEqual([NaN, 1, 2, 3, NaN, 4]);
  });

  it('converts only the selected columns', async () => {
    const t = await table('label,x,y\nsetosa,1,2\n"versicolor, var.",3,4\n', { columns: 'x,y' });
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
    expect(await dataError('label,x,y\nsetosa,1,2\n')).toContain("column 'label': 'setosa' is not a number");
  });
});

describe('column selection and weights', () => {
  const text = 'a,b,c,d,w\n1,2,3,4,0.5\n5,6,7,8,1.5\n';

  it('selects by name, 1-based index and range, in the given order', async () => {
    const pick = async (columns: CsvOptions['columns']) => {
      const t = await table(text, { columns });
      return [t.columns, Array.from(t.data)];
    };
    expect(await pick('c,a')).toEqual([
      ['c', 'a'],
      [3, 1, 7, 5],
    ]);
    expect(await pick('2, 4')).toEqual([
      ['b', 'd'],
      [2, 4, 6, 8],
    ]);
    expect(await pick('1-3')).toEqual([
      ['a', 'b', 'c'],
      [1, 2, 3, 5, 6, 7],
    ]);
    expect(await pick('2..3,a')).toEqual([
      ['b', 'c', 'a'],
      [2, 3, 1, 6, 7, 5],
    ]);
    expect(await pick('a,a')).toEqual([
      ['a', 'a'],
      [1, 1, 5, 5],
    ]);
    expect(await pick(['d', 1])).toEqual([
      ['d', 'a'],
      [4, 1, 8, 5],
    ]);
  });

  it('matches names before indices', async () => {
    const t = await table('2,x\n1,2\n', { header: true, columns: '2' });
    expect(Array.from(t.data)).toEqual([1]);
  });

  it('is an OptionError naming --columns for an unknown name, an index out of range or an empty range', async () => {
    const cases: [string, string][] = [
      ['zz', "--columns: no column named 'zz'; the columns are 'a', 'b', 'c', 'd', 'w'"],
      ['6', '--columns: column 6 is out of range; the data has 5 columns (1-based)'],
      ['0', '--columns: column 0 is out of range; the data has 5 columns (1-based)'],
      ['3-1', "--columns: empty range '3-1'"],
      [' , ', '--columns selects no columns'],
    ];
    for (const [columns, message] of cases) {
      const e = await failure(table(text, { columns }));
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).option).toBe('--columns');
      expect(e.message).toBe(message);
    }
  });

  it('reads a weights column, left out of the default features', async () => {
    for (const weights of ['w', 5] as const) {
      const t = await table(text, { weights });
      expect(plain(t)).toMatchObject({
        columns: ['a', 'b', 'c', 'd'],
        weights: [0.5, 1.5],
        data: [1, 2, 3, 4, 5, 6, 7, 8],
      });
    }
    const both = await table(text, { weights: 'w', columns: 'a,w' });
    expect(plain(both)).toMatchObject({ columns: ['a', 'w'], data: [1, 0.5, 5, 1.5], weights: [0.5, 1.5] });
  });

  it('rejects negative and missing weights, and a weights column that leaves no feature', async () => {
    expect(await dataError('x,w\n1,2\n3,-1\n', { weights: 'w' })).toBe(
      "<input>: line 3, column 'w': the weight -1 is negative (weights must be ≥ 0)",
    );
    expect(await dataError('x,w\n1,2\n3,\n', { weights: 'w', missing: 'nan' })).toBe(
      "<input>: line 3, column 'w' is empty (a weight cannot be missing)",
    );
    expect(await dataError('x,w\n1,NA\n', { weights: 'w', missing: 'nan' })).toContain(
      "'NA' is not a number (a missing value? a weight cannot be missing)",
    );
    const e = await failure(table('w\n1\n', { weights: 'w' }));
    expect(e).toBeInstanceOf(OptionError);
    expect(e.message).toBe('--weights: no feature columns are left besides the weights column');
    const bad = await failure(table(text, { weights: 'v' }));
    expect([(bad as OptionError).option, bad.message]).toEqual([
      '--weights',
      "--weights: no column named 'v'; the columns are 'a', 'b', 'c', 'd', 'w'",
    ]);
  });

  it('names options as the caller spells them', async () => {
    const optionNames = { columns: 'csv.columns', weights: 'csv.weights', delimiter: 'csv.delimiter' };
    const e = await failure(table(text, { columns: 'zz', optionNames }));
    expect([(e as OptionError).option, e.message.slice(0, 28)]).toEqual([
      'csv.columns',
      'csv.columns: no column named',
    ]);
    expect(await dataError('a,b\n1\t2,3\n', { optionNames })).toContain(
      "(the file looks tab-separated: try csv.delimiter: '\\t')",
    );
  });

  it('exposes the selection resolver', () => {
    expect(resolveColumns('b,1-2', ['a', 'b'])).toEqual([1, 0, 1]);
  });
});

describe('missing values', () => {
  it('are errors by default', async () => {
    expect(await dataError('a,b\n1,2\n\n3,\n')).toBe(
      "<input>: line 4, column 'b' is empty (missing values are not supported)",
    );
    expect(await dataError('a,b\n1,NA\n')).toBe(
      "<input>: line 2, column 'b': 'NA' is not a number (a missing value? missing values are not supported)",
    );
    expect(await dataError('a,b\n1," "\n')).toBe(
      "<input>: line 2, column 'b' is empty (missing values are not supported)",
    );
  });

  it("are NaN with missing: 'nan' (empty, NA, N/A, NaN, nan)", async () => {
    const t = await table('a,b,c\n,NA,N/A\nNaN,nan," "\n1,2,3\n', { missing: 'nan' });
    expect(Array.from(t.data)).toEqual([NaN, NaN, NaN, NaN, NaN, NaN, 1, 2, 3]);
    const blanks = await table('a b\nNA 1\n', { missing: 'nan', delimiter: ' ' });
    expect(Array.from(blanks.data)).toEqual([NaN, 1]);
  });

  it('never allow infinite values', async () => {
    for (const missing of ['error', 'nan'] as const) {
      expect(await dataError('a,b\n1,Infinity\n', { missing })).toBe(
        "<input>: line 2, column 'b': 'Infinity' is infinite (values must be finite numbers)",
      );
      expect(await dataError('a,b\n1,-inf\n', { missing })).toContain("'-inf' is infinite");
      expect(await dataError('a,b\n1,-1e400\n', { missing })).toBe(
        "<input>: line 2, column 'b': '-1e400' is too large for a double (it overflows to -Infinity)",
      );
    }
  });
});

describe('messages', () => {
  it('name the source, line and column, as the CLI always has', async () => {
    const bad = file('bad.csv', 'a,b\n1,2\n3,4\n5,x\n6,7\n');
    const e = await failure(readCsvTable(bad));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(`${bad}: line 4, column 'b': 'x' is not a number`);
    expect([(e as DataError).row, (e as DataError).column]).toEqual([2, 1]);
    expect(await dataError('a\n1\n', { source: '<stdin>', header: false })).toBe(
      "<stdin>: line 1, column 'x1': 'a' is not a number",
    );
  });

  it('report a ragged row, with a delimiter hint when the row has one field', async () => {
    expect(await dataError('1,2\n3,4\n5,6,7\n')).toBe('<input>: line 3: expected 2 fields (as on line 1), got 3');
    expect(await dataError('a,b\n1,2\n3;4\n')).toBe(
      "<input>: line 3: expected 2 fields (as on line 1), got 1 — is the delimiter ',' right?",
    );
    expect(await dataError('a,b\n1,2,\n')).toBe('<input>: line 2: expected 2 fields (as on line 1), got 3');
    const e = await failure(table('a,b\n1,2\n3,4,5\n'));
    expect((e as DataError).row).toBe(1);
  });

  it('give a hint when a value looks like another delimiter, whitespace or a decimal comma', async () => {
    expect(await dataError('a;b\n1\t2;3\n')).toBe(
      "<input>: line 2, column 'a': '1\t2' is not a number (the file looks tab-separated: try --delimiter tab)",
    );
    expect(await dataError('a;b\n1,2,3;4\n')).toContain(
      "'1,2,3' is not a number (the file looks comma-separated: try --delimiter comma)",
    );
    expect(await dataError('a;b\n1,5;4\n')).toContain(
      "'1,5' is not a number (a decimal comma? only '.' is read as the decimal separator)",
    );
    expect(await dataError('a,b\n1;2,3\n')).toContain(
      "'1;2' is not a number (the file looks semicolon-separated: try --delimiter semicolon)",
    );
    expect(await dataError('a,b\n1 2,3\n')).toContain(
      "'1 2' is not a number (whitespace-separated? try --delimiter space)",
    );
  });

  it('truncate quoted values to 40 characters', async () => {
    const long = 'y'.repeat(100);
    expect(await dataError(`a\n${long}\n`, { header: true })).toBe(
      `<input>: line 2, column 'a': '${'y'.repeat(40)}…' is not a number`,
    );
    expect(quoteValue('short')).toBe("'short'");
    expect(quoteValue(`${'z'.repeat(39)}😀tail`)).toBe(`'${'z'.repeat(39)}…'`); // never half a surrogate pair
  });

  it('report a quote never closed, on the line it opens', async () => {
    expect(await dataError('1,2\n3,"4\n')).toBe('<input>: line 2: a quoted field is never closed');
    expect(await dataError('a,b\n1,2\n3,"4\n\n5\n6,7\n')).toBe('<input>: line 3: a quoted field is never closed');
    expect(await dataError('a,b\n"x\ny",3,"4\n')).toBe('<input>: line 3: a quoted field is never closed');
  });

  it('report text after a closing quote', async () => {
    expect(await dataError('a,b\n"1"x,2\n')).toBe(
      "<input>: line 2, column 'a': 'x' follows a closing quote; a quoted field must be followed by the delimiter ',' or the end of the line",
    );
  });

  it('report empty inputs', async () => {
    expect(await dataError('')).toBe('<input>: no data (the input is empty)');
    expect(await dataError(' \n\r\n\t\n')).toBe('<input>: no data (the input is empty)');
    expect(await dataError('a,b\n\n')).toBe('<input>: no data rows after the header line');
    expect(await dataError([])).toBe('<input>: no data (the input is empty)');
  });

  it('report a file that cannot be read', async () => {
    const missing = await failure(readCsvTable(join(tmp, 'nope.csv')));
    expect(missing).toBeInstanceOf(DataError);
    expect(missing.message).toBe(`cannot read data file '${join(tmp, 'nope.csv')}': no such file`);
    const dir = join(tmp, 'adir');
    mkdirSync(dir);
    expect((await failure(readCsvTable(dir))).message).toBe(`cannot read data file '${dir}': it is a directory`);
  });

  it('wrap an error of the input stream, and reject pieces of the wrong type', async () => {
    async function* broken() {
      yield 'a,b\n1,2\n';
      throw new Error('connection reset');
    }
    expect(await dataError(broken(), { source: 'http://x/data.csv' })).toBe(
      'cannot read http://x/data.csv: connection reset',
    );
    expect(await dataError([42 as unknown as string])).toContain(
      'the CSV input yielded number; expected Uint8Array or string chunks',
    );
  });
});

describe('bounds and linear time', () => {
  it('rejects a 1 MB field of digits followed by a letter, as not a number', async () => {
    const msg = await dataError(`a\n${'1'.repeat(1_000_000)}x\n`);
    expect(msg).toBe(`<input>: line 2, column 'a': '${'1'.repeat(40)}…' is not a number`);
    // the same cut into many pieces
    const text = `a\n${'1'.repeat(1_000_000)}x\n`;
    const pieces = Array.from({ length: 100 }, (_, i) => text.slice(i * 10_001, (i + 1) * 10_001)).concat(
      text.slice(1_000_100),
    );
    expect(await dataError(pieces)).toBe(msg);
  });

  it('rejects a field longer than maxFieldLength, naming line and column', async () => {
    expect(await dataError(`a,b\n1,${'2'.repeat(2_000_000)}\n`)).toBe(
      "<input>: line 2, column 'b': a field is longer than 1048576 characters (maxFieldLength)",
    );
    expect(await dataError('a,b\n1,22222\n', { maxFieldLength: 4 })).toBe(
      "<input>: line 2, column 'b': a field is longer than 4 characters (maxFieldLength)",
    );
    expect(await dataError(`a,b\n1,"${'2'.repeat(50)}`, { maxFieldLength: 10 })).toBe(
      "<input>: line 2, column 'b': a field is longer than 10 characters (maxFieldLength) — is a quote never closed?",
    );
    expect(Array.from((await table('a,b\n1,2222\n', { maxFieldLength: 4 })).data)).toEqual([1, 2222]);
  });

  it('rejects a record with more than maxColumns fields', async () => {
    expect(await dataError('1,2,3,4\n', { maxColumns: 3 })).toBe(
      "<input>: line 1: more than 3 fields (maxColumns) — is the delimiter ',' right?",
    );
    expect((await table('1,2,3\n', { maxColumns: 3 })).cols).toBe(3);
  });

  it('reports memory it cannot allocate as a DataError', async () => {
    const e = await failure(chunksOf(['a\n1\n'], { chunkRows: 2 ** 40 }));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(
      /^<input>: cannot allocate \d+ MiB for 1099511627776 more rows of 1 columns after 0 rows: /,
    );
  });

  it('stays linear on pathological inputs', async () => {
    expect(await dataError(`a\n${' '.repeat(500_000)}x${' '.repeat(500_000)}\n`)).toContain("'x' is not a number");
    expect(await dataError(`a\n"${'""'.repeat(300_000)}`)).toBe('<input>: line 2: a quoted field is never closed');
    expect(await dataError(`a\n${'1e'.repeat(300_000)}\n`)).toContain('is not a number');
  });
});

describe('notes', () => {
  it('detect R write.csv row names (an empty first header field) and leave them out', async () => {
    const t = await table('"","mpg","cyl"\n"Mazda RX4",21,6\n"Datsun 710",22.8,4\n');
    expect(plain(t)).toMatchObject({ names: ['x1', 'mpg', 'cyl'], columns: ['mpg', 'cyl'], data: [21, 6, 22.8, 4] });
    expect(t.notes[0]).toMatch(
      /^the first column has no name in the header: it looks like row names .* not used as a feature; name it in --columns to use it$/,
    );
  });

  it('detect a header one field shorter than the data rows (R write.table)', async () => {
    const t = await table('"x" "y"\n"1" 1.5 2\n"2" 3 4.5\n', { delimiter: ' ' });
    expect(plain(t)).toMatchObject({
      names: ['x1', 'x', 'y'],
      columns: ['x', 'y'],
      data: [1.5, 2, 3, 4.5],
      lines: [2, 3],
    });
    expect(t.notes[0]).toMatch(
      /^the header has one field fewer than the data rows: the first column is taken as row names/,
    );
    expect(await dataError('x,y\nr1,1,2\n1,2\n')).toBe('<input>: line 3: expected 3 fields (as on line 2), got 2');
  });

  it('keep row names when the columns are chosen', async () => {
    const t = await table(',a,b\n1,2,3\n', { columns: '1,2' });
    expect(plain(t)).toMatchObject({ columns: ['x1', 'a'], data: [1, 2], notes: [] });
  });

  it('point out index-like, code-like and constant columns', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i + 1},${i},${[4, 6, 8][i % 3]},${(i * 0.37).toFixed(2)},5`);
    const t = await table(`id,i0,cyl,x,k\n${rows.join('\n')}\n`);
    expect(t.notes).toEqual([
      "column 'id' looks like a row index (1, 2, …, 30 in order): leave it out with --columns unless it is a feature",
      "column 'i0' looks like a row index (0, 1, …, 29 in order): leave it out with --columns unless it is a feature",
      "column 'cyl' takes only 3 distinct integer values (4, 6, 8) over 30 rows: it looks like a code or a label rather than a measurement; leave it out with --columns unless it is a feature",
      "column 'k' is constant (every value is 5)",
    ]);
    const few = await table(
      `cyl,x\n${rows
        .slice(0, 19)
        .map((r) => r.split(',').slice(2, 4).join(','))
        .join('\n')}\n`,
    );
    expect(few.notes).toEqual([]); // fewer than 20 rows: no code note
  });

  it('point out a constant column whatever its value, passing over missing values', async () => {
    expect((await table('a,b\n1,2.5\n2,\n3,2.5\n', { missing: 'nan' })).notes).toEqual([
      "column 'b' is constant (every value is 2.5)",
    ]);
  });

  it('stay quiet for ordinary data', async () => {
    expect((await table('a,b\n1.5,2\n2.5,3\n0.5,1\n')).notes).toEqual([]);
  });
});

describe('readCsv', () => {
  it('yields exactly sized chunks of chunkRows rows, with lines, weights and offsets, and returns the summary', async () => {
    const text = `x,y,w\n${Array.from({ length: 10 }, (_, i) => `${i},${-i},${i / 10}`).join('\n\n')}\n`;
    const { chunks, info } = await chunksOf([text], { chunkRows: 3, weights: 'w' });
    expect(chunks.map((c) => [c.rows, c.offset, c.data.length, c.weights!.length, c.lines.length])).toEqual([
      [3, 0, 6, 3, 3],
      [3, 3, 6, 3, 3],
      [3, 6, 6, 3, 3],
      [1, 9, 2, 1, 1],
    ]);
    expect(chunks[1]).toMatchObject({ columns: ['x', 'y'], cols: 2 });
    expect(Array.from(chunks[1].data)).toEqual([3, -3, 4, -4, 5, -5]);
    expect(Array.from(chunks[3].lines)).toEqual([20]);
    expect(Array.from(chunks[2].weights!)).toEqual([0.6, 0.7, 0.8]);
    expect(info).toMatchObject({
      rows: 10,
      header: true,
      delimiter: ',',
      columns: ['x', 'y'],
      featureIndices: [0, 1],
      weightsIndex: 2,
    });
    expect(info.notes[0]).toContain("column 'x' looks like a row index (0, 1, …, 9 in order)");
  });

  it('can be stopped early, closing the file', async () => {
    const p = file('many.csv', `a\n${Array.from({ length: 1000 }, (_, i) => i).join('\n')}\n`);
    let seen = 0;
    for await (const c of readCsv(p, { chunkRows: 10 })) {
      seen += c.rows;
      if (seen >= 20) break;
    }
    expect(seen).toBe(20);
  });

  it('throws its errors from the iteration', async () => {
    const e = await failure(chunksOf(['a\n1\n2\nx\n'], { chunkRows: 1 }));
    expect(e.message).toBe("<input>: line 4, column 'a': 'x' is not a number");
  });
});

describe('inputs', () => {
  const text = 'größe,日本\n1,2\n3,4\n';
  const expected = { names: ['größe', '日本'], data: [1, 2, 3, 4], lines: [2, 3] };

  it('reads a file path, a Blob, a ReadableStream, a Node stream, async and sync iterables, bytes', async () => {
    const p = file('utf8.csv', text);
    const bytes = new TextEncoder().encode(text);
    const inputs: CsvInput[] = [
      p,
      new Blob([bytes]),
      new ReadableStream({
        start(c) {
          c.enqueue(bytes.subarray(0, 3));
          c.enqueue(bytes.subarray(3));
          c.close();
        },
      }),
      createReadStream(p, { highWaterMark: 5 }),
      (async function* () {
        yield bytes.subarray(0, 2);
        yield bytes.subarray(2);
      })(),
      [text.slice(0, 4), text.slice(4)],
      [bytes.buffer.slice(0, 7), bytes.subarray(7)],
      bytes,
      Buffer.from(bytes),
      bytes.buffer,
    ];
    for (const input of inputs) expect(plain(await readCsvTable(input))).toMatchObject(expected);
    expect((await readCsvTable(p)).source).toBe(p);
  });

  it("reads '-' from the standard input, named <stdin>", async () => {
    const saved = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    Object.defineProperty(process, 'stdin', {
      value: Readable.from([Buffer.from('a,b\n1,'), Buffer.from('2\n3,x\n')]),
      configurable: true,
    });
    try {
      const e = await failure(readCsvTable('-'));
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toBe("<stdin>: line 3, column 'b': 'x' is not a number");
    } finally {
      Object.defineProperty(process, 'stdin', saved);
    }
  });

  it('rejects anything else as an OptionError', async () => {
    for (const bad of [42, null, { a: 1 }, '']) {
      expect(await failure(readCsvTable(bad as unknown as CsvInput))).toBeInstanceOf(OptionError);
    }
  });

  it('reports progress: at most every 100 ms, then once at the end with the total', async () => {
    const p = file('progress.csv', `a\n${'1.5\n'.repeat(300_000)}`);
    const check = async (input: CsvInput, total: number | null, bytes: number): Promise<void> => {
      const calls: [number, number | null, number][] = [];
      const t0 = Date.now();
      await readCsvTable(input, { onProgress: (b, t) => calls.push([b, t, Date.now()]) });
      const elapsed = Date.now() - t0;
      expect(calls.at(-1)!.slice(0, 2)).toEqual([bytes, total]);
      for (let i = 1; i < calls.length - 1; i++) {
        expect(calls[i][2] - calls[i - 1][2]).toBeGreaterThanOrEqual(99);
        expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
      }
      expect(calls.length).toBeLessThanOrEqual(2 + elapsed / 100);
    };
    await check(p, 1_200_002, 1_200_002); // 19 reads
    await check(
      Array.from({ length: 1000 }, () => '1\n'),
      null,
      2000,
    );
  });

  it('validates its options', async () => {
    const bad: [CsvOptions, string][] = [
      [{ delimiter: ';;' }, 'delimiter'],
      [{ delimiter: '"' }, 'delimiter'],
      [{ delimiter: '1' }, 'delimiter'],
      [{ header: 'yes' as never }, 'header'],
      [{ chunkRows: 0 }, 'chunkRows'],
      [{ missing: 'skip' as never }, 'missing'],
      [{ maxFieldLength: 1.5 }, 'maxFieldLength'],
      [{ bogus: 1 } as never, 'bogus'],
    ];
    for (const [o, option] of bad) {
      const e = await failure(table('1\n', o));
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).option).toBe(option);
    }
  });
});

describe('the same result whatever the chunking', () => {
  /** Results or the error message, in plain data. */
  const outcome = async (input: CsvInput, o: CsvOptions = {}): Promise<unknown> => {
    try {
      return plain(await readCsvTable(input, o));
    } catch (e) {
      return { error: (e as Error).constructor.name, message: (e as Error).message };
    }
  };

  const good = '\uFEFF"na,me" ,größe,"q""x"\r\n\r\n  1.5 , -2e3 ,"3"\r\n"4",.25,"5\n"\n\t\n 7 ,8,"9\r\n"\n10,1e-2,11';
  const labelled = 'label,x,y\n"a\nb",1,2\r\n"c,""d""",,3\n\ne,4,"5"\n';
  const cases: [string, CsvOptions][] = [
    [good, {}],
    [labelled, { columns: '2-3', missing: 'nan' }],
    ['x y  z\n 1 2\t3 \n4  5 6', { delimiter: ' ' }],
    ['a,b\n1,2\n3,"4\n', {}], // never closed
    ['a,b\n1,2\n3,x', {}], // not a number at the very end
    ['a,b\n1,2\n3,4,5\n', {}], // ragged
    ['a;b\n1;2\n3;\n', { missing: 'nan' }],
    ['"","v"\n"r1",1\n"r2",2\n', {}], // row names
    ['v w\nr1 1 2\n', { delimiter: ' ' }], // short header
    ['a,b\n1,"2"x\n', {}],
    ['a,b\n1,22222\n', { maxFieldLength: 4 }],
  ];

  it('splitting the text at every position gives the same result', async () => {
    for (const [text, o] of cases) {
      const whole = await outcome([text], o);
      for (let i = 0; i <= text.length; i++) {
        expect(await outcome([text.slice(0, i), text.slice(i)], o), `${JSON.stringify(text)} split at ${i}`).toEqual(
          whole,
        );
      }
      for (let i = 1; i < text.length; i++) {
        for (const j of [i + 1, i + 2, i + 5]) {
          if (j >= text.length) continue;
          expect(await outcome([text.slice(0, i), text.slice(i, j), text.slice(j)], o)).toEqual(whole);
        }
      }
      expect(await outcome(Array.from(text), o)).toEqual(whole);
    }
  });

  it('splitting the UTF-8 bytes at every byte gives the same result', async () => {
    for (const [text, o] of cases) {
      const bytes = new TextEncoder().encode(text);
      const whole = await outcome([bytes], o);
      expect(whole).toEqual(await outcome([text], o));
      for (let i = 0; i <= bytes.length; i++) {
        expect(await outcome([bytes.subarray(0, i), bytes.subarray(i)], o), `bytes split at ${i}`).toEqual(whole);
      }
      expect(
        await outcome(
          Array.from(bytes, (b) => Uint8Array.of(b)),
          o,
        ),
      ).toEqual(whole);
    }
  });

  it('reads the cases as expected', async () => {
    expect(plain(await table(good))).toMatchObject({
      names: ['na,me', 'größe', 'q"x'],
      header: true,
      data: [1.5, -2000, 3, 4, 0.25, 5, 7, 8, 9, 10, 0.01, 11],
      lines: [3, 4, 7, 9],
    });
    expect(plain(await table(labelled, { columns: '2-3', missing: 'nan' }))).toMatchObject({
      columns: ['x', 'y'],
      data: [1, 2, NaN, 3, 4, 5],
      lines: [2, 4, 6],
    });
  });

  it('the fused fast path and the general tokenizer agree on random inputs (values, errors, messages)', async () => {
    const options = fc.record({
      delimiter: fc.constantFrom(undefined, ',', ';', '\t', ' '),
      missing: fc.constantFrom('error' as const, 'nan' as const),
      header: fc.constantFrom<'auto' | false>('auto', 'auto', false),
      columns: fc.constantFrom(undefined, '1', '1,3', '3', 'c,a'),
      weights: fc.constantFrom(undefined, undefined, 'b'),
    });
    // characters at random, or records of tokens joined mostly by the delimiter
    const alphabet = fc.constantFrom(
      '1',
      '2',
      '0',
      '.',
      '-',
      '+',
      'e',
      ',',
      ',',
      ';',
      ' ',
      ' ',
      '\t',
      '\r',
      '\n',
      '\n',
      '"',
      'x',
      'N',
      'A',
    );
    const chars = fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(''));
    const token = fc.constantFrom(
      '1',
      '-2.5',
      '.5',
      '1e3',
      '"3"',
      '',
      ' ',
      'x',
      'NA',
      'nan',
      '"a,b"',
      '"\n"',
      'x\r2',
      '"a""b"',
      '"4"x',
      '1 2',
    );
    const records = (d: string) => {
      const separator = fc.constantFrom(d, d, d, d, ',', ';', ' ', '\t', '\r');
      const record = fc
        .array(fc.tuple(token, separator), { minLength: 2, maxLength: 4 })
        .map((fs) => fs.map(([f, sep], i) => (i === fs.length - 1 ? f : f + sep)).join(''));
      return fc
        .array(fc.tuple(record, fc.constantFrom('\n', '\n', '\r\n', '\n\n', '')), { maxLength: 5 })
        .map((rs) => rs.map(([r, eol]) => r + eol).join(''));
    };
    const cases = options.chain((o) =>
      fc.oneof(chars, records(o.delimiter ?? ','), records(o.delimiter ?? ',')).map((b) => ({ o, b })),
    );
    try {
      await fc.assert(
        fc.asyncProperty(cases, async ({ o, b }) => {
          const t = `${['a', 'b', 'c'].join(o.delimiter ?? ',')}\n${b}`;
          _setFastPath(true);
          const fast = await outcome([t], o);
          _setFastPath(false);
          const slow = await outcome([t], o);
          _setFastPath(true);
          expect(fast).toEqual(slow);
        }),
        { numRuns: 3000 },
      );
    } finally {
      _setFastPath(true);
    }
  });

  it('any chunkRows gives the same rows', async () => {
    const text = `a,b\n${Array.from({ length: 50 }, (_, i) => `${i * 1.5},"${-i}"`).join('\n')}`;
    const whole = plain(await table(text));
    for (const chunkRows of [1, 2, 7, 49, 50, 51, 8192]) {
      const { chunks } = await chunksOf([text], { chunkRows });
      expect(chunks.flatMap((c) => Array.from(c.data))).toEqual(whole.data);
      expect(chunks.flatMap((c) => Array.from(c.lines))).toEqual(whole.lines);
    }
  });
});
