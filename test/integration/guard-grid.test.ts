/**
 * The guard grid: every fitted parameter of a fixed grid of fits, recorded before the architecture change
 * (test/fixtures/guard-grid.json) and required to stay identical (1e-12 relative to each array's largest entry).
 * Refactoring must not move results; an intended change of results regenerates the file with
 * `npm run fixtures:guard` and says why in its commit.
 *
 * Grid: four real data sets (Old Faithful, iris, and mclust's diabetes and banknote, exported by
 * scripts/export-mclust-data.R) × the four covariance types × the four initialisations × two seeds × both backends,
 * plus variants that exercise other paths (sample weights, hard EM, restarts, frozen groups, a warm start, fitStream,
 * fitAsync, inference, sampling) and k-means.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pinKernelVariant } from '../../src/backends/wasm.js';
import { GaussianMixture, kmeans, type GaussianMixtureOptions } from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';

// The fixture holds the baseline build's bits; where the engine has relaxed SIMD (Node ≥ 22) the fused build would be
// chosen, whose results differ by rounding (kernels.test.ts holds it to 1e-10 of the twin).
pinKernelVariant('simd');

const RECORD = process.env.RECORD_GUARD_GRID === '1';
const FIXTURE = new URL('../fixtures/guard-grid.json', import.meta.url);
const RTOL = 1e-12;

function csv(name: string): number[][] {
  const lines = readFileSync(new URL(`../../data/${name}.csv`, import.meta.url), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  return lines.map((l) =>
    l
      .split(',')
      .map(Number)
      .filter((_, j, row) => !(name === 'iris' && j === row.length - 1)),
  );
}

const DATA: Record<string, { X: number[][]; k: number }> = {
  faithful: { X: csv('faithful'), k: 3 },
  iris: { X: csv('iris'), k: 3 },
  diabetes: { X: csv('diabetes'), k: 3 },
  banknote: { X: csv('banknote'), k: 2 },
};
const COV = ['full', 'tied', 'diag', 'spherical'] as const;
const INITS = ['kmeans', 'k-means++', 'random', 'random_from_data'] as const;
const SEEDS = [0, 7];
const BACKENDS = ['js', 'wasm'] as const;

type Result = Record<string, unknown>;

function fitted(gm: GaussianMixture): Result {
  return {
    weights: Array.from(gm.weights),
    means: gm.means.map((m) => Array.from(m)),
    covariances: flatten(gm.covariances),
    precisionsCholesky: flatten(gm.precisionsCholesky),
    lowerBound: gm.lowerBound,
    nIter: gm.nIter,
    converged: gm.converged,
  };
}

function flatten(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  const out: number[] = [];
  for (const x of Array.from(v as ArrayLike<unknown>)) out.push(...flatten(x));
  return out;
}

/** Runs a case; a typed failure is a result too (it must stay the same failure). */
async function run(fn: () => Promise<Result> | Result): Promise<Result> {
  try {
    return await fn();
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

interface Case {
  name: string;
  run: () => Promise<Result> | Result;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const [set, { X, k }] of Object.entries(DATA)) {
    for (const covarianceType of COV) {
      for (const initParams of INITS) {
        for (const seed of SEEDS) {
          for (const backend of BACKENDS) {
            const o: GaussianMixtureOptions = { nComponents: k, covarianceType, initParams, seed, backend };
            out.push({
              name: `${set}/${covarianceType}/${initParams}/seed ${seed}/${backend}`,
              run: () => fitted(new GaussianMixture(o).fit(X)),
            });
          }
        }
      }
    }
    for (const backend of BACKENDS) {
      for (const seed of SEEDS) {
        out.push({
          name: `${set}/kmeans/seed ${seed}/${backend}`,
          run: () => {
            const r = kmeans(X, k + 1, { seed, backend, nInit: 2 });
            return {
              centers: r.centers.map((c) => Array.from(c)),
              labels: Array.from(r.labels),
              inertia: r.inertia,
              nIter: r.nIter,
              converged: r.converged,
            };
          },
        });
      }
    }
  }
  const F = DATA.faithful.X;
  const I = DATA.iris.X;
  const B = DATA.banknote.X;
  for (const backend of BACKENDS) {
    const base = { nComponents: 3, backend, seed: 3 } as const;
    for (const covarianceType of COV) {
      const o = { ...base, covarianceType };
      const w = F.map((_, i) => 1 + (i % 3));
      out.push({
        name: `faithful/${covarianceType}/sampleWeight/${backend}`,
        run: () => fitted(new GaussianMixture(o).fit(F, { sampleWeight: w })),
      });
      out.push({
        name: `iris/${covarianceType}/hard/${backend}`,
        run: () => fitted(new GaussianMixture({ ...o, algorithm: 'hard' }).fit(I)),
      });
      out.push({
        name: `iris/${covarianceType}/nInit 3/${backend}`,
        run: () => fitted(new GaussianMixture({ ...o, nInit: 3 }).fit(I)),
      });
      out.push({
        name: `banknote/${covarianceType}/freeze weights/${backend}`,
        run: () => fitted(new GaussianMixture({ ...o, freeze: ['weights'] }).fit(B)),
      });
      out.push({
        name: `faithful/${covarianceType}/warm start/${backend}`,
        run: () => {
          const gm = new GaussianMixture({ ...o, maxIter: 3, warmStart: true });
          gm.fit(F);
          return fitted(gm.fit(F));
        },
      });
      out.push({
        name: `iris/${covarianceType}/tol 0, maxIter 25, onDegenerate reset/${backend}`,
        run: () =>
          fitted(new GaussianMixture({ ...o, nComponents: 4, tol: 0, maxIter: 25, onDegenerate: 'reset' }).fit(I)),
      });
      out.push({
        name: `faithful/${covarianceType}/fitStream/${backend}`,
        run: async () => {
          const chunks = () =>
            Array.from({ length: Math.ceil(F.length / 50) }, (_, i) => F.slice(i * 50, (i + 1) * 50));
          return fitted(await new GaussianMixture(o).fitStream(chunks));
        },
      });
      out.push({
        name: `banknote/${covarianceType}/fitAsync 2 workers/${backend}`,
        run: async () => fitted(await new GaussianMixture(o).fitAsync(B, { workers: 2 })),
      });
      out.push({
        name: `iris/${covarianceType}/inference and sampling/${backend}`,
        run: () => {
          const gm = new GaussianMixture(o).fit(I);
          const s = gm.sample(7, { seed: 5 });
          return {
            predict: Array.from(gm.predict(I)),
            proba: gm.predictProba(I.slice(0, 20)).map((r) => Array.from(r)),
            scoreSamples: Array.from(gm.scoreSamples(I)),
            bic: gm.bic(I),
            aic: gm.aic(I),
            sample: s.X.map((r) => Array.from(r)),
            sampleLabels: Array.from(s.y),
            json: JSON.parse(JSON.stringify(GaussianMixture.fromJSON(gm.toJSON()).toJSON())),
          };
        },
      });
    }
  }
  for (const backend of BACKENDS) {
    // degenerate fits must keep failing with the same typed error
    out.push({
      name: `diabetes/full/K 9, regCovar 0/${backend}`,
      run: () => fitted(new GaussianMixture({ nComponents: 9, regCovar: 0, seed: 1, backend }).fit(DATA.diabetes.X)),
    });
    out.push({
      name: `faithful/spherical/K 40, regCovar 0/${backend}`,
      run: () =>
        fitted(
          new GaussianMixture({ nComponents: 40, covarianceType: 'spherical', regCovar: 0, backend }).fit(
            F.slice(0, 60),
          ),
        ),
    });
  }
  return out;
}

function compare(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected) && expected.every((v) => typeof v === 'number')) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    if ((expected as number[]).length > 0) expectClose(actual as number[], expected as number[], RTOL, path);
    else expect(actual).toEqual(expected);
  } else if (typeof expected === 'number') {
    if (!Number.isFinite(expected)) expect(actual, path).toBe(expected);
    else expectClose([actual as number], [expected], RTOL, path);
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), `${path}: keys`).toEqual(Object.keys(expected).sort());
    for (const [key, v] of Object.entries(expected))
      compare((actual as Record<string, unknown>)[key], v, `${path}.${key}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

const all = cases();

if (RECORD) {
  it('records the guard grid', async () => {
    const results: Record<string, Result> = {};
    for (const c of all) results[c.name] = await run(c.run);
    writeFileSync(
      FIXTURE,
      `${JSON.stringify({ note: 'written by test/integration/guard-grid.test.ts (npm run fixtures:guard)', results })}\n`,
    );
  }, 600_000);
} else {
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { results: Record<string, Result> };
  describe('guard grid: results unchanged since they were recorded', () => {
    it('covers every recorded case', () => {
      expect(all.map((c) => c.name).sort()).toEqual(Object.keys(recorded.results).sort());
    });
    it.each(all.map((c) => [c.name, c] as const))('%s', async (name, c) => {
      compare(await run(c.run), recorded.results[name], name);
    });
  });
}
