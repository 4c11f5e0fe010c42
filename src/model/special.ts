/**
 * Special functions for the variational M-step, E-step and lower bound: log Γ, digamma ψ and log B, accurate to
 * about 1e-15 relative for positive arguments, including near the roots of log Γ (1, 2) and of ψ (x0 ≈ 1.4616)
 * where an argument-reduction formula would only be accurate in absolute terms. scikit-learn calls scipy's gammaln,
 * digamma and betaln; these agree with them to rounding except where scipy itself is less accurate (near those
 * roots scipy's gammaln is off by up to ~3e-7 relative, ~1e-17 absolute; its betaln by ~1e-9 relative for very
 * unequal arguments) — everywhere far below the 1e-8 to which the variational model matches scikit-learn.
 *
 * Method (x > 0):
 * - log Γ: Taylor series about 1, 1.5 and 2 (|z| ≤ ¼ each, so [0.75, 2.25] is covered), the recurrence
 *   log Γ(x) = log Γ(x + 1) − log x below (with the series evaluated at x itself, not at the rounded x + 1), the
 *   recurrence upward through one product of exact differences (x − 1)(x − 2)… on (2.25, 10), and Stirling's series
 *   with 9 correction terms from 10 on.
 * - ψ: Taylor series about the positive root x0 (|z| ≤ ½, x0 as a double-double so z is exact to ~1e-32), the
 *   recurrences ψ(x) = ψ(x + 1) − 1/x and ψ(x) = ψ(x − 1) + 1/(x − 1) into that window below 10, and the
 *   asymptotic series with 9 terms from 10 on.
 * - Negative non-integers by the reflection formulas (absolute accuracy only near the negative roots of log|Γ|).
 * The coefficient tables are the exact Taylor coefficients (polygamma values from mpmath at 60 digits) rounded to
 * doubles; `/usr/bin/python3 scripts/generate-special-values.py --tables` prints them, and writes the reference
 * values test/unit/model/special.test.ts checks against when run without arguments.
 */

// digamma's positive root x0 = 1.46163214496836234126265954233 as hi + lo
const X0_HI = 1.4616321449683622;
const X0_LO = 9.549995429965697e-17;
// lgamma(x0) = -0.12148629053584961
// log Γ(1 + z) = Σ LG1[k]·z^k
const LG1 = [
  0.0, -0.5772156649015329, 0.8224670334241132, -0.40068563438653143, 0.27058080842778454, -0.20738555102867398,
  0.1695571769974082, -0.1440498967688461, 0.12550966952474304, -0.11133426586956469, 0.1000994575127818,
  -0.09095401714582904, 0.083353840546109, -0.0769325164113522, 0.07143294629536133, -0.06666870588242046,
  0.06250095514121304, -0.058823978658684585, 0.055555767627403614, -0.05263167937961666, 0.05000004769810169,
  -0.047619070330142226, 0.04545455629320467, -0.04347826605304026, 0.04166666915034121, -0.04000000119214014,
  0.03846153903467518, -0.037037037312989324, 0.035714285847333355, -0.034482758684919304,
];
// log Γ(1.5 + z) = Σ LG15[k]·z^k
const LG15 = [
  -0.12078223763524522, 0.03648997397857652, 0.46740110027233966, -0.13813277403905333, 0.05871212641676822,
  -0.028952081888893543, 0.0154354841700493, -0.008622603929171286, 0.004965728809475818, -0.002920970458667952,
  0.00174503557579013, -0.001054915693867632, 0.0006437029830381486, -0.00039577153964650777, 0.0002448711904829441,
  -0.00015231593814270082, 9.517939662502588e-5, -5.97136233623377e-5, 3.759490926961219e-5, -2.3743185469209343e-5,
  1.5036983408359218e-5, -9.547151192148187e-6, 6.07540647448469e-6, -3.87415183000977e-6,
];
// log Γ(2 + z) = Σ LG2[k]·z^k
const LG2 = [
  0.0, 0.42278433509846713, 0.3224670334241132, -0.0673523010531981, 0.020580808427784546, -0.007385551028673986,
  0.0028905103307415234, -0.001192753911703261, 0.0005096695247430425, -0.00022315475845357939, 9.945751278180853e-5,
  -4.492623673813314e-5, 2.050721277567069e-5, -9.439488275268397e-6, 4.374866789907488e-6, -2.039215753801366e-6,
  9.55141213040742e-7, -4.492469198764566e-7, 2.1207184805554665e-7, -1.0043224823968099e-7, 4.7698101693639804e-8,
  -2.2711094608943164e-8,
];
// ψ(x0 + z) = Σ PSI0[k]·z^(k+1)
const PSI0 = [
  0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652, 0.10782405069126237,
  -0.07219956125645471, 0.04880428816414311, -0.03316112647484736, 0.022597648232218104, -0.01542476590494896,
  0.010538791616612175, -0.007204534386356869, 0.004926781395729853, -0.003369801655439328, 0.002305126326734928,
  -0.0015769367714301972, 0.0010788252019162967, -0.0007380709389960052, 0.000504953265834602, -0.0003454680251063077,
  0.00023635601564027053, -0.00016170622091974803, 0.0001106337276874741, -7.569179582195066e-5, 5.178575795222081e-5,
  -3.5430070947659604e-5, 2.424006611860132e-5, -1.6584242271854135e-5, 1.134638458466385e-5, -7.762817668462094e-6,
  5.3110609208898636e-6, -3.6336507898010456e-6, 2.486022733129538e-6, -1.7008538854332607e-6, 1.1636675363548843e-6,
  -7.96142543124197e-7, 5.446941930669446e-7, -3.7266161283438227e-7, 2.549626552021554e-7, -1.7443695117727745e-7,
];

