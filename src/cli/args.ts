/**
 * Parsers for option values. Each throws commander's InvalidArgumentError, so a bad value is reported as a usage
 * error (exit code 2) naming the option, like any other command-line mistake.
 */
import { InvalidArgumentError } from 'commander';
import { parseNumber } from '../data/csv-number.js';
import { COVARIANCE_TYPES, type CovarianceType, MCLUST_TYPES, SKLEARN_TYPES } from '../model/covariance/registry.js';

export { COVARIANCE_TYPES, SKLEARN_TYPES };

export function integer(min: number, what = 'an integer') {
  return (value: string): number => {
    const v = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(v) || v < min) {
      throw new InvalidArgumentError(`expected ${what} ≥ ${min}.`);
    }
    return v;
  };
}

export function seed(value: string): number {
  const v = Number(value);
  if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(v))
    throw new InvalidArgumentError('expected an integer seed.');
  return v;
}

export function finite(what: string, check: (v: number) => boolean = () => true) {
  return (value: string): number => {
    // the one number grammar of every reader (data/csv-number.ts): decimal only, no hex, binary or octal
    const v = parseNumber(value.trim());
    if (!Number.isFinite(v) || !check(v)) throw new InvalidArgumentError(`expected ${what}.`);
    return v;
  };
}

/** "1..9", "1-9", "2,3,5", "1..3,6" → sorted distinct integers ≥ 1. */
export function componentRange(value: string): number[] {
  const out = new Set<number>();
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)\s*(?:\.\.|-|:)\s*(\d+)$/.exec(part);
    if (m) {
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      if (lo < 1 || hi < lo || hi - lo > 1000)
        throw new InvalidArgumentError(`bad range '${part}': expected LO..HI with 1 ≤ LO ≤ HI.`);
      for (let k = lo; k <= hi; k++) out.add(k);
    } else if (/^\d+$/.test(part) && Number(part) >= 1) {
      out.add(Number(part));
    } else {
      throw new InvalidArgumentError(`expected component counts like 1..9 or 1,2,4; got '${part}'.`);
    }
  }
  if (out.size === 0) throw new InvalidArgumentError('expected at least one number of components.');
  return [...out].sort((a, b) => a - b);
}

/** "all" (scikit-learn's four) or a comma list of covariance types. */
export function covarianceList(value: string): CovarianceType[] {
  if (value.trim() === 'all') return [...SKLEARN_TYPES];
  return nameList(value);
}

/** "all" (mclust's fourteen) or a comma list of any covariance names (`select --models`). */
export function modelList(value: string): CovarianceType[] {
  if (value.trim() === 'all') return [...MCLUST_TYPES];
  return nameList(value);
}

function nameList(value: string): CovarianceType[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => !(COVARIANCE_TYPES as readonly string[]).includes(p));
  if (bad.length || parts.length === 0) {
    throw new InvalidArgumentError(
      `expected 'all' or a comma list of ${COVARIANCE_TYPES.join(', ')}; got '${bad[0] ?? value}'.`,
    );
  }
  return [...new Set(parts)] as CovarianceType[];
}

/** "," "comma" "\t" "tab" ";" "semicolon" "|" → the character. */
export function delimiter(value: string): string {
  const named: Record<string, string> = { comma: ',', tab: '\t', '\\t': '\t', semicolon: ';', space: ' ', pipe: '|' };
  const v = named[value.toLowerCase()] ?? value;
  if (v.length !== 1 || /[0-9.\-+eE"\r\n]/.test(v)) {
    throw new InvalidArgumentError("expected a single character such as ',' or ';', or 'tab'.");
  }
  return v;
}
