/**
 * `gaussmix fit --bayesian` end to end: spawns the built dist/cli.js (`npm test` builds first). It must print the
 * effective number of components, save a BayesianGaussianMixture that the other commands load, and treat flag
 * mistakes as usage errors (exit 2). Reference values come from the library itself, fitted with the same options.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BayesianGaussianMixture } from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { cliSandbox } from '../helpers/cli.js';

const faithfulPath = fileURLToPath(new URL('../../data/faithful.csv', import.meta.url));
const faithful = readFileSync(faithfulPath, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));

const sandbox = cliSandbox('gaussmix-cli-bayesian-');
const { run } = sandbox;

describe('gaussmix fit --bayesian', () => {
  it('prints the effective K of Old Faithful, saves the model, and predict/score/sample load it', () => {
    const r = run(['fit', faithfulPath, '--bayesian', '--max-iter', '500', '--out', 'b.json', '--plot', 'b.svg']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const ref = new BayesianGaussianMixture({ nComponents: 10, maxIter: 500, seed: 0 }).fit(faithful);
    const active = Array.from(ref.activeComponents);
    expect(active.length).toBe(2);
    for (const s of [
      "BayesianGaussianMixture(nComponents: 10, covarianceType: 'full', weightConcentrationPriorType: 'dirichlet_process'",
      `effective K: 2 of 10 components (weight ≥ 0.01: ${active.join(', ')})`,
      `component ${active[0]}: weight ${ref.weights[active[0]].toFixed(4)}`,
      `component ${active[1]}: weight ${ref.weights[active[1]].toFixed(4)}`,
      'lower bound (variational, a sum over rows):',
      'log predictive density:',
      'converged: true',
      'model saved to b.json',
      'plot saved to b.svg',
    ]) {
      expect(r.stdout).toContain(s);
    }
    // the CLI may run another backend than this process: equal to rounding
    const saved = BayesianGaussianMixture.fromJSON(readFileSync(join(sandbox.dir, 'b.json'), 'utf8'));
    expectClose(saved.weights, ref.weights, 1e-10, 'weights');
    expectClose(saved.covariances as never, ref.covariances as never, 1e-10, 'covariances');
    expectClose(saved.lowerBound, ref.lowerBound, 1e-10, 'lowerBound');
    expect(saved.featureNames, 'the header names the features').toEqual(['eruptions', 'waiting']);
    const svg = readFileSync(join(sandbox.dir, 'b.svg'), 'utf8');
    expect(svg).toContain('effective K = 2');
    expect((svg.match(/<ellipse/g) ?? []).length).toBe(4); // 1σ and 2σ of the two active components

    const p = run(['predict', 'b.json', faithfulPath]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n').slice(1).map(Number)).toEqual(Array.from(saved.predict(faithful)));
    const s = run(['score', 'b.json', faithfulPath]);
    expect(s.code, s.stderr).toBe(0);
    expectClose(s.stdout.trim().split('\n').slice(1).map(Number), saved.scoreSamples(faithful), 1e-12, 'score');
    const g = run(['sample', 'b.json', '-n', '5', '--seed', '3']);
    expect(g.code, g.stderr).toBe(0);
    const drawn = g.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    expectClose(drawn, saved.sample(5, { seed: 3 }).X, 1e-12, 'sample');
  });

  it('--max-components, --prior-type dirichlet and --covariance reach the model', () => {
    const r = run([
      'fit',
      faithfulPath,
      '--bayesian',
      '--max-components',
      '4',
      '--prior-type',
      'dirichlet',
      '--covariance',
      'diag',
      '--out',
      'd.json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(sandbox.dir, 'd.json'), 'utf8'));
    expect(saved.format).toBe('gaussmix-bayesian-model');
    expect(saved.nComponents).toBe(4);
    expect(saved.covarianceType).toBe('diag');
    expect(saved.weightConcentrationPriorType).toBe('dirichlet_distribution');
    expect(r.stdout).toMatch(/effective K: \d of 4 components/);
  });

  it('flag mistakes are usage errors (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['fit', faithfulPath, '--bayesian', '-k', '3'], /give the largest number of components as --max-components/],
      [['fit', faithfulPath, '-k', '2', '--prior-type', 'dp'], /--prior-type needs --bayesian/],
      [['fit', faithfulPath, '-k', '2', '--max-components', '5'], /--max-components needs --bayesian/],
      [['fit', faithfulPath, '--bayesian', '--prior-type', 'pitman-yor'], /argument 'pitman-yor' is invalid/],
      [['fit', faithfulPath, '--bayesian', '--max-components', '0'], /--max-components <K>' argument '0' is invalid/],
      [['fit', faithfulPath], /required option '-k, --k <n>'/],
      [['fit', faithfulPath, '--bayesian', '--on-degenerate', 'reset'], /--on-degenerate reset does not apply/],
      [['fit', faithfulPath, '--bayesian', '--missing', 'marginalize'], /--missing marginalize is not available/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
