/**
 * Hostile sources for fitStream: rows that change between passes are refused even when their count stays the same;
 * an abort is honoured while the source is stalled (a next() that never settles) and while a synchronous or endless
 * source keeps producing chunks; the source is closed (return()) on abort.
 */
import { describe, expect, it } from 'vitest';
import { DataError, GaussianMixture } from '../../../src/api/index.js';
import { mixture } from '../../helpers/data.js';

const { X } = mixture(2, 400, 2, 2, 8);
const chunks = (scale = 1) =>
  Array.from({ length: 8 }, (_, i) => X.slice(i * 50, (i + 1) * 50).map((r) => r.map((v) => v * scale)));

describe('fitStream refuses a source whose rows change between passes', () => {
  it('same count, different rows (e.g. 1e150 times larger) → DataError', async () => {
    let calls = 0;
    const source = () => chunks(++calls === 1 ? 1 : 1e150);
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(source)).rejects.toThrow(DataError);
    calls = 0;
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(source)).rejects.toThrow(/different rows/);
  });

  it('a change of one weight is a change too; re-chunking the same rows is not', async () => {
    let calls = 0;
    const weighted = () => {
      calls++;
      return chunks().map((c, i) => ({
        X: c,
        sampleWeight: c.map((_, j) => (calls > 1 && i === 3 && j === 7 ? 2 : 1)),
      }));
    };
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(weighted)).rejects.toThrow(
      /different rows \(or weights\)/,
    );
    calls = 0;
    const rechunked = () => (++calls % 2 ? [X] : chunks());
    const gm = await new GaussianMixture({ nComponents: 2 }).fitStream(rechunked);
    expect(gm.isFitted).toBe(true);
  });
});

describe('fitStream and abort', () => {
  it('a stalled source (next() never settles) is aborted, and closed', async () => {
    let closed = false;
    let pulls = 0;
    const source = () => ({
      [Symbol.asyncIterator]() {
        return {
          next: () =>
            pulls++ === 0
              ? Promise.resolve({ done: false, value: X })
              : new Promise<IteratorResult<number[][]>>(() => {}),
          return: () => {
            closed = true;
            return Promise.resolve({ done: true as const, value: undefined });
          },
        };
      },
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop now')), 30);
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(source, { signal: ac.signal })).rejects.toThrow(
      'stop now',
    );
    expect(closed).toBe(true);
  });

  it('a synchronous source does not block the event loop: an abort requested by a timer is honoured', async () => {
    const many = () => Array.from({ length: 400 }, () => X); // 160 000 rows per pass, many passes with tol 0
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const t = Date.now();
    await expect(
      new GaussianMixture({ nComponents: 2, tol: 0, maxIter: 10_000 }).fitStream(many, { signal: ac.signal }),
    ).rejects.toThrow(/abort/i);
    expect(Date.now() - t).toBeLessThan(20_000); // generous: it must finish at all
  });

  it('an endless synchronous generator is aborted', async () => {
    function* endless() {
      for (;;) yield X;
    }
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(endless, { signal: ac.signal })).rejects.toThrow(
      /abort/i,
    );
  });
});
