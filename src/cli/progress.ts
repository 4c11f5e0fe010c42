/**
 * Progress reporting on stderr, so stdout stays clean for data. On a terminal: a cli-progress bar redrawn in
 * place. Elsewhere (a log file, a pipe) and only when asked for with --progress: one plain line per second.
 * Off by default when stderr is not a terminal, so tests and pipelines see nothing.
 */
import cliProgress from 'cli-progress';
import type { IterationInfo } from '../api/options.js';

export interface Reporter<T> {
  update(info: T): void;
  stop(): void;
}

/** Whether to report: --progress / --no-progress win; otherwise only on a terminal. */
export const progressEnabled = (flag: boolean | undefined): boolean => flag ?? Boolean(process.stderr.isTTY);

type Render = (info: Record<string, string | number>) => string;

function reporter<T>(
  total: number,
  toPayload: (info: T) => { value: number; total?: number; payload: Record<string, string | number> },
  format: string,
  line: Render,
): Reporter<T> {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(info) {
        const p = toPayload(info);
        if (!started) {
          bar.start(p.total ?? total, p.value, p.payload);
          started = true;
        } else {
          if (p.total !== undefined && p.total !== bar.getTotal()) bar.setTotal(p.total);
          bar.update(p.value, p.payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  let pending: string | null = null;
  return {
    update(info) {
      const p = toPayload(info);
      pending = line({ ...p.payload, value: p.value, total: p.total ?? total });
      const now = Date.now();
      if (now - last >= 1000) {
        process.stderr.write(`${pending}\n`);
        pending = null;
        last = now;
      }
    },
    stop() {
      if (pending) process.stderr.write(`${pending}\n`);
      pending = null;
    },
  };
}

/** Progress of one fit (all restarts): iteration, log-likelihood, change. */
export function fitReporter(maxIter: number, nInit: number): Reporter<IterationInfo> {
  const payload = (i: IterationInfo) => ({
    value: i.iter,
    payload: {
      run: i.init + 1,
      runs: nInit,
      ll: i.lowerBound.toFixed(6),
      change: Number.isFinite(i.change) ? i.change.toExponential(2) : '–',
    },
  });
  return reporter(
    maxIter,
    payload,
    'EM {bar} iter {value}/{total} | run {run}/{runs} | mean log-lik {ll} | change {change}',
    (p) => `EM iter ${p.value}/${p.total} | run ${p.run}/${p.runs} | mean log-lik ${p.ll} | change ${p.change}`,
  );
}

/** Progress over the candidates of a model selection. */
export function selectReporter(total: number): Reporter<{ done: number; label: string }> {
  return reporter(
    total,
    (i) => ({ value: i.done, payload: { label: i.label } }),
    'select {bar} {value}/{total} candidates | {label}',
    (p) => `select ${p.value}/${p.total} candidates | ${p.label}`,
  );
}

/** Progress of reading a large data file: megabytes read (of the total, when known). */
export function readReporter(source: string): Reporter<{ bytes: number; total: number | null }> {
  const mb = (b: number): string => (b / 1e6).toFixed(1);
  return reporter(
    1,
    (i) => ({
      value: i.bytes,
      total: i.total ?? Math.max(i.bytes, 1),
      payload: { read: mb(i.bytes), of: i.total ? `${mb(i.total)} MB` : '? MB', source },
    }),
    'reading {source} {bar} {read} of {of}',
    (p) => `reading ${p.source}: ${p.read} of ${p.of}`,
  );
}

/** Progress of online learning (fit --online): batches and rows so far, the last batch's score. No bar: the total is unknown. */
export function onlineReporter(): Reporter<{ batches: number; rows: number; score: number }> {
  const line = (i: { batches: number; rows: number; score: number }) =>
    `online: batch ${i.batches} | ${i.rows} rows | batch mean log-lik ${i.score.toFixed(6)} (before its update)`;
  const tty = Boolean(process.stderr.isTTY);
  let last = 0;
  let pending: string | null = null;
  return {
    update(info) {
      pending = line(info);
      const now = Date.now();
      // redrawn in place on a terminal (at most every 100 ms); elsewhere one line per second
      if (now - last >= (tty ? 100 : 1000)) {
        process.stderr.write(tty ? `\r${pending}\x1b[K` : `${pending}\n`);
        pending = null;
        last = now;
      }
    },
    stop() {
      if (pending) process.stderr.write(tty ? `\r${pending}\x1b[K\n` : `${pending}\n`);
      else if (tty && last > 0) process.stderr.write('\n');
      pending = null;
    },
  };
}
