import { expect } from 'vitest';

type Nested = number | ArrayLike<unknown>;

/** Flattens nested arrays / typed arrays into a plain number[]. */
export function flat(v: Nested): number[] {
  if (typeof v === 'number') return [v];
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) out.push(...flat(v[i] as Nested));
  return out;
}

/**
 * Asserts |a − b| ≤ rtol·max(|b|, scale) elementwise, where scale (default: max |b| over the whole array) keeps
 * near-zero entries (off-diagonal covariances) from demanding impossible relative precision.
 */
export function expectClose(actual: Nested, expected: Nested, rtol: number, label = '', scale?: number): void {
  const a = flat(actual);
  const b = flat(expected);
  expect(a.length, `${label}: length`).toBe(b.length);
  const s = scale ?? Math.max(...b.map(Math.abs), Number.MIN_VALUE);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), s * 1e-3, Number.MIN_VALUE);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${label}: worst relative error at flat index ${at} (${a[at]} vs ${b[at]})`).toBeLessThanOrEqual(rtol);
}
