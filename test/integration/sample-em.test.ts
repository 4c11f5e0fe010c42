/**
 * EM on the k-means sample (initSample 'em', init/sample-em.ts): the start of a large fit is the EM fit of its
 * sample, checked here against an independent route to the same numbers — GaussianMixture fitted on the sample's
 * rows from their nearest-center labels (respInit), then a full fit started from those parameters (weightsInit,
 * meansInit, precisionsInit). Also: the fallback when the sample degenerates, which fits take the sample's EM, and
 * initSample's other values. Tolerances: 1e-10 relative where the two routes add the same terms in another order
 * (the nearest-center statistics come from a kernel pass in one and from JavaScript in the other).
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/backends/index.js';
import { denseRows } from '../../src/data/rows.js';
import { RowServer } from '../../src/drivers/local/row-server.js';
import { driveSync } from '../../src/em/drive.js';
import type { Handlers, Request } from '../../src/em/protocol.js';
import { GaussianMixture, OptionError, type GaussianMixtureOptions } from '../../src/index.js';
import { resolveOptions } from '../../src/api/options.js';
import { sampleStop } from '../../src/em/loop.js';
import { initialParamsSteps } from '../../src/init/init.js';
import type { SampleEmRequest, SampleEmResult } from '../../src/init/sample-em.js';
import { sampleSize } from '../../src/init/sample-kmeans.js';
import type { Params } from '../../src/model/params.js';
import { Random } from '../../src/util/random.js';
import { expectClose } from '../helpers/compare.js';
import { mixture } from '../helpers/data.js';

const k = 3;
const d = 2;
// overlapping clusters (3 standard deviations apart): EM from k-means has work left, so the sample's EM matters
const { X } = mixture(31, sampleSize(k) + 6000, d, k, 3);
const flatX = Float64Array.from(X.flat());
const shape = { n: X.length, d, weighted: false };

/** The initial parameters of a fit with options `o`, and every request initialisation made (with replies). */
function start(
  o: GaussianMixtureOptions,
  override: Partial<Handlers> = {},
): { params: Params; asked: Request['type'][]; sampleEm: { req: SampleEmRequest; reply: SampleEmResult | null }[] } {
  const r = resolveOptions(o);
  const server = new RowServer(denseRows(flatX, d), null, getBackend(r.backend));
  const base = { ...server.handlers, ...override } as Handlers;
  const asked: Request['type'][] = [];
  const seen: { req: SampleEmRequest; reply: SampleEmResult | null }[] = [];
  const handlers = Object.fromEntries(
    Object.entries(base).map(([type, h]) => [
      type,
      (req: Request) => {
        asked.push(req.type);
        const reply = (h as (q: Request) => unknown)(req);
        if (req.type === 'sample-em') seen.push({ req: req as SampleEmRequest, reply: reply as SampleEmResult | null });
        return reply;
      },
    ]),
  ) as unknown as Handlers;
  const params = driveSync(initialParamsSteps(r, shape, new Random(r.seed), sampleStop(r)), handlers);
  return { params, asked, sampleEm: seen };
}

/** Each sample row's nearest center (plain Euclidean; the kernel's pass measures in units of a power of two). */
function nearest(req: SampleEmRequest): Int32Array {
  const m = req.values.length / d;
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (req.values[i * d + j] - req.centers[c * d + j]) ** 2;
      if (s < best) {
        best = s;
        labels[i] = c;
      }
    }
  }
  return labels;
}

const rowsOf = (v: Float64Array): number[][] =>
  Array.from({ length: v.length / d }, (_, i) => Array.from(v.subarray(i * d, (i + 1) * d)));

describe("initSample 'em': the start is the sample's EM fit", () => {
  for (const backend of ['wasm', 'js'] as const) {
    for (const covarianceType of ['full', 'diag', 'VEV'] as const) {
      it(`${covarianceType}, ${backend}: equal to GaussianMixture on the sample from its nearest-center labels`, () => {
        const o: GaussianMixtureOptions = { nComponents: k, covarianceType, seed: 3, backend };
        const s = start(o);
        expect(s.sampleEm).toHaveLength(1);
        const { req, reply } = s.sampleEm[0];
        expect(req.values.length).toBe(sampleSize(k) * d);
        expect(reply).not.toBeNull();
        const onSample = new GaussianMixture({ ...o, respInit: nearest(req) }).fit(rowsOf(req.values));
        expect(reply!.nIter).toBe(onSample.nIter);
        expect(reply!.nIter).toBeGreaterThan(1);
        expectClose([reply!.lowerBound], [onSample.lowerBound], 1e-10, 'lower bound');
        expectClose(s.params.means, onSample.means, 1e-10, 'means');
        expectClose(s.params.weights, onSample.weights, 1e-10, 'weights');
        expectClose(s.params.covariances, onSample.covariances as never, 1e-10, 'covariances');

        // the whole fit is EM over all rows from the sample's fit, and the sample's iterations are not counted
        const fitted = new GaussianMixture(o).fit(X);
        const ref = new GaussianMixture({
          ...o,
          weightsInit: onSample.weights,
          meansInit: onSample.means,
          precisionsInit: onSample.precisions as never,
        }).fit(X);
        expect(fitted.nIter).toBe(ref.nIter);
        expectClose([fitted.lowerBound], [ref.lowerBound], 1e-10, 'fit: lower bound');
        expectClose(fitted.means, ref.means, 1e-9, 'fit: means');
      });
    }
  }

  it("reaches at least the 'kmeans' start's optimum here, in fewer full-data iterations", () => {
    for (const seed of [0, 1, 2]) {
      const em = new GaussianMixture({ nComponents: k, seed }).fit(X);
      const km = new GaussianMixture({ nComponents: k, seed, initSample: 'kmeans' }).fit(X);
      expect(em.lowerBound).toBeGreaterThan(km.lowerBound - 1e-4);
      expect(em.nIter).toBeLessThan(km.nIter);
    }
  });
});

