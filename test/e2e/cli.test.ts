/**
 * The `gaussmix` CLI end to end: spawns the built dist/cli.js (`npm test` builds first) and checks output, files
 * and exit codes (0 ok, 1 data/fit error, 2 usage error). Reference values come from the library itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index.js';
import { cliSandbox } from '../helpers/cli.js';
import { mixture } from '../helpers/data.js';

const faithfulPath = fileURLToPath(new URL('../../data/faithful.csv', import.meta.url));
const faithfulText = readFileSync(faithfulPath, 'utf8');
const faithful = faithfulText
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));

const sandbox = cliSandbox('gaussmix-cli-');
const { run, runAsync, file } = sandbox;

const csvRows = (s: string): string[][] =>
  s
    .trim()
    .split('\n')
    .map((l) => l.split(','));

beforeAll(() => {
  const model = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(faithful);
  file('model.json', JSON.stringify(model.toJSON()));
});

describe('gaussmix fit', () => {
  it('prints a readable summary, saves the model and the plot; stderr stays clean without a terminal', () => {
    const r = run(['fit', faithfulPath, '-k', '2', '--out', 'fit.json', '--plot', 'fit.svg']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const s of [
      '272 rows × 2 features (eruptions, waiting)',
      'component 0: weight',
      'component 1: weight',
      'mean',
      'covariance',
      'log-likelihood:',
      'BIC:',
      'AIC:',
      'converged: true',
      'backend',
      'model saved to fit.json',
      'plot saved to fit.svg',
    ]) {
      expect(r.stdout).toContain(s);
    }
    const saved = GaussianMixture.fromJSON(readFileSync(file('fit.json'), 'utf8'));
    const ref = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(faithful);
    expect(Array.from(saved.weights)).toEqual(Array.from(ref.weights));
    expect(r.stdout).toContain(ref.bic(faithful).toFixed(4));
    const svg = readFileSync(file('fit.svg'), 'utf8');
    expect((svg.match(/<circle/g) ?? []).length).toBe(272);
    expect((svg.match(/<ellipse/g) ?? []).length).toBe(4);
  });

  it('reads the same data with or without a header, comma or tab, from a file or stdin', () => {
    const noHeader = faithfulText.split('\n').slice(1).join('\n');
    const tabbed = faithfulText.replace(/,/g, '\t');
    const fits = [
      run(['fit', file('plain.csv', noHeader), '-k', '2', '--out', 'a.json']),
      run(['fit', file('tabbed.tsv', tabbed), '-k', '2', '--out', 'b.json']),
      run(['fit', '-', '-k', '2', '--out', 'c.json'], tabbed),
      run(['fit', '-', '-k', '2', '--out', 'd.json', '--delimiter', 'comma', '--no-header'], noHeader),
    ];
    for (const r of fits) expect(r.code, r.stderr).toBe(0);
    expect(fits[0].stdout).toContain('(x1, x2)');
    expect(fits[1].stdout).toContain('(eruptions, waiting)');
    expect(fits[2].stdout).toContain('<stdin>: 272 rows');
    const means = ['a', 'b', 'c', 'd'].map((n) => JSON.parse(readFileSync(file(`${n}.json`), 'utf8')).means);
    for (const m of means) expect(m).toEqual(means[0]);
  });

  it('selects columns by name or 1-based index and takes sample weights from a column', () => {
    const iris = fileURLToPath(new URL('../../data/iris.csv', import.meta.url));
    const a = run([
      'fit',
      iris,
      '--columns',
      'petal_length,petal_width',
      '-k',
      '3',
      '--covariance',
      'diag',
      '--out',
      'i1.json',
    ]);
    const _b = run(['fit', iris, '--columns', '3-4', '-k', '3', '--covariance', 'diag', '--out', 'i2.json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('(petal_length, petal_width)');
    expect(JSON.parse(readFileSync(file('i1.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(file('i2.json'), 'utf8')),
    );
    const weighted = run([
      'fit',
      file('w.csv', 'x,y,w\n0,0,1\n0.1,0.2,2\n5,5,1\n5.2,5.1,3\n0.2,0.1,1\n5.1,4.9,1\n'),
      '-k',
      '2',
      '--weights',
      'w',
      '--out',
      'w.json',
    ]);
    expect(weighted.code, weighted.stderr).toBe(0);
    expect(weighted.stdout).toContain('(x, y)');
    expect(JSON.parse(readFileSync(file('w.json'), 'utf8')).nFeatures).toBe(2);
  });

  it("--init-sample sets what a large file's sampled k-means start does (the library's initSample)", () => {
    const { X } = mixture(8, 9000, 2, 3, 3);
    file('large.csv', `x,y\n${X.map((r) => r.join(',')).join('\n')}\n`);
    for (const initSample of ['em', 'kmeans', 'none'] as const) {
      const r = run(['fit', 'large.csv', '-k', '3', '--init-sample', initSample, '--out', `large-${initSample}.json`]);
      expect(r.code, r.stderr).toBe(0);
      const saved = GaussianMixture.fromJSON(readFileSync(file(`large-${initSample}.json`), 'utf8'));
      const ref = new GaussianMixture({ nComponents: 3, seed: 0, initSample }).fit(X);
      expect(Array.from(saved.weights)).toEqual(Array.from(ref.weights));
      expect(saved.nIter).toBe(ref.nIter);
    }
  });

  it('shows progress on stderr with --progress (one line per second at most, plus the last)', () => {
    const r = run(['fit', faithfulPath, '-k', '3', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/EM iter \d+\/100 \| run 1\/1 \| mean log-lik -4\.\d+ \| change/);
    expect(r.stdout).not.toContain('EM iter');
  });
});

describe('gaussmix predict / score / anomalies / sample', () => {
  const ref = () => GaussianMixture.fromJSON(readFileSync(file('model.json'), 'utf8'));

  it('predict prints one label per row, with a header when the input has one', () => {
    const r = run(['predict', 'model.json', faithfulPath]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('component');
    expect(lines.slice(1).map(Number)).toEqual(Array.from(ref().predict(faithful)));
    const bare = run(['predict', 'model.json', '-'], faithfulText.split('\n').slice(1).join('\n'));
    expect(bare.stdout.trim().split('\n')).toEqual(lines.slice(1));
  });

  it('predict --proba adds responsibilities that sum to 1', () => {
    const r = run(['predict', 'model.json', faithfulPath, '--proba']);
    const rows = csvRows(r.stdout);
    expect(rows[0]).toEqual(['component', 'p0', 'p1']);
    expect(rows).toHaveLength(273);
    for (const row of rows.slice(1)) expect(Number(row[1]) + Number(row[2])).toBeCloseTo(1, 12);
  });

  it('score prints log p(x) per row', () => {
    const r = run(['score', 'model.json', faithfulPath]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('log_likelihood');
    expect(lines.slice(1).map(Number)).toEqual(Array.from(ref().scoreSamples(faithful)));
  });

  it('anomalies --contamination flags the lowest-scoring rows of the data given', () => {
    const r = run(['anomalies', 'model.json', faithfulPath, '--contamination', '0.05']);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    expect(rows[0]).toEqual(['row', 'line', 'log_likelihood', 'eruptions', 'waiting']);
    // 272 distinct scores, quantile position 0.05·271 = 13.55 → the 14 lowest.
    expect(rows).toHaveLength(1 + 14);
    const t = ref().anomalyThreshold(faithful, 0.05);
    expect(r.stderr).toContain(`threshold ${t}`);
    for (const row of rows.slice(1)) {
      expect(Number(row[2])).toBeLessThan(t);
      expect(Number(row[1])).toBe(Number(row[0]) + 1); // the header is line 1
      expect(faithful[Number(row[0]) - 1]).toEqual([Number(row[3]), Number(row[4])]);
    }
  });

  it('anomalies --threshold uses the given log-density', () => {
    const r = run(['anomalies', 'model.json', faithfulPath, '--threshold', '-7']);
    const expected = Array.from(ref().scoreSamples(faithful)).filter((s) => s < -7).length;
    expect(csvRows(r.stdout)).toHaveLength(1 + expected);
  });

  it('sample draws reproducible rows', () => {
    const a = run(['sample', 'model.json', '-n', '50', '--seed', '3']);
    const b = run(['sample', 'model.json', '-n', '50', '--seed', '3']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const rows = csvRows(a.stdout);
    expect(rows[0]).toEqual(['x1', 'x2']);
    expect(rows).toHaveLength(51);
    const labelled = csvRows(run(['sample', 'model.json', '-n', '5', '--labels']).stdout);
    expect(labelled[0]).toEqual(['x1', 'x2', 'component']);
  });
});

describe('gaussmix select', () => {
  it('prints the BIC table with the best marked, saves the best model and the curve', () => {
    const r = run([
      'select',
      faithfulPath,
      '--k',
      '1..4',
      '--covariance',
      'full,tied',
      '--out',
      'best.json',
      '--plot',
      'bic.svg',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/BIC by number of components K/);
    expect(r.stdout).toMatch(/^K\s+full\s+tied/m);
    expect(r.stdout).toMatch(/^4\s/m);
    expect(r.stdout.match(/\*/g)!.length).toBe(2); // the marked cell and the footnote
    const best = /\* best: K = (\d), (\w+)/.exec(r.stdout)!;
    const saved = JSON.parse(readFileSync(file('best.json'), 'utf8'));
    expect(saved.nComponents).toBe(Number(best[1]));
    expect(saved.covarianceType).toBe(best[2]);
    expect(readFileSync(file('bic.svg'), 'utf8')).toContain('<svg');
  });

  it("--models all: mclust's fourteen models, the top three and the chosen model's clusters", () => {
    const r = run(['select', faithfulPath, '--k', '1..3', '--models', 'all', '--init', 'hc']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^K\s+EII\s+VII\s+EEI\s+VEI\s+EVI\s+VVI\s+EEE\s+VEE\s+EVE\s+VVE\s+EEV\s+VEV\s+EVV\s+VVV$/m,
    );
    expect(r.stdout).toContain("(mclust's BIC = −1 × these)");
    expect(r.stdout).toMatch(
      /Top 3 models by BIC:\n1\.\s+EEE,\s+K = 3\s+2314\.\d\d\n2\.\s+VVE,\s+K = 2\s+2320\.\d\d\s+\(\+\d\.\d\d\)/,
    );
    expect(r.stdout).toMatch(/Chosen: EEE with K = 3/);
    expect(r.stdout).toMatch(/^\s*size(\s+\d+){3}$/m);
    expect(r.stdout).toMatch(/^proportion(\s+0\.\d{4}){3}$/m);
    const icl = run(['select', faithfulPath, '--k', '2', '--models', 'VVV,full', '--criterion', 'icl']);
    expect(icl.code, icl.stderr).toBe(0);
    expect(icl.stdout).toMatch(/^K\s+VVV\s+full$/m);
    expect(icl.stdout).toContain('ICL by number of components');
    expect(run(['select', faithfulPath, '--models', 'all', '--covariance', 'full']).code).toBe(2);
  });

  it('--criterion cv reports the held-out log-likelihood, higher is better', () => {
    const r = run([
      'select',
      faithfulPath,
      '--k',
      '1,2,3',
      '--covariance',
      'full',
      '--criterion',
      'cv',
      '--folds',
      '3',
      '--seed',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('held-out log-likelihood per row');
    expect(r.stdout).toContain('higher is better');
  });

  it('shows failed candidates in the table', () => {
    const dup = file('dup.csv', '1,1\n1,1\n1,1\n2,2\n2,2\n3,3\n3,3\n3,3\n');
    const r = run(['select', dup, '--k', '1..3', '--covariance', 'full,spherical', '--reg-covar', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('failed');
    expect(r.stdout).toMatch(/candidates? failed/);
  });
});

describe('gaussmix demo', () => {
  it('fits Old Faithful, chooses K by BIC and writes faithful.svg', () => {
    const r = run(['demo', '--out-dir', join(sandbox.dir, 'demo')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Old Faithful: 272 eruptions × 2 features (eruptions, waiting)');
    expect(r.stdout).toContain("GaussianMixture(nComponents: 2, covarianceType: 'full'");
    expect(r.stdout, 'the CLI runs the wasm kernels, not the fallback').toContain('on the wasm backend');
    expect(r.stdout).toMatch(/^K\s+full\s+tied\s+diag\s+spherical/m);
    expect(r.stdout).toMatch(/^6\s/m);
    const svg = readFileSync(join(sandbox.dir, 'demo', 'faithful.svg'), 'utf8');
    expect((svg.match(/<circle/g) ?? []).length).toBe(272);
  });
});

describe('errors and exit codes', () => {
  it('a bad value in the CSV is a data error (exit 1) naming the line and column', () => {
    const r = run(['fit', file('bad.csv', 'a,b\n1,2\n3,4\n5,x\n6,7\n'), '-k', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.csv: line 4, column 'b': 'x' is not a number");
    expect(r.stdout).toBe('');
  });

  it('a ragged row, an empty field, a missing file and an unclosed quote are data errors', () => {
    const ragged = run(['fit', file('ragged.csv', '1,2\n3,4\n5,6,7\n'), '-k', '1']);
    expect(ragged.code).toBe(1);
    expect(ragged.stderr).toContain('line 3: expected 2 fields (as on line 1), got 3');
    const empty = run(['fit', '-', '-k', '1'], 'a,b\n1,2\n\n3,\n');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("<stdin>: line 4, column 'b' is empty");
    const missing = run(['fit', 'nope.csv', '-k', '1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read data file 'nope.csv': no such file");
    const quote = run(['fit', '-', '-k', '1'], '1,2\n3,"4\n');
    expect(quote.code).toBe(1);
    expect(quote.stderr).toMatch(/line \d+: a quoted field is never closed/);
  });

  it('model and fit problems exit 1', () => {
    const badModel = run(['score', file('bad.json', '{"format":"nope"}'), faithfulPath]);
    expect(badModel.code).toBe(1);
    expect(badModel.stderr).toContain('bad.json: invalid gaussmix model');
    const width = run(['predict', 'model.json', fileURLToPath(new URL('../../data/iris.csv', import.meta.url))]);
    expect(width.code).toBe(1);
    expect(width.stderr).toContain('pick them with --columns');
    const collapse = run(['fit', file('dup2.csv', '1,1\n1,1\n2,2\n2,2\n'), '-k', '3', '--reg-covar', '0']);
    expect(collapse.code).toBe(1);
    expect(collapse.stderr).toMatch(/^gaussmix: error: /);
  });

  it('usage errors exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['fit', faithfulPath], /required option '-k, --k <n>'/],
      [['fit', faithfulPath, '-k', 'two'], /argument 'two' is invalid/],
      [['fit', faithfulPath, '-k', '0'], /integer ≥ 1/],
      [['fit', faithfulPath, '-k', '2', '--covariance', 'round'], /Allowed choices are full, tied, diag, spherical/],
      [['fit', faithfulPath, '-k', '2', '--bogus'], /unknown option '--bogus'/],
      [['fit', faithfulPath, '-k', '2', '--columns', 'height'], /no column named 'height'/],
      [['fit', faithfulPath, '-k', '2', '--tol', '-1'], /--tol/],
      [['fit', faithfulPath, '-k', '2', '--init-sample', 'all'], /Allowed choices are em, kmeans, none/],
      [['fit', faithfulPath, '--bayesian', '--init-sample', 'none'], /--init-sample does not apply to --bayesian/],
      [['select', faithfulPath, '--k', '3..1'], /bad range/],
      [['select', faithfulPath, '--covariance', 'full,round'], /round/],
      [['anomalies', 'model.json', faithfulPath], /exactly one of --contamination/],
      [['anomalies', 'model.json', faithfulPath, '--contamination', '0.1', '--threshold', '-5'], /exactly one/],
      [['anomalies', 'model.json', faithfulPath, '--contamination', '0.9'], /\(0, 0\.5\]/],
      [['sample', 'model.json'], /required option '-n, --n <count>'/],
      [['predict', 'model.json'], /missing required argument 'data'/],
      [['fit', faithfulPath, faithfulPath, '-k', '2'], /shards of a distributed fit: add --redis URL/],
      [['fit', faithfulPath, '-k', '2', '--checkpoint', 'run1'], /--checkpoint and --prefix need --redis URL/],
      [['fit', '--redis', 'http://127.0.0.1:1', faithfulPath, '-k', '2'], /redis:\/\/ or rediss:\/\/ URL/],
      [['fit', '--redis', 'redis://127.0.0.1:1', faithfulPath, '-k', '2', '--plot', 'x.svg'], /--plot needs the rows/],
      [
        ['fit', '--redis', 'redis://127.0.0.1:1', faithfulPath, '-k', '2', '--missing', 'marginalize'],
        /not supported by fitDistributed yet/,
      ],
      [['fit', '--redis', 'redis://127.0.0.1:1', faithfulPath, '--bayesian'], /--bayesian cannot be used with --redis/],
      [
        ['fit', '--redis', 'redis://127.0.0.1:1', faithfulPath, '-k', '2', '--online'],
        /--online cannot be used with --redis/,
      ],
      [['worker'], /required option '--redis <url>'/],
      [['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0'], /integer ≥ 1/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [[], /Usage: gaussmix/],
    ];
    const results = await Promise.all(cases.map(([args]) => runAsync(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i];
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('--help works for the program and every command (exit 0)', async () => {
    const top = run(['--help']);
    expect(top.code).toBe(0);
    const commands = ['fit', 'predict', 'score', 'anomalies', 'sample', 'select', 'demo', 'worker'];
    const helps = await Promise.all(commands.map((cmd) => runAsync([cmd, '--help'])));
    for (const [i, cmd] of commands.entries()) {
      expect(top.stdout).toContain(cmd);
      const r = helps[i];
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toContain(`Usage: gaussmix ${cmd}`);
    }
    expect(run(['anomalies', '--help']).stdout).toContain('quantile');
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
