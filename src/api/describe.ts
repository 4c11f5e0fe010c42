/**
 * How a model shows itself: `String(gmm)` and Node's util.inspect / console.log — K, covariance type, backend,
 * fitted or not, and for a fitted model its features, convergence, iterations and lower bound — instead of the
 * internal state. Node hands its own inspect function to the custom inspector, so nothing here imports node:util
 * and the core stays browser-safe.
 */
import type { GaussianMixture } from './gaussian-mixture.js';

/** The summary as ordered key/value pairs (values as plain data, for inspect to colour). */
function summary(m: GaussianMixture): [string, unknown][] {
  const fields: [string, unknown][] = [
    ['nComponents', m.nComponents],
    ['covarianceType', m.covarianceType],
  ];
  if (!m.isFitted) {
    fields.push(['backend', m.options.backend], ['fitted', false]);
    return fields;
  }
  fields.push(['backend', m.backend], ['fitted', true], ['nFeatures', m.nFeatures]);
  const names = m.featureNames;
  if (names) fields.push(['featureNames', names]);
  fields.push(['converged', m.converged], ['nIter', m.nIter], ['lowerBound', m.lowerBound]);
  return fields;
}

/** A value as a short literal: strings quoted, arrays of up to 6 items spelled out. */
function literal(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) {
    const items = v.slice(0, 6).map(literal);
    if (v.length > 6) items.push(`… ${v.length - 6} more`);
    return `[${items.join(', ')}]`;
  }
  return String(v);
}

/** "GaussianMixture(nComponents: 2, covarianceType: 'full', backend: 'wasm', fitted: true, …)" */
export function modelString(m: GaussianMixture): string {
  return `GaussianMixture(${summary(m)
    .map(([k, v]) => `${k}: ${literal(v)}`)
    .join(', ')})`;
}

type Inspect = (value: unknown, options?: unknown) => string;

/**
 * util.inspect's rendering: "GaussianMixture { nComponents: 2, … }", coloured and broken over lines as Node does for
 * objects (Node passes its inspect function as the third argument since v16.14; older runtimes get the plain text).
 */
export function inspectModel(m: GaussianMixture, options: unknown, inspect: unknown): string {
  const show: (v: unknown) => string =
    typeof inspect === 'function' ? (v) => (inspect as Inspect)(v, options) : literal;
  const parts = summary(m).map(([k, v]) => `${k}: ${show(v)}`);
  const oneLine = `GaussianMixture { ${parts.join(', ')} }`;
  // strip colour codes to measure what the reader sees
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what is being removed
  const visible = oneLine.replace(/\u001b\[\d+m/g, '').length;
  const breakLength = (options as { breakLength?: number } | null)?.breakLength ?? 80;
  if (visible <= breakLength) return oneLine;
  return `GaussianMixture {\n${parts.map((p) => `  ${p}`).join(',\n')}\n}`;
}
