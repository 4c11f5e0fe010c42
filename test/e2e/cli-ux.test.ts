/**
 * The CLI as a new user meets it (issue 13): a label column or R's row names are warned about with the selection to
 * type, R's write.csv / write.table files read as written, the model remembers its columns (predict, score,
 * anomalies, impute and sample use them by name), and fit / select print mclust's clustering summary. Spawns the
 * built dist/cli.js; reference values come from the library (src) on the same data.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index.js';
import { cliSandbox } from '../helpers/cli.js';

const irisPath = fileURLToPath(new URL('../../data/iris.csv', import.meta.url));
const faithfulPath = fileURLToPath(new URL('../../data/faithful.csv', import.meta.url));
const parse = (path: string) => {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  return { names: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
};
const iris = parse(irisPath);
const faithful = parse(faithfulPath);
const irisX = iris.rows.map((r) => r.slice(0, 4));
const SPECIES = ['setosa', 'versicolor', 'virginica'];

const sandbox = cliSandbox('gaussmix-cli-ux-');
const { run, file } = sandbox;
const lines = (s: string): string[] => s.trim().split('\n');

/** The clustering block's numbers: sizes, proportions and the uncertainty line. */
function clusteringOf(stdout: string) {
  const size = /^ *size +([\d ]+)$/m.exec(stdout);
  const prop = /^ *proportion +([\d. ]+)$/m.exec(stdout);
  const u = /uncertainty \(1 − max responsibility\): mean ([\d.]+), max ([\d.]+); (\d+) of (\d+) rows? above 0\.1/.exec(
    stdout,
  );
  if (!size || !prop || !u) throw new Error(`no clustering block in:\n${stdout}`);
  return {
    sizes: size[1].trim().split(/ +/).map(Number),
    proportions: prop[1].trim().split(/ +/).map(Number),
    mean: Number(u[1]),
    max: Number(u[2]),
    above: Number(u[3]),
    rows: Number(u[4]),
  };
}

/** The same numbers from the library: hard assignments, weights, 1 − max responsibility. */
function expected(gm: GaussianMixture, X: number[][]) {
  const sizes = new Array(gm.nComponents).fill(0);
  for (const l of gm.predict(X)) sizes[l]++;
  const u = gm.predictProba(X).map((r) => 1 - Math.max(...r));
  return {
    sizes,
    proportions: Array.from(gm.weights),
    mean: u.reduce((a, b) => a + b, 0) / u.length,
    max: Math.max(...u),
    above: u.filter((v) => v > 0.1).length,
  };
}

describe('fit and select print the clustering as mclust does', () => {
  it('fit: cluster sizes, mixing proportions and the uncertainty summary, equal to the library', () => {
    const r = run(['fit', irisPath, '-k', '3', '--columns', '1-4', '--seed', '0']);
    expect(r.code).toBe(0);
    const got = clusteringOf(r.stdout);
    const want = expected(new GaussianMixture({ nComponents: 3, seed: 0 }).fit(irisX), irisX);
    expect(got.sizes).toEqual(want.sizes);
    expect(got.rows).toBe(150);
    got.proportions.forEach((p, k) => expect(p).toBeCloseTo(want.proportions[k], 4));
    expect(got.mean).toBeCloseTo(want.mean, 4);
    expect(got.max).toBeCloseTo(want.max, 4);
    expect(got.above).toBe(want.above);
    // iris by a full 3-component mixture: a few versicolor/virginica rows are unsure — the summary is not trivial
    expect(got.above).toBeGreaterThan(0);
  });

  it("select: the chosen model's clustering, with its uncertainty", () => {
    const r = run(['select', faithfulPath, '--k', '1..3', '--seed', '0', '--out', 'best.json']);
    expect(r.code, r.stderr).toBe(0);
    const got = clusteringOf(r.stdout.slice(r.stdout.indexOf('Chosen:')));
    const best = GaussianMixture.fromJSON(readFileSync(file('best.json'), 'utf8'));
    const want = expected(best, faithful.rows);
    expect(got.sizes).toEqual(want.sizes);
    expect(got.mean).toBeCloseTo(want.mean, 4);
    expect(got.above).toBe(want.above);
  });
});