const HALF_LOG_2PI = 0.9189385332046728; // ½·log(2π)
const LOG_PI = 1.1447298858494002;

/** Stirling's series of log Γ: Σₖ B₂ₖ / (2k(2k − 1)·x^(2k−1)), coefficients in powers of 1/x². */
const STIRLING = [
  1 / 12,
  -1 / 360,
  1 / 1260,
  -1 / 1680,
  1 / 1188,
  -691 / 360360,
  1 / 156,
  -3617 / 122400,
  43867 / 244188,
];
/** Asymptotic series of ψ: Σₖ B₂ₖ / (2k·x^(2k)), coefficients in powers of 1/x². */
const PSI_ASYMPTOTIC = [
  1 / 12,
  -1 / 120,
  1 / 252,
  -1 / 240,
  1 / 132,
  -691 / 32760,
  1 / 12,
  -3617 / 8160,
  43867 / 14364,
];

/** Σ c[k]·z^k (Horner). */
function poly(c: readonly number[], z: number): number {
  let s = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) s = s * z + c[i];
  return s;
}

/** log Γ(x) − [(x − ½)·log x − x + ½·log 2π] for x ≥ 10 (Stirling's correction). */
function stirlingCorrection(x: number): number {
  const w = 1 / (x * x);
  return poly(STIRLING, w) / x;
}

/** log Γ on [0.75, 2.25] from the Taylor tables (the subtraction x − c is exact there). */
function lgammaCore(x: number): number {
  if (x <= 1.25) return poly(LG1, x - 1);
  if (x < 1.75) return poly(LG15, x - 1.5);
  return poly(LG2, x - 2);
}

/** |sin(πx)| for finite x, reduced exactly to |sin(π·s)| with s = x − round(x) ∈ [−½, ½]. */
function absSinPi(x: number): number {
  const s = x - Math.round(x);
  return Math.abs(Math.sin(Math.PI * s));
}

