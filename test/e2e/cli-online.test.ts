/**
 * `gaussmix fit --online` end to end (the built dist/cli.js): batches read from a file or stdin by the shared CSV
 * reader, the model equal to the library's partialFit over the same batches, the saved running state continuing in
 * the library, progress on stderr only when asked, and the usage and data errors with their exit codes (2 usage,
 * 1 data), in the command line's terms (flags, file, batch, lines).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index.js';
import { cliSandbox } from '../helpers/cli.js';

const faithfulPath = fileURLToPath(new URL('../../data/faithful.csv', import.meta.url));
const faithfulText = readFileSync(faithfulPath, 'utf8');
const faithful = faithfulText
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));

const sandbox = cliSandbox('gaussmix-online-cli-');
const { run, runAsync } = sandbox;

/**
 * The library's partialFit over faithful in batches of `size` (the reference the CLI must reproduce), named by the
 * file's header as the CLI names them.
 */
function library(
  size: number,
  options = {},
  featureNames: string[] | null = ['eruptions', 'waiting'],
): GaussianMixture {
  const gm = new GaussianMixture({ nComponents: 2, seed: 0, backend: 'js', ...options });
  for (let s = 0; s < faithful.length; s += size) gm.partialFit(faithful.slice(s, s + size), { featureNames });
  return gm;
}

