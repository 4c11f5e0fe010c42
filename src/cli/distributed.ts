/**
 * The command line's distributed commands: `gaussmix worker --redis URL` (serve jobs until SIGINT/SIGTERM) and
 * `gaussmix fit --redis URL shard…` (the coordinator). main.ts imports this module only when one of them runs, so
 * the CLI loads BullMQ (and this code) only then.
 */
import { resolve } from 'node:path';
import { GaussianMixtureError, OptionError } from '../api/errors.js';
import type { GaussianMixture } from '../api/gaussian-mixture.js';
import type { GaussianMixtureOptions } from '../api/options.js';
import { deleteCheckpoint, fitDistributed, startWorker } from '../distributed.js';
import { modelOptions, writeOutput, type FitFlags } from './commands.js';
import { num } from './format.js';
import { inFlags } from './messages.js';
import { fitReporter, progressEnabled } from './progress.js';

export interface WorkerFlags {
  redis: string;
  concurrency?: number;
  cacheMb?: number;
  prefix?: string;
}

/** Serves jobs until the first SIGINT/SIGTERM (running jobs finish); a second one exits at once. */
export async function workerCommand(f: WorkerFlags): Promise<void> {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    if (++signals > 1) process.exit(130); // their jobs are re-run by other workers once their locks expire
    process.stderr.write('gaussmix worker: stopping after the running jobs (again to quit now)\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await startWorker({
      connection: f.redis,
      concurrency: f.concurrency,
      cacheBytes: f.cacheMb === undefined ? undefined : f.cacheMb * 1024 * 1024,
      prefix: f.prefix,
      signal: stop.signal,
      onReady: () => process.stderr.write(`gaussmix worker: serving ${f.redis} (pid ${process.pid})\n`),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stderr.write('gaussmix worker: stopped\n');
}

export interface DistributedFitFlags extends FitFlags {
  redis: string;
  checkpoint?: string;
  prefix?: string;
  deleteCheckpoint?: boolean;
}

/** Paths are resolved here (as a shell user means them); URLs go as they are. */
const shardRef = (s: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : resolve(s));

/** The model as text: no rows are at hand here, so no log-likelihood or BIC of the data (the lower bound instead). */
function summary(gm: GaussianMixture, shards: number, redis: string): string {
  const o = gm.options;
  const d = gm.nFeatures;
  const out = [
    `${shards} shard${shards === 1 ? '' : 's'} × ${d} feature${d === 1 ? '' : 's'}, fitted by the workers at ${redis}`,
    `GaussianMixture(nComponents: ${gm.weights.length}, covarianceType: '${o.covarianceType}', seed: ${o.seed}) on the ${gm.backend} backend`,
    `converged: ${gm.converged} after ${gm.nIter} iteration${gm.nIter === 1 ? '' : 's'}; mean log-likelihood ${gm.lowerBound.toFixed(6)}`,
    '',
  ];
  gm.means.forEach((m, c) => {
    out.push(`component ${c}: weight ${gm.weights[c].toFixed(4)}`);
    out.push(`  mean  ${Array.from(m, (v) => num(v).padStart(11)).join(' ')}`);
  });
  return out.join('\n');
}

export async function distributedFitCommand(files: string[], f: DistributedFitFlags): Promise<void> {
  if (f.plot) throw new OptionError('--plot', '--plot needs the rows in this process; it cannot be used with --redis');
  if (f.deleteCheckpoint) {
    if (!f.checkpoint) throw new OptionError('--delete-checkpoint', '--delete-checkpoint needs --checkpoint NAME');
    const n = await deleteCheckpoint({ connection: f.redis, prefix: f.prefix }, f.checkpoint);
    process.stderr.write(`gaussmix: deleted checkpoint '${f.checkpoint}' (${n} keys)\n`);
    return;
  }
  // the same model flags as a local fit (--missing marginalize is refused by fitDistributed)
  const opts: GaussianMixtureOptions = { ...modelOptions(f), nComponents: f.k, covarianceType: f.covariance ?? 'full' };
  const progress = progressEnabled(f.progress) ? fitReporter(opts.maxIter ?? 100, opts.nInit ?? 1) : null;
  let replayed = 0;
  let gm: GaussianMixture;
  try {
    gm = await fitDistributed(opts, files.map(shardRef), {
      connection: f.redis,
      prefix: f.prefix,
      checkpoint: f.checkpoint ?? null,
      csv: {
        ...(f.delimiter !== undefined && { delimiter: f.delimiter }),
        ...(f.header !== undefined && { header: f.header }),
        ...(f.columns !== undefined && { columns: f.columns }),
        ...(f.weights !== undefined && { weights: f.weights }),
      },
      onIteration: progress ? (i) => progress.update(i) : null,
      onRequest: (i) => {
        if (i.replayed) replayed++;
      },
    });
  } catch (e) {
    if (e instanceof GaussianMixtureError) {
      e.message = inFlags(e.message);
      if (f.checkpoint) e.message += ` (checkpoint '${f.checkpoint}' keeps what was done)`;
    }
    throw e;
  } finally {
    progress?.stop();
  }
  if (replayed > 0)
    process.stderr.write(
      `gaussmix: resumed checkpoint '${f.checkpoint}': ${replayed} requests replayed from its log\n`,
    );
  for (const w of gm.warnings) process.stderr.write(`gaussmix: warning: ${inFlags(w)}\n`);
  process.stdout.write(`${summary(gm, files.length, f.redis)}\n`);
  if (f.out) {
    writeOutput(f.out, `${JSON.stringify(gm.toJSON(), null, 2)}\n`, 'the model');
    process.stdout.write(`\nmodel saved to ${f.out}\n`);
  }
}
