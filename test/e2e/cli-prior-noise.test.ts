/**
 * The CLI's --prior, --noise and --noise-volume on fit, predict and select: the fit equals the library's with the
 * same options, predict --proba has the noise column last, select lists the models mclust has no prior for as
 * failed and the noise rows under the chosen model. Spawns the built dist/cli.js (`npm test` builds first).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index.js';
import { contaminatedMixture } from '../helpers/contaminated.js';
import { cliSandbox } from '../helpers/cli.js';

const sandbox = cliSandbox('gaussmix-cli-prior-noise-');
const { run } = sandbox;
const c = contaminatedMixture(6, 300, 2, 2, 0.1);

beforeAll(() => {
  writeFileSync(join(sandbox.dir, 'c.csv'), `x,y\n${c.X.map((r) => r.map(String).join(',')).join('\n')}\n`);
});

describe('gaussmix with --prior and --noise', () => {
  it('fit saves the model the library fits with the same options; predict --proba has the noise column last', () => {
    const r = run(['fit', 'c.csv', '-k', '2', '--prior', '--noise', '--out', 'm.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/noise: weight 0\.\d{4}, uniform over volume/);
    const saved = GaussianMixture.fromJSON(readFileSync(join(sandbox.dir, 'm.json'), 'utf8'));
    const lib = new GaussianMixture({ nComponents: 2, prior: true, noise: true }).fit(c.X);
    expect(saved.noiseWeight).toBeCloseTo(lib.noiseWeight!, 12);
    expect(saved.means).toEqual(lib.means);
    const p = run(['predict', 'm.json', 'c.csv', '--proba']);
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.trim().split('\n');
    expect(lines[0]).toBe('component,p0,p1,p_noise');
    const labels = lines.slice(1).map((l) => Number(l.split(',')[0]));
    expect(labels).toEqual(Array.from(lib.predict(c.X)));
    expect(labels).toContain(-1);
  });

  it('--noise-volume sets the volume; a bad one is a usage error', () => {
    const r = run(['fit', 'c.csv', '-k', '2', '--noise-volume', '5000', '--out', 'v.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(GaussianMixture.fromJSON(readFileSync(join(sandbox.dir, 'v.json'), 'utf8')).noiseVolume).toBeCloseTo(
      5000,
      9,
    );
    expect(run(['fit', 'c.csv', '-k', '2', '--noise-volume', '-1']).code).toBe(2);
    const b = run(['fit', 'c.csv', '--bayesian', '--noise']);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/--noise is not available with --bayesian/);
  });

  it('select takes both: EVE fails under a prior, the noise rows are reported', () => {
    const r = run(['select', 'c.csv', '--k', '1..3', '--models', 'VVV,EVE', '--prior', '--noise']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/EVE: covarianceType 'EVE' takes no prior/);
    expect(r.stdout).toMatch(/component\s+0\s+1\s+noise/);
  });
});
