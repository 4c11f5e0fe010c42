/**
 * fitDistributed's and startWorker's options go through the option kit: a missing or malformed option is an
 * OptionError naming it, raised before any connection to Redis is attempted; the fit's identity (which decides
 * whether a checkpoint may be resumed) changes with anything that changes the result and nothing else.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { BayesianGaussianMixture } from '../../../../src/api/bayesian-gaussian-mixture.js';
import { OptionError } from '../../../../src/api/errors.js';
import { GaussianMixture } from '../../../../src/api/gaussian-mixture.js';
import { deleteCheckpoint, fitDistributed, startWorker } from '../../../../src/api/distributed.js';
import { fitIdentity, type FitInputs } from '../../../../src/drivers/distributed/checkpoint.js';

const ok = { connection: 'redis://127.0.0.1:1' }; // never contacted: every case fails validation first

describe('fitDistributed options', () => {
  it.each([
    [{}, 'connection', /connection must be a redis:\/\/ URL or ioredis options.*required/],
    [{ connection: 'http://x:1' }, 'connection', /redis:\/\/ or rediss:\/\/ URL/],
    [{ connection: { port: 70000 } }, 'connection.port', /integer port/],
    [{ ...ok, attempts: 0 }, 'attempts', /integer ≥ 1/],
    [{ ...ok, jobTimeout: -5 }, 'jobTimeout', /milliseconds/],
    [{ ...ok, checkpoint: 'run:1' }, 'checkpoint', /A-Z a-z 0-9 _ \. -/],
    [{ ...ok, prefix: '' }, 'prefix', /up to 64 characters/],
    [{ ...ok, csv: { chunkRows: 0 } }, 'csv.chunkRows', /integer ≥ 1/],
    [{ ...ok, csv: { delimiter: ';;' } }, 'csv.delimiter', /one character/],
    [{ ...ok, csv: { separator: ',' } }, 'csv.separator', /unknown csv option/],
    [
      { ...ok, workers: 3 },
      'workers',
      /unknown fitDistributed option 'workers'; valid options are: connection, prefix/,
    ],
    [{ ...ok, onIteration: 3 }, 'onIteration', /a function/],
  ])('%j → OptionError(%s)', async (options, name, re) => {
    const e = await fitDistributed({ nComponents: 2 }, ['a.csv'], options as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OptionError);
    expect((e as OptionError).option).toBe(name);
    expect((e as Error).message).toMatch(re);
  });

  it('model options and shards are checked too; respInit needs rows in memory; missing values are refused', async () => {
    await expect(fitDistributed({ nComponents: 0 }, ['a.csv'], ok)).rejects.toThrow(
      /nComponents must be an integer ≥ 1/,
    );
    await expect(fitDistributed({ nComponents: 2 }, [], ok)).rejects.toThrow(/shards must be a non-empty array/);
    await expect(fitDistributed({ nComponents: 2, respInit: Int32Array.from([0, 1]) }, ['a.csv'], ok)).rejects.toThrow(
      /respInit needs the rows in memory/,
    );
    const e = await fitDistributed({ nComponents: 2, missing: 'marginalize' }, ['a.csv'], ok).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OptionError);
    expect((e as OptionError).option).toBe('missing');
    expect((e as Error).message).toMatch(/not supported by fitDistributed yet/);
    await expect(fitDistributed({ nComponents: 2, noise: true }, ['a.csv'], ok)).rejects.toThrow(
      /noise is available with fit, fitAsync and fitStream/,
    );
    const bayes = await fitDistributed(new BayesianGaussianMixture() as never, ['a.csv'], ok).catch((x: unknown) => x);
    expect(bayes).toBeInstanceOf(OptionError);
    expect((bayes as Error).message).toMatch(/a GaussianMixture or its options, not a BayesianGaussianMixture/);
  });
});

describe('fitDistributed types', () => {
  it('returns a model typed like the one given: covariances of the named type', () => {
    // never called (no Redis here): the types are checked by tsc over test/
    const diag = () => fitDistributed({ nComponents: 2, covarianceType: 'diag' }, ['a.csv'], ok);
    const vev = () => fitDistributed(new GaussianMixture({ covarianceType: 'VEV' }), ['a.csv'], ok);
    expectTypeOf<Awaited<ReturnType<typeof diag>>['covariances']>().toEqualTypeOf<Float64Array[]>();
    expectTypeOf<Awaited<ReturnType<typeof vev>>['covariances']>().toEqualTypeOf<Float64Array[][]>();
  });
});

describe('startWorker and deleteCheckpoint options', () => {
  it('are OptionErrors naming the option', async () => {
    await expect(startWorker({} as never)).rejects.toThrow(/connection must be/);
    await expect(startWorker({ ...ok, concurrency: 0 })).rejects.toThrow(/concurrency must be an integer ≥ 1/);
    await expect(startWorker({ ...ok, cacheBytes: -1 })).rejects.toThrow(/cacheBytes must be an integer ≥ 0/);
    await expect(startWorker({ ...ok, lockDuration: 0 })).rejects.toThrow(
      /lockDuration must be a number of milliseconds/,
    );
    await expect(deleteCheckpoint(ok, 'a b')).rejects.toThrow(OptionError);
  });
});

describe('fitIdentity', () => {
  const base: FitInputs = {
    options: { nComponents: 3, seed: 0, maxIter: 100, meansInit: [Float64Array.from([1, 2])], onIteration: () => 1 },
    warmStart: null,
    shards: ['a.csv', { loader: 'm#f', args: { part: 1 } }],
    csv: { header: 'auto' },
    blockRows: 8192,
    initSampleSize: 10_000,
    backend: 'wasm',
  };

  it('is the same for the same inputs (callbacks aside) and differs when anything that shapes the result differs', async () => {
    const id = await fitIdentity(base);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await fitIdentity({ ...base, options: { ...base.options, onIteration: () => 2 } })).toBe(id);
    const variants: FitInputs[] = [
      { ...base, options: { ...base.options, maxIter: 101 } },
      { ...base, options: { ...base.options, meansInit: [Float64Array.from([1, 2.5])] } },
      { ...base, shards: ['a.csv', { loader: 'm#f', args: { part: 2 } }] },
      { ...base, shards: [...base.shards].reverse() },
      { ...base, warmStart: { means: [[0]] } },
      { ...base, blockRows: 4096 },
      { ...base, initSampleSize: 9999 },
      { ...base, backend: 'js' },
    ];
    for (const v of variants) expect(await fitIdentity(v)).not.toBe(id);
  });
});
