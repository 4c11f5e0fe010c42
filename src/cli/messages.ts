/**
 * Library errors in the command line's terms: option names become the flags that set them, and features and rows of
 * X become the columns and lines of the file they were read from. The library's messages name its API (`regCovar`,
 * "feature 0", "row 12"); a CLI user needs `--reg-covar`, "column 'waiting'", "line 14".
 */
import { GaussianMixtureError } from '../api/errors.js';
import type { Table } from './csv.js';

/** Library option → CLI flag, for the options the CLI sets. */
const FLAGS: [RegExp, string][] = [
  [/onDegenerate: 'reset'/g, '--on-degenerate reset'],
  [/\bonDegenerate\b/g, '--on-degenerate'],
  [/\bregCovar\b/g, '--reg-covar'],
  [/\bmaxIter\b/g, '--max-iter'],
  [/\bnInit\b/g, '--n-init'],
  [/\bnComponents\b/g, '-k'],
  [/\binitParams\b/g, '--init'],
  [/\binitSample\b/g, '--init-sample'],
  [/\bcovarianceType\b/g, '--covariance'],
  [/(?<![-\w])tol\b/g, '--tol'],
];

/** A message with the library's option names replaced by the CLI's flags. */
export function inFlags(message: string): string {
  return FLAGS.reduce((m, [re, flag]) => m.replace(re, flag), message);
}

/** A message about X re-worded for the table it came from: features → columns, rows → lines, X → the file. */
export function inFileTerms(message: string, t: Pick<Table, 'source' | 'columns' | 'lines'>): string {
  return message
    .replace(/\bfeatures? (\d+)\b/g, (m, j: string) =>
      t.columns[Number(j)] !== undefined ? `column '${t.columns[Number(j)]}'` : m,
    )
    .replace(/\b(?:X )?row (\d+)\b/g, (m, i: string) =>
      t.lines[Number(i)] !== undefined ? `line ${t.lines[Number(i)]}` : m,
    )
    .replace(/^X\b/, 'the data')
    .replace(/\bRescale X\b/g, 'Rescale the data');
}

/** Runs `f`; a library error it throws is re-worded in the CLI's terms (for table `t`, when given) and rethrown. */
export function inCliTerms<T>(f: () => T, t?: Pick<Table, 'source' | 'columns' | 'lines'>): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GaussianMixtureError) {
      e.message = inFlags(t ? inFileTerms(e.message, t) : e.message);
      if (t && !e.message.startsWith(`${t.source}:`)) e.message = `${t.source}: ${e.message}`;
    }
    throw e;
  }
}
