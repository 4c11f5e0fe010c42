/**
 * The one number grammar of gaussmix's text inputs — CSV fields (src/data/csv.ts) and numeric option values:
 *
 *     number := ws* [+-]? ( digits ( '.' digits? )? | '.' digits ) ( [eE] [+-]? digits )? ws*
 *     digits := [0-9]+          ws := space | tab | CR | LF
 *
 * Decimal only. Not numbers, although Number() accepts them: hexadecimal, binary and octal literals ('0x10', '0b11',
 * '0o7'), 'Infinity', digit separators ('1_000'), the empty or all-blank string. Not numbers for either:
 * 'NaN', 'inf', '1,5', '1e', '.', '+'.
 *
 * The check is a hand-written scan over char codes, linear in the length of the text whatever it holds (no regular
 * expression: a backtracking one is quadratic on inputs such as a long run of digits followed by a letter). The
 * value is then the correctly rounded double, equal to Number() of the validated text:
 *  - exactly by the Clinger fast path when the significand has at most 15 significant digits and the decimal
 *    exponent is within ±22: the significand and the power of ten are then exact doubles, and one IEEE
 *    multiplication or division rounds correctly (this covers nearly every value written by a program);
 *  - otherwise by Number() on the validated slice.
 * A number in the grammar can still overflow to ±Infinity ('1e999'); callers that need finite values check that.
 */

/** Exact powers of ten: 10^0 … 10^22 are all exactly representable as doubles. */
export const POW10 = new Float64Array(23);
for (let i = 0, p = 1; i < 23; i++, p *= 10) POW10[i] = p;

/**
 * scanned[0]: the value of the number found by the last successful scanNumber call when the fast path applies, else
 * NaN (then numberValue converts the slice with Number()). A typed array, not a `let`: storing a double in a module
 * variable boxes it (one heap allocation per number).
 */
export const scanned = new Float64Array(1);

/**
 * Scans the longest prefix of s[start, end) that is a number of the grammar, without surrounding blanks. Returns
 * the index just past it, or -1 when no number starts at `start`; the value is then `numberValue(s, start, index)`.
 * The caller checks what follows (a delimiter, a blank, the end of the field) before asking for the value, so no
 * Number() call is wasted on a field that turns out not to be a number. Linear in the characters scanned.
 */
export function scanNumber(s: string, start: number, end: number): number {
  let p = start;
  let c = p < end ? s.charCodeAt(p) : -1;
  let negative = false;
  if (c === 43 /* + */ || c === 45 /* - */) {
    negative = c === 45;
    c = ++p < end ? s.charCodeAt(p) : -1;
  }
  let m = 0; // significand, exact while nd <= 15
  let nd = 0; // significant digits (leading zeros excluded)
  let intDigits = 0;
  while (c >= 48 && c <= 57) {
    if (nd !== 0 || c !== 48) {
      m = m * 10 + (c - 48);
      nd++;
    }
    intDigits++;
    c = ++p < end ? s.charCodeAt(p) : -1;
  }
  let frac = 0;
  if (c === 46 /* . */) {
    c = ++p < end ? s.charCodeAt(p) : -1;
    while (c >= 48 && c <= 57) {
      if (nd !== 0 || c !== 48) {
        m = m * 10 + (c - 48);
        nd++;
      }
      frac++;
      c = ++p < end ? s.charCodeAt(p) : -1;
    }
    if (intDigits === 0 && frac === 0) return -1; // '.', '+.', '-.'
  } else if (intDigits === 0) {
    return -1;
  }
  let exp = 0;
  if (c === 101 /* e */ || c === 69 /* E */) {
    const mark = p;
    let q = p + 1;
    let d = q < end ? s.charCodeAt(q) : -1;
    let expNegative = false;
    if (d === 43 || d === 45) {
      expNegative = d === 45;
      d = ++q < end ? s.charCodeAt(q) : -1;
    }
    if (d >= 48 && d <= 57) {
      while (d >= 48 && d <= 57) {
        if (exp < 1e6) exp = exp * 10 + (d - 48);
        d = ++q < end ? s.charCodeAt(q) : -1;
      }
      if (expNegative) exp = -exp;
      p = q;
    } else {
      p = mark; // '1e', '1e+': the number ends before the 'e'
    }
  }
  const e10 = exp - frac;
  if (m === 0) {
    scanned[0] = negative ? -0 : 0;
  } else if (nd <= 15 && e10 >= -22 && e10 <= 22) {
    const v = e10 < 0 ? m / POW10[-e10] : m * POW10[e10];
    scanned[0] = negative ? -v : v;
  } else {
    scanned[0] = NaN; // beyond the fast path: numberValue() converts the slice, once the caller has validated it
  }
  return p;
}

/** The value of the number scanNumber found in s[start, end): the fast path's, else Number() of the slice. */
export function numberValue(s: string, start: number, end: number): number {
  const v = scanned[0];
  return !Number.isNaN(v) ? v : Number(s.slice(start, end));
}

/** Space, tab, CR, LF: the blanks trimmed around a number. */
export const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;

/**
 * The value of s when it is a number of the grammar (surrounding blanks allowed), else NaN. Can be ±Infinity for a
 * number too large for a double ('1e999'). For option parsers: `Number.isFinite(parseNumber(s))`.
 */
export function parseNumber(s: string): number {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  if (a === b) return NaN;
  return scanNumber(s, a, b) === b ? numberValue(s, a, b) : NaN;
}

/** Lower-cases ASCII letters only. */
const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

/** Whether s[a, b) equals the lower-case ASCII word w, ignoring case. */
function wordAt(s: string, a: number, b: number, w: string): boolean {
  if (b - a !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (lower(s.charCodeAt(a + i)) !== w.charCodeAt(i)) return false;
  return true;
}

/** The tokens of a non-finite value: 'nan' (NaN, nan, NAN, ±NaN) or 'inf' (Inf, inf, Infinity, ±…), else null. */
export function nonFiniteToken(s: string): 'nan' | 'inf' | null {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  if (a < b && (s.charCodeAt(a) === 43 || s.charCodeAt(a) === 45)) a++;
  if (wordAt(s, a, b, 'nan')) return 'nan';
  if (wordAt(s, a, b, 'inf') || wordAt(s, a, b, 'infinity')) return 'inf';
  return null;
}

/**
 * Whether s marks a missing value: empty or blank, or one of NA, N/A, NaN (any case, NaN with an optional sign) —
 * what R, pandas and spreadsheets write for a missing value.
 */
export function isMissingToken(s: string): boolean {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  if (a === b || wordAt(s, a, b, 'na') || wordAt(s, a, b, 'n/a')) return true;
  return nonFiniteToken(s) === 'nan';
}