/**
 * log |Γ(x)| (scipy.special.gammaln): +∞ at 0 and at the negative integers, NaN for NaN. About 1e-15 relative for
 * x > 0 (also next to the roots at 1 and 2).
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) {
    if (x === -Infinity || Number.isInteger(x)) return Infinity;
    // reflection: Γ(x)·Γ(1 − x) = π / sin(πx)
    return LOG_PI - Math.log(absSinPi(x)) - lgamma(1 - x);
  }
  if (x === Infinity) return Infinity;
  if (x < 0.25) return poly(LG1, x) - Math.log(x); // log Γ(1 + x) − log x, series at z = x exactly
  if (x < 0.75) return poly(LG15, x - 0.5) - Math.log(x); // log Γ(1 + x) about 1.5: z = (1 + x) − 1.5 = x − ½
  if (x <= 2.25) return lgammaCore(x);
  if (x < 10) {
    // log Γ(x) = log Γ(x − n) + log[(x − 1)(x − 2)⋯(x − n)], x − n ∈ (1.25, 2.25]; every x − i is exact
    let prod = 1;
    let y = x;
    while (y > 2.25) {
      y -= 1;
      prod *= y;
    }
    return lgammaCore(y) + Math.log(prod);
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingCorrection(x);
}

/** ψ on [x0 − ½, x0 + ½) from the Taylor table about the root x0. */
function digammaCore(x: number): number {
  const z = x - X0_HI - X0_LO; // x − X0_HI is exact (Sterbenz) on this window
  return z * poly(PSI0, z);
}

const X0_WINDOW_LO = X0_HI - 0.5;
const X0_WINDOW_HI = X0_HI + 0.5;

/**
 * The digamma function ψ(x) = d/dx log Γ(x) (scipy.special.digamma): −∞ at 0, NaN at the negative integers and
 * −∞, NaN for NaN. About 1e-15 relative for x > 0 (also next to its root x0 ≈ 1.4616).
 */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === 0) return -Infinity;
  if (x < 0) {
    if (Number.isInteger(x)) return NaN;
    // reflection: ψ(1 − x) − ψ(x) = π·cot(πx), reduced exactly (cot has period 1)
    const s = x - Math.round(x);
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * s);
  }
  if (x === Infinity) return Infinity;
  if (x < X0_WINDOW_LO) {
    // ψ(x) = ψ(x + n) − Σ 1/(x + i)
    let s = 0;
    let y = x;
    while (y < X0_WINDOW_LO) {
      s += 1 / y;
      y += 1;
    }
    return digammaCore(y) - s;
  }
  if (x < X0_WINDOW_HI) return digammaCore(x);
  if (x < 10) {
    // ψ(x) = ψ(x − n) + Σ 1/(x − i), i = 1..n; the differences are exact; small terms first
    let y = x;
    let n = 0;
    while (y >= X0_WINDOW_HI) {
      y -= 1;
      n++;
    }
    let s = 0;
    for (let i = n - 1; i >= 0; i--) s += 1 / (y + i);
    return digammaCore(y) + s;
  }
  const w = 1 / (x * x);
  return Math.log(x) - 0.5 / x - w * poly(PSI_ASYMPTOTIC, w);
}

/**
 * log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b) for a, b > 0 (scipy.special.betaln). When the larger argument
 * is ≥ 10 the difference log Γ(y) − log Γ(x + y) is taken from Stirling's series in a form without cancellation,
 * −(y − ½)·log1p(x/y) − x·log(x + y) + x + corr(y) − corr(x + y), so very unequal arguments keep relative accuracy.
 */
export function betaln(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || a < 0 || b < 0) return NaN;
  if (a === 0 || b === 0) return Infinity;
  const x = Math.min(a, b);
  const y = Math.max(a, b);
  if (y < 10) return lgamma(x) + lgamma(y) - lgamma(x + y);
  if (y === Infinity) return -Infinity;
  const s = x + y;
  return (
    lgamma(x) - (y - 0.5) * Math.log1p(x / y) - x * Math.log(s) + x + stirlingCorrection(y) - stirlingCorrection(s)
  );
}
