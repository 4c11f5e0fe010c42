/**
 * The shared staging of fitAsync's requests (drivers/workers/stage.ts): large arrays reach the workers as views of one
 * reused shared buffer holding the same values, the caller's request is never changed, and what a worker replies is
 * detached from shared memory.
 */
import { describe, expect, it } from 'vitest';
import { detachShared, Stage } from '../../../../src/drivers/workers/stage.js';

const big = (n: number, from: number) => Float64Array.from({ length: n }, (_, i) => from + i / 7);

describe('Stage', () => {
  it('moves large arrays (two levels down) into shared memory with the same values; small ones and scalars stay', async () => {
    const prec = big(1 << 15, 1);
    const st = { sxx: big(1 << 14, 2), nk: Float64Array.of(1, 2), logLik: -3 };
    const request = Object.freeze({ type: 'mstep', st: Object.freeze(st), prev: { precChol: prec, k: 2 } });
    const shared = await new Stage().share(request);
    expect(shared.prev.precChol.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.st.sxx.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.prev.precChol).toEqual(prec);
    expect(shared.st.sxx).toEqual(st.sxx);
    expect(shared.st.nk).toBe(st.nk); // small: travels in the message
    expect(shared.st.logLik).toBe(-3);
    expect(shared.prev.k).toBe(2);
    expect(shared.type).toBe('mstep');
    // the caller's objects are untouched (frozen above: a write would have thrown)
    expect(request.prev.precChol).toBe(prec);
    expect(prec.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('gives an array that appears twice one view, and reuses its buffer for the next request', async () => {
    const stage = new Stage();
    const means = big(1 << 14, 5);
    const a = await stage.share({ st: { centers: means }, prev: { means } });
    expect(a.st.centers).toBe(a.prev.means);
    const b = await stage.share({ params: { prec: big(1 << 14, 9) } });
    expect(b.params.prec.buffer).toBe(a.st.centers.buffer);
    expect(b.params.prec).toEqual(big(1 << 14, 9));
  });

  it('returns a request without large arrays as it is', async () => {
    const request = { type: 'seed-pick', picks: [{ chunk: 0, prefix: 0, target: 1 }] };
    expect(await new Stage().share(request)).toBe(request);
  });
});

describe('detachShared', () => {
  it('copies typed arrays on shared memory (three levels down) and keeps the rest', () => {
    const onShared = new Float64Array(new SharedArrayBuffer(32)).fill(4);
    const own = Float64Array.of(1, 2);
    const reply = { params: { covariances: onShared, weights: own, noise: { lower: onShared } }, degenerate: [], x: 1 };
    const out = detachShared(reply);
    expect(out.params.covariances.buffer).toBeInstanceOf(ArrayBuffer);
    expect(out.params.covariances).toEqual(onShared);
    expect(out.params.noise.lower.buffer).toBeInstanceOf(ArrayBuffer);
    expect(out.params.weights).toBe(own);
    expect(out.degenerate).toEqual([]);
    expect(out.x).toBe(1);
    expect(reply.params.covariances).toBe(onShared); // the input is not changed
  });
});
