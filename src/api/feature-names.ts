/**
 * Feature names (scikit-learn's feature_names_in_): the one rule for what a valid list is — non-empty strings of at
 * most MAX_NAME_LENGTH characters, no two alike, one per feature — shared by the fit options and fromJSON, so a name
 * a fit accepts is a name a saved model can hold.
 */
import { OptionError, quote } from './errors.js';

/** Longest accepted name, in characters: a header cell, not a document. */
export const MAX_NAME_LENGTH = 1000;

/**
 * Checks a list of names (null/undefined → null) and returns a frozen copy; `fail` reports the first problem (as an
 * OptionError or a ModelFormatError, as the caller needs). `count`, when given, is the number of features.
 */
export function checkFeatureNames(
  v: unknown,
  name: string,
  fail: (message: string) => never,
  count?: number,
): readonly string[] | null {
  if (v == null) return null;
  if (!Array.isArray(v)) return fail(`${name} must be an array of strings; got ${quote(v)}`);
  if (count !== undefined && v.length !== count)
    fail(`${name} must have one name per feature (${count}); got ${v.length}`);
  const seen = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (typeof s !== 'string' || s.length === 0) fail(`${name}[${i}] must be a non-empty string; got ${quote(s)}`);
    const str = s as string;
    if (str.length > MAX_NAME_LENGTH)
      fail(`${name}[${i}] must be at most ${MAX_NAME_LENGTH} characters; got ${str.length}`);
    if (seen.has(str)) fail(`${name} must not repeat a name; ${quote(str)} appears twice`);
    seen.add(str);
  }
  return Object.freeze([...(v as string[])]);
}

/** The featureNames option of a fit, checked against the number of features (an OptionError naming the option). */
export function namesFor(names: readonly string[] | null, d: number): readonly string[] | null {
  return checkFeatureNames(
    names,
    'featureNames',
    (message) => {
      throw new OptionError('featureNames', message);
    },
    d,
  );
}
