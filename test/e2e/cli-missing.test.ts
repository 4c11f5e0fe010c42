/**
 * The CLI with missing values: `--missing marginalize` reads empty fields and NA, N/A, NaN as missing and fits or
 * scores on the observed values; `gaussmix impute` writes the completed CSV. Spawns the built dist/cli.js (`npm test`
 * builds first); reference values come from the library on the same data.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index.js';
import { dataset } from '../helpers/missing.js';
import { cliSandbox } from '../helpers/cli.js';

const sandbox = cliSandbox('gaussmix-cli-missing-');
const { run, file } = sandbox;

/** iris with 20% of the entries missing, written with every spelling of "missing" the CLI reads. */
const X = dataset('iris-20');
const TOKENS = ['', 'NA', 'NaN', 'N/A', 'na'];
const text = `a,b,c,d\n${X.map((r, i) => r.map((v) => (Number.isNaN(v) ? TOKENS[i % TOKENS.length] : String(v))).join(',')).join('\n')}\n`;

beforeAll(() => {
  file('holes.csv', text);
  // models the commands below load (`fit` itself is checked against the library in its own test)
  file('m.json', JSON.stringify(new GaussianMixture({ nComponents: 3, missing: 'marginalize' }).fit(X).toJSON()));
  const complete = X.filter((r) => !r.some(Number.isNaN));
  file('c.json', JSON.stringify(new GaussianMixture({ nComponents: 2 }).fit(complete).toJSON()));
});

describe('gaussmix with missing values', () => {
  it('fit --missing marginalize fits what the library fits, notes the missing share and plots completed points', () => {
    const r = run(['fit', 'holes.csv', '-k', '3', '--missing', 'marginalize', '--out', 'fit.json', '--plot', 'm.svg']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('120 missing values (20.0% of the entries) integrated out');
    const backend = /on the (wasm|js) backend/.exec(r.stdout)?.[1] as 'wasm' | 'js';
    const ref = new GaussianMixture({ nComponents: 3, missing: 'marginalize', backend }).fit(X);
    const saved = GaussianMixture.fromJSON(readFileSync(file('fit.json'), 'utf8'));
    expect(Array.from(saved.weights)).toEqual(Array.from(ref.weights));
    expect(saved.options.missing).toBe('marginalize');
    expect(r.stdout).toContain(ref.bic(X).toFixed(4));
    expect((readFileSync(file('m.svg'), 'utf8').match(/<circle/g) ?? []).length).toBe(150);
  });

  it('without the option a missing field is an error naming line and column, with the fix', () => {
    const r = run(['fit', 'holes.csv', '-k', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holes\.csv: line \d+, column '[abcd]'/);
    expect(r.stderr).toMatch(/use --missing marginalize|need --missing marginalize/);
  });

  it('impute writes the completed CSV: observed values as they were, missing ones from the model', () => {
    const r = run(['impute', 'm.json', 'holes.csv']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('a,b,c,d');
    const got = lines.slice(1).map((l) => l.split(',').map(Number));
    const want = GaussianMixture.fromJSON(readFileSync(file('m.json'), 'utf8')).impute(X);
    expect(got).toEqual(want.map((row) => Array.from(row)));
    X.forEach((row, i) => row.forEach((v, j) => Number.isNaN(v) || expect(got[i][j]).toBe(v)));
    // from stdin, without a header
    const piped = run(['impute', 'm.json', '-', '--no-header'], text.split('\n').slice(1).join('\n'));
    expect(piped.stdout.trim().split('\n')).toEqual(lines.slice(1));
  });

  it('score reads missing fields for a model fitted with them; --missing overrides the model', () => {
    const scored = run(['score', 'm.json', 'holes.csv']);
    expect(scored.code, scored.stderr).toBe(0);
    const gm = GaussianMixture.fromJSON(readFileSync(file('m.json'), 'utf8'));
    expect(scored.stdout.trim().split('\n').slice(1).map(Number)).toEqual(Array.from(gm.scoreSamples(X)));
    expect(run(['score', 'm.json', 'holes.csv', '--missing', 'error']).code).toBe(1);
    // a model fitted on complete rows scores incomplete ones when asked to
    expect(run(['predict', 'c.json', 'holes.csv']).code).toBe(1);
    const p = run(['predict', 'c.json', 'holes.csv', '--missing', 'marginalize']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(151);
  });

  it('refuses a missing weight and a row with no observed value', () => {
    const w = run([
      'fit',
      file('w.csv', 'x,y,w\n1,2,1\n2,,\n3,4,1\n'),
      '-k',
      '1',
      '--weights',
      'w',
      '--missing',
      'marginalize',
    ]);
    expect(w.code).toBe(1);
    expect(w.stderr).toContain('a weight cannot be missing');
    const empty = run(['fit', file('e.csv', 'x,y\n1,2\nNA,NA\n3,4\n'), '-k', '1', '--missing', 'marginalize']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/e\.csv: .*line 3 has no observed value/); // the library's 'row 1', in the file's terms
  });
});