describe('label and row-number columns', () => {
  it('fit iris.csv -k 3 warns that species looks like a label and says what to type', () => {
    const r = run(['fit', irisPath, '-k', '3', '--seed', '0']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "gaussmix: warning: column 'species' takes only 3 distinct integer values (0, 1, 2) over 150 rows: it looks like a code or a label rather than a measurement; unless it is a feature, select the others with --columns 1-4",
    );
    // with the columns chosen, no warning
    expect(run(['fit', irisPath, '-k', '3', '--columns', '1-4', '--seed', '0']).stderr).toBe('');
  });

  it('a row-number column is warned about', () => {
    const body = faithful.rows.map((r, i) => `${i + 1},${r.join(',')}`).join('\n');
    const r = run(['fit', file('numbered.csv', `n,eruptions,waiting\n${body}\n`), '-k', '2', '--seed', '0']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "gaussmix: warning: column 'n' looks like a row index (1, 2, …, 272 in order); unless it is a feature, select the others with --columns 2-3",
    );
  });

  // As R 4 writes them: write.csv(faithful) quotes the header and the row names, with an empty first header field;
  // write.table(faithful) separates by single spaces and leaves the row names' header out.
  const quoted = (names: string[], sep: string) => names.map((n) => `"${n}"`).join(sep);
  const rLines = (sep: string) => faithful.rows.map((r, i) => `"${i + 1}"${sep}${r.join(sep)}`).join('\n');
  const writeCsv = `"",${quoted(faithful.names, ',')}\n${rLines(',')}\n`;
  const writeTable = `${quoted(faithful.names, ' ')}\n${rLines(' ')}\n`;
  const writeTableTab = `${quoted(faithful.names, '\t')}\n${rLines('\t')}\n`;

  it("R's write.csv and write.table output fit as the plain file does, row names left out", () => {
    const plain = run(['fit', faithfulPath, '-k', '2', '--seed', '0']);
    const ll = /log-likelihood: (\S+)/.exec(plain.stdout)?.[1];
    expect(ll).toBeDefined();
    for (const [name, text] of [
      ['write-csv.csv', writeCsv],
      ['write-table.txt', writeTable],
      ['write-table-tab.txt', writeTableTab],
    ]) {
      const r = run(['fit', file(name, text), '-k', '2', '--seed', '0']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('272 rows × 2 features (eruptions, waiting)');
      expect(r.stdout).toContain(`log-likelihood: ${ll} `);
      expect(r.stderr).toMatch(/gaussmix: note: .*(row names|one field fewer)/);
      expect(r.stderr).not.toContain('warning');
    }
  });

  it("R's iris with its Species factor: the error says which columns to select, and that works", () => {
    const body = iris.rows.map((r, i) => `"${i + 1}",${r.slice(0, 4).join(',')},"${SPECIES[r[4]]}"`).join('\n');
    const path = file(
      'iris-r.csv',
      `"","Sepal.Length","Sepal.Width","Petal.Length","Petal.Width","Species"\n${body}\n`,
    );
    const r = run(['fit', path, '-k', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "column 'Species': 'setosa' is not a number (a text column? leave it out: --columns 2-5)",
    );
    const ok = run(['fit', path, '-k', '3', '--columns', '2-5', '--seed', '0']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('150 rows × 4 features (Sepal.Length, Sepal.Width, Petal.Length, Petal.Width)');
  });
});

describe('the model remembers its columns', () => {
  let model = '';
  beforeAll(() => {
    model = file('iris-model.json');
    const r = run(['fit', irisPath, '-k', '3', '--columns', '1-4', '--seed', '0', '--out', model]);
    if (r.code !== 0) throw new Error(r.stderr);
  });

  it('fit stores the header names in the model JSON', () => {
    const json = JSON.parse(readFileSync(model, 'utf8'));
    expect(json.featureNames).toEqual(iris.names.slice(0, 4));
    expect(GaussianMixture.fromJSON(json).featureNames).toEqual(iris.names.slice(0, 4));
  });

  it('predict, score and anomalies pick the columns by name, wherever they are, without --columns', () => {
    // the columns shuffled, with R's row names and a text label among them
    const order = [3, 0, 2, 1];
    const head = ['""', 'species', ...order.map((j) => iris.names[j])].join(',');
    const body = iris.rows.map((r, i) => [`"${i + 1}"`, SPECIES[r[4]], ...order.map((j) => r[j])].join(','));
    const shuffled = file('shuffled.csv', `${head}\n${body.join('\n')}\n`);
    for (const cmd of [['predict'], ['score'], ['anomalies', '--contamination', '0.05']]) {
      const byName = run([...cmd, model, shuffled]);
      const byIndex = run([...cmd, model, irisPath, '--columns', '1-4']);
      expect(byName.code, byName.stderr).toBe(0);
      expect(byName.stdout).toBe(byIndex.stdout);
      expect(byName.stderr).toBe(byIndex.stderr);
    }
    const gm = GaussianMixture.fromJSON(readFileSync(model, 'utf8'));
    expect(
      lines(run(['predict', model, shuffled]).stdout)
        .slice(1)
        .map(Number),
    ).toEqual(Array.from(gm.predict(irisX)));
  });

  it('impute fills the named columns of a file that holds more', () => {
    const head = `id,${iris.names.join(',')}`;
    const rows = iris.rows.slice(0, 3).map((r, i) => `${i + 1},${r.join(',')}`);
    rows[1] = `2,${iris.rows[1][0]},,${iris.rows[1].slice(2).join(',')}`;
    const r = run(['impute', model, file('holes.csv', `${head}\n${rows.join('\n')}\n`)]);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe(iris.names.slice(0, 4).join(','));
    expect(out[1].split(',').map(Number)).toEqual(irisX[0]);
    const filled = out[2].split(',').map(Number);
    const gm = GaussianMixture.fromJSON(readFileSync(model, 'utf8'));
    const want = gm.impute([[irisX[1][0], Number.NaN, irisX[1][2], irisX[1][3]]])[0];
    filled.forEach((v, j) => expect(v).toBeCloseTo(want[j], 10));
  });

  it('sample writes the names as its header', () => {
    const r = run(['sample', model, '-n', '3', '--seed', '1', '--labels']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toBe(`${iris.names.slice(0, 4).join(',')},component`);
  });

  it('a file without a header is read by position; a file missing a column is a clear error', () => {
    const noHeader = file('iris-noheader.csv', `${irisX.map((r) => r.join(',')).join('\n')}\n`);
    const r = run(['predict', model, noHeader]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).map(Number)).toEqual(
      Array.from(GaussianMixture.fromJSON(readFileSync(model, 'utf8')).predict(irisX)),
    );
    const partial = file('partial.csv', `sepal_length,petal_length,petal_width\n5.1,1.4,0.2\n`);
    const bad = run(['score', model, partial]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      "partial.csv has no column 'sepal_width', which the model was fitted on (its features: 'sepal_length', 'sepal_width', 'petal_length', 'petal_width'; the file's columns: 'sepal_length', 'petal_length', 'petal_width'); pick the columns to use, in the model's order, with --columns",
    );
  });

  it('--columns overrides the names, with a note when they differ', () => {
    const r = run(['score', model, file('renamed.csv', 'a,b,c,d\n5.1,3.5,1.4,0.2\n'), '--columns', '1-4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('are not named as the model');
  });
});

describe('fit --pairs and --standardize', () => {
  it('--pairs writes the scatter matrix of the first 4 features, named from the header', () => {
    const r = run(['fit', irisPath, '-k', '3', '--columns', '1-4', '--seed', '0', '--pairs', 'pairs.svg']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pairs plot saved to pairs.svg');
    const svg = readFileSync(file('pairs.svg'), 'utf8');
    expect((svg.match(/<g class="panel"/g) ?? []).length).toBe(6);
    for (const name of iris.names.slice(0, 4)) expect(svg).toContain(`>${name}</text>`);
    const one = run(['fit', irisPath, '-k', '2', '--columns', '1', '--pairs', 'one.svg']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--pairs needs at least 2 feature columns');
  });

  it('--standardize fits on z-scores and saves the model in the original units (spherical as diag)', () => {
    const r = run([
      'fit',
      irisPath,
      '-k',
      '3',
      '--columns',
      '1-4',
      '--covariance',
      'spherical',
      '--standardize',
      '--seed',
      '0',
      '--out',
      'std.json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('fitted on standardized features');
    expect(r.stdout).toMatch(
      /standardized fit \(z-units\): log-likelihood \S+, BIC \S+, AIC \S+ \(17 free parameters\)/,
    );
    const saved = GaussianMixture.fromJSON(readFileSync(file('std.json'), 'utf8'));
    expect(saved.covarianceType).toBe('diag');
    // the reference: the library on z-scores of the same columns, mapped back by hand
    const d = 4;
    const m = Array.from({ length: d }, (_, j) => irisX.reduce((a, r) => a + r[j], 0) / irisX.length);
    const sd = m.map((mj, j) => Math.sqrt(irisX.reduce((a, r) => a + (r[j] - mj) ** 2, 0) / irisX.length));
    const Z = irisX.map((r) => r.map((v, j) => (v - m[j]) / sd[j]));
    const z = new GaussianMixture({ nComponents: 3, covarianceType: 'spherical', seed: 0 }).fit(Z);
    const zv = z.covariances as Float64Array;
    const sv = saved.covariances as Float64Array[];
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < d; j++) {
        expect(saved.means[k][j]).toBeCloseTo(m[j] + sd[j] * z.means[k][j], 6);
        expect(sv[k][j]).toBeCloseTo(zv[k] * sd[j] ** 2, 6);
      }
    for (const flag of [['--standardize'], ['--pairs', 'p.svg']]) {
      const online = run(['fit', irisPath, '-k', '3', '--columns', '1-4', '--online', ...flag]);
      expect(online.code).toBe(2);
      expect(online.stderr).toContain(`${flag[0]} needs the data in memory, which --online does not keep`);
    }
    const bad = run(['fit', irisPath, '-k', '3', '--columns', '1-4', '--covariance', 'VEV', '--standardize']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--standardize works with --covariance full, tied, diag, spherical');
  });
});

describe('with a noise component', () => {
  it('the clustering summary has a noise column (predict −1) and the pairs plot draws its rows in grey', () => {
    const r = run(['fit', faithfulPath, '-k', '2', '--noise', '--seed', '0', '--pairs', 'noise-pairs.svg']);
    expect(r.code, r.stderr).toBe(0);
    const header = /^ *component +0 +1 +noise$/m.exec(r.stdout);
    expect(header).not.toBeNull();
    const size = /^ *size +(\d+) +(\d+) +(\d+)$/m.exec(r.stdout);
    expect(size).not.toBeNull();
    const [a, b, noise] = size!.slice(1).map(Number);
    expect(a + b + noise).toBe(272);
    expect(noise).toBeGreaterThan(0);
    const svg = readFileSync(file('noise-pairs.svg'), 'utf8');
    expect((svg.match(/fill="#9a9a9a"/g) ?? []).length).toBe(noise);
    const bad = run(['fit', faithfulPath, '-k', '2', '--noise', '--standardize']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--standardize cannot be used with --noise yet');
  });
});
