/**
 * `gaussmix fit --online`: online (stepwise) EM over a CSV file or stdin, read batch by batch by the one streaming
 * reader (data/csv.ts, readCsv with chunks of --batch-size rows), so the data never need to fit in memory. Progress
 * goes to stderr, the model to stdout; --out saves it with its running state, so the library's partialFit (or a
 * service) can continue where the command stopped.
 */
import { OptionError } from '../api/errors.js';
import { GaussianMixture } from '../api/gaussian-mixture.js';
import type { GaussianMixtureOptions } from '../api/options.js';
import { readCsv, type CsvChunk, type CsvInfo } from '../data/csv.js';
import { type FitFlags, featureNamesOf, modelOptions, note, out, readOptions, writeOutput } from './commands.js';
import { modelSummary } from './format.js';
import { inCliTerms, inFlags } from './messages.js';
import { onlineReporter, progressEnabled } from './progress.js';

export interface OnlineFlags {
  online?: boolean;
  batchSize?: number;
  learningRate?: number;
  bayesian?: boolean;
}

const DEFAULT_BATCH = 1000;

/** --batch-size and --learning-rate mean nothing without --online: a usage error rather than silence. */
export function checkOnlineFlags(f: OnlineFlags): void {
  const stray = f.batchSize !== undefined ? '--batch-size' : f.learningRate !== undefined ? '--learning-rate' : null;
  if (stray && !f.online) throw new OptionError(stray, `${stray} applies to online learning: add --online`);
  if (f.online && f.bayesian) {
    throw new OptionError(
      '--online',
      '--online learns a GaussianMixture by stepwise EM; --bayesian has no online mode',
    );
  }
}

/** A message about the data (already in the file's terms) placed in its batch: "data.csv: batch 3 (lines …): …". */
function inBatch(message: string, source: string, batch: number, lines: Int32Array): string {
  const where = `batch ${batch} (lines ${lines[0]}–${lines[lines.length - 1]})`;
  if (message.startsWith(`${source}: `)) return `${source}: ${where}: ${message.slice(source.length + 2)}`;
  if (message.startsWith(`${source} `)) return `${source}, ${where}, ${message.slice(source.length + 1)}`;
  return `${source}: ${where}: ${message}`;
}

export async function onlineFitCommand(file: string, f: FitFlags & OnlineFlags): Promise<void> {
  if (f.plot) {
    throw new OptionError(
      '--plot',
      '--plot needs the data in memory, which --online does not keep: fit without --online to plot, or plot a sample of the data',
    );
  }
  const batchRows = f.batchSize ?? DEFAULT_BATCH;
  const opts: GaussianMixtureOptions = { ...modelOptions(f), nComponents: f.k, covarianceType: f.covariance ?? 'full' };
  if (f.learningRate !== undefined) opts.learningRate = f.learningRate;
  const gm = inCliTerms(() => new GaussianMixture(opts));
  const progress = progressEnabled(f.progress) ? onlineReporter() : null;
  const r = readOptions(f, f.weights);
  const batches = readCsv(file, {
    delimiter: r.delimiter,
    header: r.header ?? 'auto',
    columns: r.columns,
    weights: r.weights,
    chunkRows: batchRows,
  });
  let source = file === '-' ? '<stdin>' : file;
  let columns: string[] = [];
  let weighted = false;
  try {
    for (let next = await batches.next(); ; next = await batches.next()) {
      if (next.done) {
        const info: CsvInfo = next.value;
        source = info.source;
        for (const n of info.notes) note(`gaussmix: note: ${n}`);
        break;
      }
      const batch: CsvChunk = next.value;
      columns = batch.columns;
      weighted ||= batch.weights !== null;
      // errors name the file, the batch and the line (the batch's rows keep their line numbers)
      const lines = batch.lines;
      try {
        const featureNames = featureNamesOf(batch);
        inCliTerms(() => gm.partialFit(batch, { sampleWeight: batch.weights, featureNames }), {
          source,
          columns,
          lines,
        });
      } catch (e) {
        if (e instanceof Error) e.message = inBatch(e.message, source, gm.nBatches + 1, lines);
        throw e;
      }
      // a reset is reported when it happens (the model keeps only the last batch's warnings)
      for (const w of gm.warnings) note(`gaussmix: warning: ${inFlags(w)}`);
      progress?.update({ batches: gm.nBatches, rows: gm.nSeen, score: gm.lowerBound });
    }
  } finally {
    progress?.stop();
    await batches.return(undefined as never);
  }
  const rate = gm.options.learningRate;
  const schedule = typeof rate === 'number' ? `constant ${rate}` : `(t + ${rate.tau})^-${rate.kappa}`;
  out(
    modelSummary(gm, {
      columns,
      rows: gm.nSeen,
      source,
      weighted,
      fitLine:
        `online EM: ${gm.nBatches} batch${gm.nBatches === 1 ? '' : 'es'} of up to ${batchRows} rows, learning rate ${schedule}; ` +
        `mean log-likelihood of the last batch ${gm.lowerBound.toFixed(6)} (before its update)`,
    }),
  );
  if (f.out) {
    writeOutput(f.out, `${JSON.stringify(gm.toJSON(), null, 2)}\n`, 'the model');
    out(`\nmodel saved to ${f.out} (with its running state: GaussianMixture.fromJSON(…).partialFit(…) continues it)`);
  }
}
