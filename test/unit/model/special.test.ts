import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { betaln, digamma, lgamma } from '../../../src/model/special.js';

/** Reference values from scripts/generate-special-values.py: mpmath at 60 digits rounded to doubles, and scipy's. */
interface SpecialValues {
  x: number[];
  lgamma: number[];
  digamma: number[];
  scipyGammaln: number[];
  scipyDigamma: number[];
  betaPairs: [number, number][];
  betaln: number[];
  scipyBetaln: number[];
}
const ref = JSON.parse(
  readFileSync(new URL('../../fixtures/special-values.json', import.meta.url), 'utf8'),
) as SpecialValues;

const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

/** Worst relative error over the reference points selected by `keep`, with the argument where it occurs. */
function worst(f: (x: number) => number, want: number[], keep: (x: number) => boolean): { err: number; at: number } {
  let err = 0;
  let at = NaN;
  ref.x.forEach((x, i) => {
    if (!keep(x)) return;
    const e = rel(f(x), want[i]);
    if (!(e <= err)) {
      err = e;
      at = x;
    }
  });
  return { err, at };
}

describe('lgamma', () => {
  it('matches mpmath to 1e-15 relative for x > 0 (including next to the roots at 1 and 2)', () => {
    const w = worst(lgamma, ref.lgamma, (x) => x > 0);
    expect(w.err, `worst at x = ${w.at}`).toBeLessThanOrEqual(1e-15);
  });

  it('matches mpmath to 1e-13 relative for negative non-integers (reflection)', () => {
    const w = worst(lgamma, ref.lgamma, (x) => x < 0);
    expect(w.err, `worst at x = ${w.at}`).toBeLessThanOrEqual(1e-13);
  });

  it('agrees with scipy.special.gammaln to 1e-15 absolute or relative (scipy is only absolutely accurate near the roots)', () => {
    ref.x.forEach((x, i) => {
      if (x <= 0) return;
      const a = lgamma(x);
      const b = ref.scipyGammaln[i];
      expect(Math.abs(a - b), `x = ${x}: ${a} vs scipy ${b}`).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(b)));
    });
  });

  it('known values', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expect(rel(lgamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(2e-16);
    expect(rel(lgamma(3), Math.LN2)).toBeLessThan(2e-16);
    expect(rel(lgamma(11), Math.log(3628800))).toBeLessThan(2e-16);
    // log Γ(1 + ε) = −γ·ε + (π²/12)·ε² + O(ε³): relative accuracy survives next to the root
    const eps = 2 ** -40;
    expect(rel(lgamma(1 + eps), -0.5772156649015329 * eps + (Math.PI ** 2 / 12) * eps * eps)).toBeLessThan(4e-16);
    expect(lgamma(0)).toBe(Infinity);
    expect(lgamma(-3)).toBe(Infinity);
    expect(lgamma(Infinity)).toBe(Infinity);
    expect(lgamma(NaN)).toBeNaN();
  });

  it('satisfies the recurrence log Γ(x + 1) = log Γ(x) + log x across the branch boundaries', () => {
    for (const x of [0.2499, 0.25, 0.7499, 0.75, 1.25, 1.2501, 1.7499, 1.75, 2.25, 2.2501, 9.5, 9.999, 10, 10.001]) {
      expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x)), `x = ${x}`).toBeLessThan(
        4e-15 * Math.max(1, Math.abs(lgamma(x + 1))),
      );
    }
  });
});

describe('digamma', () => {
  it('matches mpmath to 1e-15 relative for x > 0 (including next to its root x0 ≈ 1.4616)', () => {
    const w = worst(digamma, ref.digamma, (x) => x > 0);
    expect(w.err, `worst at x = ${w.at}`).toBeLessThanOrEqual(1e-15);
  });

  it('matches mpmath to 1e-13 relative for negative non-integers (reflection)', () => {
    const w = worst(digamma, ref.digamma, (x) => x < 0);
    expect(w.err, `worst at x = ${w.at}`).toBeLessThanOrEqual(1e-13);
  });

  it('agrees with scipy.special.digamma to 2e-15 relative', () => {
    const w = worst(digamma, ref.scipyDigamma, (x) => x > 0);
    expect(w.err, `worst at x = ${w.at}`).toBeLessThanOrEqual(2e-15);
  });

  it('known values', () => {
    const euler = 0.5772156649015329;
    expect(rel(digamma(1), -euler)).toBeLessThan(2e-16);
    expect(rel(digamma(0.5), -euler - 2 * Math.LN2)).toBeLessThan(2e-16);
    expect(rel(digamma(2), 1 - euler)).toBeLessThan(2e-16);
    expect(rel(digamma(10), 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5 + 1 / 6 + 1 / 7 + 1 / 8 + 1 / 9 - euler)).toBeLessThan(
      4e-16,
    );
    expect(Math.abs(digamma(1.4616321449683622))).toBeLessThan(1e-16); // the root
    expect(digamma(0)).toBe(-Infinity);
    expect(digamma(-2)).toBeNaN();
    expect(digamma(Infinity)).toBe(Infinity);
    expect(digamma(NaN)).toBeNaN();
  });

  it('is the derivative of lgamma (central differences)', () => {
    for (const x of [0.3, 0.9, 1.2, 1.46, 1.7, 2.2, 3.3, 7.7, 12, 150]) {
      const h = 1e-5 * x;
      const fd = (lgamma(x + h) - lgamma(x - h)) / (2 * h);
      expect(Math.abs(fd - digamma(x)), `x = ${x}`).toBeLessThan((1e-8 * Math.max(1, Math.abs(digamma(x)))) / x);
    }
  });

  it('satisfies the recurrence ψ(x + 1) = ψ(x) + 1/x across the branch boundaries', () => {
    for (const x of [0.9616, 0.9617, 1.9616, 1.9617, 9.5, 9.999, 10]) {
      expect(Math.abs(digamma(x + 1) - digamma(x) - 1 / x), `x = ${x}`).toBeLessThan(
        4e-15 * Math.max(1, Math.abs(digamma(x + 1))),
      );
    }
  });
});

describe('betaln', () => {
  it('matches mpmath to 2e-15 relative, or absolute where |log B| < 1 (also for very unequal arguments)', () => {
    // log B can be small by cancellation between log Γ(min) and the rest (e.g. B(19.05, 0.344) ≈ e^−0.06): the
    // inputs' rounding alone then limits the accuracy to ~1e-16 absolute
    let err = 0;
    let at = '';
    ref.betaPairs.forEach(([a, b], i) => {
      const e = Math.abs(betaln(a, b) - ref.betaln[i]) / Math.max(1, Math.abs(ref.betaln[i]));
      if (!(e <= err)) {
        err = e;
        at = `${a}, ${b}`;
      }
    });
    expect(err, `worst at (${at})`).toBeLessThanOrEqual(2e-15);
  });

  it('agrees with scipy.special.betaln to 1e-8 relative (scipy loses digits for very unequal arguments)', () => {
    ref.betaPairs.forEach(([a, b], i) => {
      expect(rel(betaln(a, b), ref.scipyBetaln[i]), `(${a}, ${b})`).toBeLessThanOrEqual(1e-8);
    });
  });

  it('is symmetric and matches log Γ sums where those are exact', () => {
    expect(betaln(1, 1)).toBe(0);
    expect(betaln(3.5, 1e4)).toBe(betaln(1e4, 3.5));
    expect(rel(betaln(2, 3), Math.log(1 / 12))).toBeLessThan(4e-16);
    expect(rel(betaln(1, 1e6), -Math.log(1e6))).toBeLessThan(4e-16);
  });
});
