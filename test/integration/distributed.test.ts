/**
 * Distributed EM end to end: a real redis-server (test/helpers/redis.ts), real worker processes (the built CLI's
 * `gaussmix worker`, or test/helpers/distributed-worker.mjs for fast stall settings) and real faults — SIGKILLed
 * workers and coordinators, a poisoned shard, Redis down. No mocks.
 *
 * Reference values: fitStream (this library's streaming driver, itself pinned against scikit-learn and the guard
 * grid) over the same shards in the same order; the issue asks for agreement to 1e-10. Fits that differ only in
 * who served which shard — or in a coordinator restarted from its checkpoint — must agree bit for bit.
 * Needs the build (npm test builds first): the workers and coordinators run dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/data/csv.js';
import {
  CheckpointError,
  DataError,
  deleteCheckpoint,
  fitDistributed,
  GaussianMixture,
  RedisUnavailableError,
  ShardError,
  type GaussianMixtureOptions,
  type ShardRef,
} from '../../src/distributed.js';
import { makeRows, slowRows } from '../helpers/distributed-loader.mjs';
import { freePort, hasSetpriv, killHard, startRedis, type RedisServer } from '../helpers/redis.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/cli.js');
const workerScript = join(root, 'test/helpers/distributed-worker.mjs');
const coordinatorScript = join(root, 'test/helpers/distributed-coordinator.mjs');
const loader = pathToFileURL(join(root, 'test/helpers/distributed-loader.mjs')).href;

interface Proc {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout/stderr line matching `re` (rejects after `ms` or if the process exits). */
  waitFor(re: RegExp, ms?: number): Promise<string>;
}

const procs: Proc[] = [];

/** A node process that dies with this one (pdeathsig where available); its output is kept line by line. */
function node(args: string[]): Proc {
  const argv = [process.execPath, ...args];
  const child = hasSetpriv()
    ? spawn('setpriv', ['--pdeathsig', 'KILL', ...argv], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const take = (d: Buffer): void => {
    for (const line of d.toString('utf8').split('\n').filter(Boolean)) {
      lines.push(line);
      for (const w of waiters.filter((x) => x.re.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const p: Proc = {
    child,
    lines,
    waitFor: (re, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const found = lines.find((l) => re.test(l));
        if (found) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`no line ${re} within ${ms} ms; output:\n${lines.join('\n')}`)),
          ms,
        );
        child.once('exit', (code) => reject(new Error(`exited (${code}) before ${re}; output:\n${lines.join('\n')}`)));
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      }),
  };
  procs.push(p);
  return p;
}

/** `gaussmix worker` from the built CLI, serving. */
async function cliWorker(url: string, extra: string[] = []): Promise<Proc> {
  const w = node([cli, 'worker', '--redis', url, '--concurrency', '1', ...extra]);
  await w.waitFor(/gaussmix worker: serving/);
  return w;
}

/** A worker with the test's settings (fast stall detection; no cache, so every E-step reads its shard again). */
async function helperWorker(settings: object): Promise<Proc> {
  const w = node([workerScript, JSON.stringify(settings)]);
  await w.waitFor(/^ready \d+/);
  return w;
}

/** Chunks of the CSV shards as fitStream reads them: the shared reader, shard after shard. */
function csvSource(paths: string[], weights?: string) {
  return async function* () {
    for (const p of paths) {
      for await (const c of readCsv(p, weights ? { weights } : {})) {
        const X = { data: c.data, rows: c.rows, cols: c.cols };
        yield c.weights ? { X, sampleWeight: c.weights } : X;
      }
    }
  };
}

/** Every number of a (nested) array of typed arrays, in order. */
const flat = (v: unknown): number[] =>
  ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : (v as unknown[]).flatMap((x) => flat(x));

function expectClose(a: GaussianMixture, b: GaussianMixture, tol: number): void {
  expect(a.nIter).toBe(b.nIter);
  expect(a.converged).toBe(b.converged);
  const close = (x: number[], y: number[]) => {
    expect(x.length).toBe(y.length);
    for (let i = 0; i < x.length; i++)
      expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(y[i])));
  };
  close(flat(a.weights), flat(b.weights));
  close(flat(a.means), flat(b.means));
  close(flat(a.covariances), flat(b.covariances));
  close([a.lowerBound], [b.lowerBound]);
}