describe('gaussmix fit --online', () => {
  it('fits batch by batch, prints the model and saves it with its running state', () => {
    const r = run([
      'fit',
      faithfulPath,
      '-k',
      '2',
      '--online',
      '--batch-size',
      '50',
      '--backend',
      'js',
      '--out',
      'm.json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('272 rows × 2 features (eruptions, waiting)');
    expect(r.stdout).toMatch(
      /online EM: 6 batches of up to 50 rows, learning rate \(t \+ 1\)\^-0\.6; mean log-likelihood of the last batch -\d/,
    );
    expect(r.stdout).toContain('component 1: weight');
    expect(r.stdout).not.toContain('BIC'); // the data are not kept
    const saved = JSON.parse(readFileSync(join(sandbox.dir, 'm.json'), 'utf8'));
    expect(saved).toEqual(JSON.parse(JSON.stringify(library(50).toJSON())));
    expect([saved.online.nSeen, saved.online.nBatches]).toEqual([272, 6]);
    expect(saved.featureNames, 'the header names the features').toEqual(['eruptions', 'waiting']);
    // the library continues the saved model exactly as if it had read the rows itself
    const more = faithful.slice(0, 40);
    const resumed = GaussianMixture.fromJSON(saved).partialFit(more);
    expect(JSON.stringify(resumed.toJSON())).toBe(JSON.stringify(library(50).partialFit(more).toJSON()));
  });

  it('reads stdin, honours --learning-rate, --columns and --weights', () => {
    const lines = faithfulText.trim().split('\n');
    const text = [
      'w;waiting;eruptions',
      ...lines.slice(1).map((l, i) => `${1 + (i % 2)};${l.split(',').reverse().join(';')}`),
    ];
    const r = run(
      [
        'fit',
        '-',
        '-k',
        '2',
        '--online',
        '--batch-size',
        '100',
        '--learning-rate',
        '0.3',
        '--backend',
        'js',
        '--columns',
        'eruptions,waiting',
        '--weights',
        'w',
        '--out',
        's.json',
      ],
      `${text.join('\n')}\n`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<stdin>: 272 rows × 2 features (eruptions, waiting)');
    expect(r.stdout).toContain('learning rate constant 0.3');
    const gm = new GaussianMixture({ nComponents: 2, seed: 0, backend: 'js', learningRate: 0.3 });
    for (let s = 0; s < faithful.length; s += 100) {
      const X = faithful.slice(s, s + 100);
      gm.partialFit(X, { sampleWeight: X.map((_, i) => 1 + ((s + i) % 2)), featureNames: ['eruptions', 'waiting'] });
    }
    expect(JSON.parse(readFileSync(join(sandbox.dir, 's.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(gm.toJSON())),
    );
  });

  it('reports progress on stderr with --progress', () => {
    const r = run(['fit', faithfulPath, '-k', '2', '--online', '--batch-size', '30', '--progress']);
    expect(r.code).toBe(0);
    // one line per second and the last one: at least the final state
    expect(r.stderr).toMatch(/online: batch 10 \| 272 rows \| batch mean log-lik -\d+\.\d+ \(before its update\)\n$/);
  });

  it('refuses what it cannot do, with usage (2) and data (1) exit codes', async () => {
    const cases: [string[], number, RegExp, string?][] = [
      [
        ['fit', faithfulPath, '-k', '2', '--batch-size', '10'],
        2,
        /--batch-size applies to online learning: add --online/,
      ],
      [['fit', faithfulPath, '-k', '2', '--learning-rate', '0.1'], 2, /--learning-rate applies to online learning/],
      [['fit', faithfulPath, '-k', '2', '--online', '--learning-rate', '0'], 2, /expected a number in \(0, 1\]/],
      [['fit', faithfulPath, '-k', '2', '--online', '--batch-size', '0'], 2, /expected an integer ≥ 1/],
      [['fit', faithfulPath, '-k', '2', '--online', '--plot', 'p.svg'], 2, /--plot needs the data in memory/],
      [['fit', faithfulPath, '--online', '--bayesian'], 2, /--bayesian has no online mode/],
      [['fit', faithfulPath, '-k', '2', '--online', '--columns', 'nope'], 2, /no column named 'nope'/],
      [['fit', 'missing.csv', '-k', '2', '--online'], 1, /cannot read data file 'missing.csv': no such file/],
      [
        ['fit', faithfulPath, '-k', '2', '--online', '--batch-size', '1'],
        1,
        /faithful\.csv: batch 1 \(lines 2–2\): -k = 2 needs at least 2 samples; got 1/,
      ],
      [
        ['fit', '-', '-k', '2', '--online'],
        1,
        /<stdin>: batch 1 \(lines 2–4\): .*only 1 distinct row but -k = 2: .* --on-degenerate reset/,
        'a,b\n1,2\n1,2\n1,2\n',
      ],
      [['fit', '-', '-k', '2', '--online'], 1, /<stdin>: line 3, column 'b': 'x' is not a number/, 'a,b\n1,2\n3,x\n'],
      [['fit', '-', '-k', '2', '--online'], 1, /<stdin>: no data \(the input is empty\)/, ''],
    ];
    const results = await Promise.all(cases.map(([args, , , input]) => runAsync(args, input)));
    for (const [i, [args, code, message]] of cases.entries()) {
      const r = results[i];
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('reads whitespace- and tab-separated input, a header or none, and a last batch shorter than the others', () => {
    const body = faithful.map((r) => r.join('   ')).join('\n');
    const spaced = run(
      [
        'fit',
        '-',
        '-k',
        '2',
        '--online',
        '--batch-size',
        '100',
        '--delimiter',
        'space',
        '--backend',
        'js',
        '--out',
        'a.json',
      ],
      body,
    );
    expect(spaced.code).toBe(0);
    expect(spaced.stdout).toContain('272 rows × 2 features (x1, x2)');
    const tabbed = run(
      ['fit', '-', '-k', '2', '--online', '--batch-size', '100', '--backend', 'js', '--out', 'b.json'],
      faithfulText.replaceAll(',', '\t'),
    );
    expect(tabbed.code).toBe(0);
    const a = JSON.parse(readFileSync(join(sandbox.dir, 'a.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(sandbox.dir, 'b.json'), 'utf8'));
    // without a header the columns are x1, x2: no names are stored
    expect(a).toEqual(JSON.parse(JSON.stringify(library(100, {}, null).toJSON())));
    expect(b).toEqual(JSON.parse(JSON.stringify(library(100).toJSON())));
  });
});