describe('when the sample degenerates, the nearest-center start is taken', () => {
  it("'sample-em' is answered null for a component that is not positive definite on the sample", () => {
    // two tight clusters and three copies of one far point: with regCovar 0 its component's covariance is zero
    const pts = [...X.slice(0, 200).flat(), ...[100, 100, 100, 100, 100, 100]];
    const values = Float64Array.from(pts);
    const req: SampleEmRequest = {
      values,
      d,
      centers: Float64Array.from([...X[0], ...X[1], 100, 100]),
      invScale: 1 / 128,
      mean: new Float64Array(d),
      variance: new Float64Array(d).fill(1),
      options: {
        covarianceType: 'full',
        regCovar: 0,
        mstepTol: 1e-8,
        mstepMaxIter: 100,
        priorParams: null,
        tol: 1e-3,
        maxIter: 100,
      },
    };
    for (const backend of ['wasm', 'js'] as const) {
      const server = new RowServer(denseRows(flatX, d), null, getBackend(backend));
      expect(server.handlers['sample-em']({ type: 'sample-em', ...req })).toBeNull();
      // the same request with a floor on the covariances is fitted
      const ok = { ...req, options: { ...req.options, regCovar: 1e-6 } };
      expect(server.handlers['sample-em']({ type: 'sample-em', ...ok })).not.toBeNull();
    }
  });

  it("a null reply gives exactly initSample 'kmeans''s start", () => {
    const o: GaussianMixtureOptions = { nComponents: k, seed: 4 };
    const fallback = start(o, { 'sample-em': () => null });
    expect(fallback.asked).toContain('sample-em');
    expect(fallback.asked).toContain('assign');
    const km = start({ ...o, initSample: 'kmeans' });
    expect(km.asked).not.toContain('sample-em');
    expect(fallback.params).toEqual(km.params);
  });
});

describe('which starts use the sample, and how', () => {
  const asks = (o: GaussianMixtureOptions) => start({ nComponents: k, seed: 1, ...o }).asked;

  it("'em' (the default) fits the sample and asks for no pass over all rows", () => {
    const a = asks({});
    expect(a).toEqual(['seed-rows', 'sample-em']);
  });

  it("'kmeans' sends every row to its nearest center; 'none' runs k-means++ over all rows", () => {
    expect(asks({ initSample: 'kmeans' })).toEqual(['seed-rows', 'assign', 'initial-mstep']);
    const none = asks({ initSample: 'none' });
    expect(none).not.toContain('sample-em');
    expect(none).toContain('seed-moments'); // the data's moments over all rows, then k-means++'s passes
    expect(none).toContain('seed-start');
    expect(none).toContain('assign');
  });

  it('no sample EM for classification EM, maxIter 0, frozen parameters or a partial user start; k-means++ has it', () => {
    expect(asks({ algorithm: 'hard' })).not.toContain('sample-em');
    expect(asks({ maxIter: 0 })).toEqual(['seed-rows', 'assign', 'initial-mstep']); // the k-means start itself
    expect(asks({ freeze: ['weights'], weightsInit: [0.2, 0.3, 0.5] })).not.toContain('sample-em');
    expect(asks({ meansInit: X.slice(0, k) })).not.toContain('sample-em');
    expect(asks({ initParams: 'k-means++' })).toContain('sample-em');
    expect(asks({ initParams: 'random' })).not.toContain('sample-em');
  });

  it('initSample is validated and kept by toJSON when it is not the default', () => {
    expect(() => new GaussianMixture({ initSample: 'all' as never })).toThrow(OptionError);
    expect(() => new GaussianMixture({ initSample: 'all' as never })).toThrow(/initSample/);
    const small = X.slice(0, 500);
    const a = new GaussianMixture({ nComponents: 2, initSample: 'none' }).fit(small);
    expect(GaussianMixture.fromJSON(a.toJSON()).options.initSample).toBe('none');
    const b = new GaussianMixture({ nComponents: 2 }).fit(small);
    expect(JSON.stringify(b.toJSON())).not.toContain('initSample');
  });
});