/** Every fitted number, for bit-for-bit comparisons. */
const fitted = (gm: GaussianMixture) => ({
  weights: Array.from(gm.weights),
  means: gm.means.map((m) => Array.from(m)),
  covariances: JSON.stringify(gm.toJSON().covariances),
  nIter: gm.nIter,
  lowerBound: gm.lowerBound,
});

let redis: RedisServer;
let dir: string;
const csvShards: string[] = [];

beforeAll(async () => {
  if (!existsSync(cli) || !existsSync(join(root, 'dist/distributed.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'gaussmix-dist-'));
  // 4 shards × 150 rows, 2 features, 3 clusters; values written in full (shortest round-trip) precision
  for (let s = 0; s < 4; s++) {
    const data = makeRows({ seed: 11 + s, n: 150, d: 2 });
    const lines = ['a,b'];
    for (let i = 0; i < 150; i++) lines.push(`${data[2 * i]},${data[2 * i + 1]}`);
    const p = join(dir, `shard-${s}.csv`);
    writeFileSync(p, `${lines.join('\n')}\n`);
    csvShards.push(p);
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(procs.map((p) => killHard(p.child)));
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const MODEL: GaussianMixtureOptions = { nComponents: 3, seed: 1, tol: 1e-8, maxIter: 40 };

describe('fitDistributed equals fitStream over the same shards', () => {
  let reference: GaussianMixture;

  it('with 1 worker process (initialisation on a reservoir sample smaller than the data)', async () => {
    await cliWorker(redis.url);
    reference = await new GaussianMixture(MODEL).fitStream(csvSource(csvShards), { initSampleSize: 250 });
    const gm = await fitDistributed(MODEL, csvShards, { connection: redis.url, initSampleSize: 250 });
    expectClose(gm, reference, 1e-10);
    expect(gm.backend).toBe('wasm');
  }, 60_000);

  it('with 3 worker processes: bit for bit the 1-worker result; the CLI coordinator equals fitStream', async () => {
    await Promise.all([cliWorker(redis.url), cliWorker(redis.url)]);
    const onOne = await fitDistributed(MODEL, csvShards, { connection: redis.url, initSampleSize: 250 });
    expect(fitted(onOne)).toEqual(
      fitted(await fitDistributed(MODEL, csvShards, { connection: redis.url, initSampleSize: 250 })),
    );
    expectClose(onOne, reference, 1e-10);

    const out = join(dir, 'cli-model.json');
    const args = [
      'fit',
      '--redis',
      redis.url,
      ...csvShards,
      '-k',
      '3',
      '--seed',
      '1',
      '--tol',
      '1e-8',
      '--max-iter',
      '40',
    ];
    const c = node([cli, ...args, '--out', out]);
    await c.waitFor(/model saved to/, 60_000);
    const fromCli = GaussianMixture.fromJSON(readFileSync(out, 'utf8'));
    const whole = await new GaussianMixture(MODEL).fitStream(csvSource(csvShards));
    expectClose(fromCli, whole, 1e-10);
  }, 90_000);

  it('reads .npy, weighted CSV and loader shards as fitStream reads their rows', async () => {
    // shard 0: .npy (float64, C order) written by hand; shard 1: CSV with a weights column; shard 2: a loader
    const npyData = makeRows({ seed: 5, n: 120, d: 2 });
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (120, 2), }";
    const padded = `${header.padEnd(128 - 10 - 1, ' ')}\n`;
    const npyPath = join(dir, 'shard.npy');
    writeFileSync(
      npyPath,
      Buffer.concat([
        Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]),
        Buffer.from(padded, 'latin1'),
        Buffer.from(npyData.buffer),
      ]),
    );
    const wData = makeRows({ seed: 6, n: 90, d: 2 });
    const wPath = join(dir, 'weighted.csv');
    writeFileSync(
      wPath,
      `a,w,b\n${Array.from({ length: 90 }, (_, i) => `${wData[2 * i]},${1 + (i % 3)},${wData[2 * i + 1]}`).join('\n')}\n`,
    );
    const loaderArgs = { seed: 7, n: 100, d: 2, chunk: 33, weights: true };
    const shards: ShardRef[] = [npyPath, wPath, { loader: `${loader}#slowRows`, args: loaderArgs }];

    const source = async function* () {
      yield { data: npyData, rows: 120, cols: 2 };
      yield* csvSource([wPath], 'w')();
      yield* slowRows(loaderArgs);
    };
    const ref = await new GaussianMixture(MODEL).fitStream(source);
    const gm = await fitDistributed(MODEL, shards, { connection: redis.url, csv: { weights: 'w' } });
    expectClose(gm, ref, 1e-10);
  }, 60_000);

  it('runs what the EM generator asks, whatever it is: SQUAREM, an mclust model started from hc, a prior', async () => {
    // nothing distributed-specific: the coordinator answers the same requests fitStream answers
    for (const model of [
      { ...MODEL, accelerate: 'squarem' },
      { ...MODEL, covarianceType: 'VEV', initParams: 'hc' },
      { ...MODEL, prior: true }, // MAP-EM: the prior's defaults come from two E-passes over all rows
    ] as GaussianMixtureOptions[]) {
      const ref = await new GaussianMixture(model).fitStream(csvSource(csvShards), { initSampleSize: 250 });
      const gm = await fitDistributed(model, csvShards, { connection: redis.url, initSampleSize: 250 });
      expectClose(gm, ref, 1e-10);
    }
  }, 60_000);
});

describe('faults', () => {
  it('a poisoned shard fails the fit with a ShardError naming the shard and its cause', async () => {
    const bad = join(dir, 'poisoned.csv');
    writeFileSync(bad, 'a,b\n1,2\n3,oops\n5,6\n');
    const shards = [csvShards[0], csvShards[1], bad];
    const t0 = Date.now();
    const e = await fitDistributed(MODEL, shards, { connection: redis.url }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ShardError);
    const se = e as ShardError;
    expect(se.shard).toBe(2);
    expect(se.source).toBe(bad);
    expect(se.attempts).toBe(1); // bad data is not retried
    expect(se.cause).toBeInstanceOf(DataError);
    expect(se.message).toMatch(/shard 2 \(.*poisoned\.csv\) failed after 1 attempt: DataError: .*line 3.*oops/);
    expect(Date.now() - t0).toBeLessThan(30_000);

    // an error that may be transient (here: always) is retried `attempts` times, then named the same way
    const flaky = { loader: `${loader}#failing`, args: { message: 'object storage is down' } };
    const e2 = await fitDistributed(MODEL, [csvShards[0], flaky], { connection: redis.url, attempts: 2 }).catch(
      (x: unknown) => x,
    );
    expect(e2).toBeInstanceOf(ShardError);
    expect((e2 as ShardError).shard).toBe(1);
    expect((e2 as ShardError).attempts).toBe(2);
    expect((e2 as ShardError).message).toMatch(
      /shard 1 \(loader .*#failing\) failed after 2 attempts: object storage is down/,
    );
  }, 60_000);

  it('Redis unreachable: a RedisUnavailableError within the connect timeout, not a hang', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const e = await fitDistributed(MODEL, csvShards, {
      connection: `redis://127.0.0.1:${port}`,
      connectTimeout: 1500,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedisUnavailableError);
    expect((e as RedisUnavailableError).address).toBe(`127.0.0.1:${port}`);
    expect((e as Error).message).toMatch(/ECONNREFUSED|no answer|cannot connect/);
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 20_000);

  it('Redis killed mid-fit: a RedisUnavailableError within seconds', async () => {
    const lonely = await startRedis(); // no worker serves it: the fit waits on its first request
    const started = Date.now();
    const fit = fitDistributed(MODEL, csvShards, { connection: lonely.url }).catch((x: unknown) => x);
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    await lonely.kill();
    const e = await fit;
    expect(e).toBeInstanceOf(RedisUnavailableError);
    expect((e as Error).message).toContain(`127.0.0.1:${lonely.port}`);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(killedAt - started).toBeGreaterThanOrEqual(900); // it was waiting, not failing early
  }, 30_000);
});

describe('dead processes mid-fit (no shard cache: every E-step job reads its loader shard again)', () => {
  const prefix = 'gmslow';
  const settings = {
    prefix,
    concurrency: 1,
    cacheBytes: 0,
    lockDuration: 2000,
    stalledInterval: 1000,
    maxStalledCount: 3,
  };
  /** Three loader shards whose E-step jobs take about 3 × delayMs each. */
  const shardsOf = (delayMs: number) =>
    [1, 2, 3].map((s) => ({ loader: `${loader}#slowRows`, args: { seed: 30 + s, n: 150, d: 2, chunk: 50, delayMs } }));
  const referenceOf = (model: GaussianMixtureOptions, shards: ReturnType<typeof shardsOf>) =>
    new GaussianMixture(model).fitStream(async function* () {
      for (const s of shards) yield* slowRows({ ...s.args, delayMs: 0 });
    });

  beforeAll(async () => {
    const w = { ...settings, connection: redis.url };
    await Promise.all([helperWorker(w), helperWorker(w)]);
  }, 60_000);

  it('a coordinator SIGKILLed mid-fit: a new one with the same checkpoint resumes and gives the same result', async () => {
    // with a prior, whose resolved defaults the stored result must keep
    const model: GaussianMixtureOptions = { nComponents: 3, seed: 2, tol: 0, maxIter: 8, prior: true };
    const slow = shardsOf(40);
    const reference = await referenceOf(model, slow);
    const job = {
      model,
      shards: slow,
      options: { connection: redis.url, prefix, checkpoint: 'resume-me', checkpointLock: 1500 },
    };
    const first = node([coordinatorScript, JSON.stringify(job)]);
    await first.waitFor(/"iter":2\b/, 60_000);
    await killHard(first.child);
    const done = first.lines.filter((l) => l.includes('"iter"')).length;
    expect(first.lines.some((l) => l.includes('"model"'))).toBe(false); // killed mid-fit
    expect(done).toBeLessThan(model.maxIter!);

    const second = node([coordinatorScript, JSON.stringify(job)]);
    const line = await second.waitFor(/"model"|"error"/, 60_000);
    const r = JSON.parse(line) as { model: unknown; replayed: number; error?: unknown };
    expect(r.error).toBeUndefined();
    expect(r.replayed).toBeGreaterThanOrEqual(2 + done - 1); // survey, sample and the E-steps logged before the kill
    const resumed = GaussianMixture.fromJSON(r.model);
    expectClose(resumed, reference, 1e-10);

    // bit for bit an uninterrupted distributed fit; and the finished checkpoint returns its stored result at once
    const whole = await fitDistributed(model, slow, { connection: redis.url, prefix });
    expect(fitted(resumed)).toEqual(fitted(whole));
    let requests = 0;
    const stored = await fitDistributed(model, slow, { ...job.options, onRequest: () => requests++ });
    expect(fitted(stored)).toEqual(fitted(whole));
    expect(stored.toJSON()).toEqual(whole.toJSON());
    expect(requests).toBe(0);

    // another fit under the same name is refused, naming the checkpoint; once deleted, the name is free again
    const other = { ...model, seed: 3, maxIter: 1 };
    const e = await fitDistributed(other, slow, job.options).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).checkpoint).toBe('resume-me');
    expect((e as Error).message).toMatch(/belongs to another fit/);
    expect(await deleteCheckpoint({ connection: redis.url, prefix }, 'resume-me')).toBeGreaterThan(0);
    await expect(fitDistributed(other, slow, job.options)).resolves.toBeInstanceOf(GaussianMixture);
  }, 120_000);

  it('a worker SIGKILLed mid-job: the job is re-run by another worker and the result is the same', async () => {
    const model: GaussianMixtureOptions = { nComponents: 3, seed: 2, tol: 0, maxIter: 3 };
    const slow = shardsOf(150);
    const reference = await referenceOf(model, slow);
    const conn = { connection: { host: redis.host, port: redis.port }, prefix };
    const estep = new Queue('estep', conn);
    const events = new QueueEvents('estep', conn);
    await events.waitUntilReady();
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    try {
      const fit = fitDistributed(model, slow, { connection: redis.url, prefix });
      // the worker holding an E-step job (BullMQ's processedBy is the worker's name, gaussmix-<pid>)
      let victim: number | null = null;
      for (
        const end = Date.now() + 30_000;
        victim === null && Date.now() < end;
        await new Promise((r) => setTimeout(r, 50))
      ) {
        const active = await estep.getActive();
        const job = active.find((j) => (j.data as { kind: string }).kind === 'estep' && j.processedBy);
        if (job) victim = Number(job.processedBy!.replace('gaussmix-', ''));
      }
      expect(victim).not.toBeNull();
      const proc = procs.find((p) => p.lines.includes(`ready ${victim}`))!;
      await killHard(proc.child);
      const gm = await fit;
      expectClose(gm, reference, 1e-10);
      expect(stalled.length).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.allSettled([estep.close(), events.close()]);
    }
  }, 120_000);
});
