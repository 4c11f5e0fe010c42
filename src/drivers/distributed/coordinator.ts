/**
 * fitDistributed's driver: runs a plan's algorithm (EM) on this process and answers its data requests with BullMQ
 * flows over the shards — the E-step and worst-rows passes on the workers, initialisation here over a sample of the
 * shards' rows, exactly as fitStream over the same shards in the same order does:
 *
 *   request 0  survey   every shard: count, ranges, distinct rows, weights, fingerprint → fitStream's checks
 *   request 1  sample   the shards holding rows of fitStream's reservoir sample send those rows (survey.ts)
 *   then       estep    parameters published once; each shard's statistics; the parent adds them in shard order
 *              worst    (onDegenerate 'reset' only) each shard's worst rows, merged here in shard order
 *
 * With a checkpoint every reply is logged as it completes and a restarted coordinator replays the log
 * (checkpoint.ts). Redis problems become a RedisUnavailableError within bounded time (redis.ts), a shard that
 * fails for good a ShardError (requests.ts).
 */
import { warn } from '../../api/errors.js';
import { getBackend } from '../../backends/index.js';
import type { BackendName } from '../../backends/types.js';
import { denseRows } from '../../data/rows.js';
import { driveAsync, refuseAll } from '../../em/drive.js';
import type { AsyncHandlers, EMResult } from '../../em/protocol.js';
import type { Params } from '../../model/params.js';
import type { ResolvedPrior } from '../../model/prior.js';
import { throwIfAborted } from '../async.js';
import { mathHandlers } from '../local/math.js';
import { RowServer } from '../local/row-server.js';
import { WorstCollector } from '../local/worst.js';
import type { Plan } from '../plan.js';
import { Checkpoint, type IterationRecord } from './checkpoint.js';
import { loadDeps } from './deps.js';
import { CheckpointError, RedisUnavailableError } from './errors.js';
import { CheckpointKeys, FitKeys } from './keys.js';
import {
  fnv1a,
  KERNEL_CODE,
  mixedKernels,
  packParams,
  packRows,
  packWorst,
  unpackRows,
  unpackStats,
  unpackWorst,
} from './pack.js';
import { CoordinatorRedis, type RedisConnection } from './redis.js';
import { Requests, StaleResultError, type RequestInfo, type ShardPart } from './requests.js';
import type { ShardCsvOptions } from './shard-reader.js';
import type { ShardRef } from './shards.js';
import { combineSurveys, reservoirSlots, sampleRequests, type Survey } from './survey.js';
import type { SurveyPart } from './tasks.js';
import type { ShardExpectation } from './thread-messages.js';
import type { RequestKind } from './jobs.js';

export interface CoordinatorSettings {
  connection: RedisConnection;
  prefix: string;
  shards: ShardRef[];
  csv: ShardCsvOptions;
  blockRows: number;
  initSampleSize: number;
  attempts: number;
  jobTimeout: number;
  checkpoint: string | null;
  checkpointTtl: number;
  /** How long a dead coordinator's checkpoint lock blocks a restart (ms). */
  lockMs: number;
  connectTimeout: number;
  commandTimeout: number;
  signal: AbortSignal | null;
  onRequest: ((info: RequestInfo) => void) | null;
  /** The fit's identity (checkpoint.ts fitIdentity). */
  identity: string;
}

/** What the coordinator hands back: the algorithm's result, the backend that ran the E-steps, the features. */
export interface CoordinatorResult<R> {
  result: R;
  backend: BackendName;
  d: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Connection failures of ioredis (not server replies): reported as Redis being unavailable. */
function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error) || e instanceof RedisUnavailableError) return false;
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Command timed out|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH/.test(
      e.message,
    )
  );
}

export class Coordinator {
  private next = 0;
  private pending: Promise<void> = Promise.resolve();
  private backends = 0;
  private ckpt: Checkpoint | null = null;

  constructor(private readonly s: CoordinatorSettings) {}

  /** Called by the EM loop after every iteration (synchronously): records it in the checkpoint. */
  iteration(info: IterationRecord): void {
    const ck = this.ckpt;
    if (!ck || this.next <= ck.resumedAt) return; // a replayed iteration is already recorded
    this.pending = this.pending.then(() => ck.iteration(info));
  }

  async run<R extends EMResult>(plan: Plan<R>): Promise<CoordinatorResult<R>> {
    const s = this.s;
    throwIfAborted(s.signal);
    const deps = await loadDeps();
    const redis = new CoordinatorRedis(deps.Redis, s.connection, {
      connect: s.connectTimeout,
      command: s.commandTimeout,
    });
    let requests: Requests | null = null;
    try {
      await redis.open();
      const fitId = s.checkpoint
        ? `c-${s.checkpoint}-${s.identity.slice(0, 8)}`
        : `f-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      const keys = new FitKeys(s.prefix, fitId);
      if (s.checkpoint) {
        this.ckpt = await Checkpoint.open(redis, new CheckpointKeys(s.prefix, s.checkpoint), s.identity, {
          ttlMs: s.checkpointTtl,
          lockMs: s.lockMs,
        });
        // the stored result is what this plan (EM's) returned when it finished: encodeResult wrote it
        if (this.ckpt.result) return decodeResult(this.ckpt.result, s.checkpoint) as unknown as CoordinatorResult<R>;
      }
      const ttl = Math.max(3_600_000, 2 * s.attempts * s.jobTimeout);
      requests = await Requests.open(deps, redis, keys, {
        prefix: s.prefix,
        shards: s.shards,
        csv: s.csv,
        blockRows: s.blockRows,
        attempts: s.attempts,
        jobTimeout: s.jobTimeout,
        ttl,
        signal: s.signal,
      });
      const out = await this.fit(plan, requests);
      await this.pending;
      await this.ckpt?.finish(encodeResult(out));
      return out;
    } catch (e) {
      if (isConnectionError(e)) throw redis.unavailable(`a command failed (${(e as Error).message})`);
      throw e;
    } finally {
      await requests?.close();
      await this.ckpt?.close();
      redis.close();
    }
  }

  /** One request: from the checkpoint's log if it is there, else on the workers (then logged). */
  private async ask(
    requests: Requests,
    kind: RequestKind,
    parts: ShardPart[],
    params: Uint8Array | null,
    hash: number,
    combine: (results: Uint8Array[]) => Uint8Array,
  ): Promise<Uint8Array> {
    await this.pending;
    throwIfAborted(this.s.signal);
    this.ckpt?.check();
    const n = this.next++;
    const logged = (await this.ckpt?.reply(n)) ?? null;
    if (logged) {
      this.s.onRequest?.({
        n,
        kind,
        shards: parts.length,
        publishMs: 0,
        waitMs: 0,
        readMs: 0,
        paramsBytes: 0,
        readBytes: logged.byteLength,
        replayed: true,
      });
      return logged;
    }
    const info = (i: RequestInfo): void => this.s.onRequest?.(i);
    let reply: Uint8Array;
    try {
      reply = combine(await requests.run(n, kind, parts, hash, params, info));
    } catch (e) {
      if (!(e instanceof StaleResultError)) throw e;
      // a completed flow whose results are gone or stale (left long ago under the same ids): run it afresh, once
      await requests.cleanup(n, parts);
      reply = combine(await requests.run(n, kind, parts, hash, params, info));
    }
    await this.ckpt?.log(n, reply, kind === 'estep' ? params : null);
    await requests.cleanup(n, parts);
    return reply;
  }

  private async fit<R extends EMResult>(plan: Plan<R>, requests: Requests): Promise<CoordinatorResult<R>> {
    const s = this.s;
    const all = s.shards.map((_, shard) => ({ shard, job: { k: plan.nComponents } }));
    const surveyed = await this.ask(requests, 'survey', all, null, 0, (r) =>
      enc.encode(`[${r.map((b) => dec.decode(b)).join(',')}]`),
    );
    const parts = JSON.parse(dec.decode(surveyed)) as SurveyPart[];
    const survey = combineSurveys(parts, s.shards, plan);
    const expect = (i: number): ShardExpectation => ({
      n: parts[i].n,
      d: parts[i].n > 0 ? parts[i].d : survey.d,
      checksum: parts[i].checksum,
    });
    const withRows = s.shards.map((_, i) => i).filter((i) => parts[i].n > 0);
    const local = plan.initialises ? await this.sample(plan, requests, survey, expect) : null;
    const backend = getBackend(plan.backend);
    const handlers: AsyncHandlers = {
      ...(local
        ? new RowServer(local.rows, local.weights, backend).handlers
        : refuseAll('a warm-started fitDistributed has no initialisation sample')),
      ...mathHandlers, // a warm start has no sample, but still takes M-steps
      ...plan.math,
      estep: async (req) => {
        const packed = packParams(req.params);
        const hash = fnv1a(packed, [req.hard ? 1 : 0, 0xe5]);
        const job = (i: number): ShardPart => ({
          shard: i,
          job: { expect: expect(i), hard: req.hard, wScale: survey.wScale, backend: plan.backend },
        });
        const bytes = await this.ask(requests, 'estep', withRows.map(job), packed, hash, ([merged]) => {
          if (unpackStats(merged, req.params.means).hash !== hash)
            throw new StaleResultError('the merged statistics answer another request');
          return merged;
        });
        const r = unpackStats(bytes, req.params.means.slice());
        if (r.hash !== hash) throw this.replayMismatch();
        this.backends |= r.backend;
        return r.stats;
      },
      worst: async (req) => {
        const packed = packParams(req.params);
        const hash = fnv1a(packed, [req.count, 0x77]);
        const job = (i: number): ShardPart => ({
          shard: i,
          job: { expect: expect(i), count: req.count, wScale: survey.wScale, backend: plan.backend },
        });
        const bytes = await this.ask(requests, 'worst', withRows.map(job), packed, hash, (results) => {
          // each shard's list is sorted with ties in row order: offered in shard order they give what one pass gives
          const col = new WorstCollector(req.count, survey.d);
          for (const b of results) {
            const w = unpackWorst(b);
            if (w.hash !== hash) throw new StaleResultError('worst rows answer another request');
            w.rows.forEach((row, i) => col.offer(w.lse[i], row));
          }
          return packWorst(col.result(), col.scores(), survey.d, hash);
        });
        const w = unpackWorst(bytes);
        if (w.hash !== hash) throw this.replayMismatch();
        return w.rows;
      },
    };
    const shape = local
      ? { n: local.rows.n, d: survey.d, weighted: local.weights !== null }
      : { n: survey.n, d: survey.d, weighted: survey.weighted };
    const result = await driveAsync(plan.steps(shape), handlers, () => {
      throwIfAborted(s.signal);
      this.ckpt?.check();
    });
    return { result, backend: this.backendName(backend.name), d: survey.d };
  }

  /** fitStream's reservoir sample over the shards in order (survey.ts), with weights scaled as fitStream scales them. */
  private async sample(
    plan: Plan<unknown>,
    requests: Requests,
    survey: Survey,
    expect: (i: number) => ShardExpectation,
  ) {
    const { d, n, wScale } = survey;
    const slots = reservoirSlots(n, this.s.initSampleSize, plan.seed);
    const wanted = sampleRequests(slots, survey.offsets, n);
    const parts = wanted.map((w) => ({ shard: w.shard, job: { indices: w.indices, expect: expect(w.shard) } }));
    const bytes = await this.ask(requests, 'sample', parts, null, 0, (results) => {
      const data = new Float64Array(slots.length * d);
      const weights = new Float64Array(slots.length);
      results.forEach((b, i) => {
        const r = unpackRows(b);
        wanted[i].slots.forEach((slot, j) => {
          data.set(r.data.subarray(j * d, (j + 1) * d), slot * d);
          weights[slot] = r.weights ? r.weights[j] * wScale : wScale;
        });
      });
      return packRows(data, survey.weighted ? weights : null, slots.length, d);
    });
    const r = unpackRows(bytes);
    return { rows: denseRows(r.data, d, r.n), weights: r.weights };
  }

  /** A logged reply that answers another request than the one asked: the run is not the one that wrote the log. */
  private replayMismatch(): CheckpointError {
    const name = this.s.checkpoint ?? '';
    return new CheckpointError(
      name,
      `checkpoint '${name}' logged a reply to another request than this run asks at request ${this.next - 1}: the fit is not ` +
        'deterministic across these runs (different backends on the coordinators?); delete the checkpoint and start again',
    );
  }

  /**
   * The backend every E-step ran on. When workers ran different kernels (wasm and js, or the two wasm builds — a
   * Node whose engine validates relaxed SIMD picks the fused build), a warning: results then depend in their last
   * digits on who served what.
   */
  private backendName(local: BackendName): BackendName {
    if (this.backends === 0) return local; // no E-step ran
    const js = (this.backends & KERNEL_CODE.js) !== 0;
    if (mixedKernels(this.backends)) {
      const names = (Object.keys(KERNEL_CODE) as (keyof typeof KERNEL_CODE)[]).filter(
        (k) => (this.backends & KERNEL_CODE[k]) !== 0,
      );
      warn(
        `fitDistributed: workers ran the E-steps on different kernels (${names.join(' and ')}), so the result may differ ` +
          'in the last digits from run to run; give every worker the same backend and Node version ' +
          "(backend: 'wasm' fails where wasm is unavailable; the relaxed-SIMD build is chosen where the engine validates it)",
        'GMM_MIXED_BACKENDS',
      );
    }
    return js ? 'js' : 'wasm';
  }
}

interface StoredResult {
  params: {
    k: number;
    d: number;
    covType: string;
    weights: number[];
    means: number[];
    covariances: number[];
    precChol: number[];
  };
  lowerBound: number | null;
  nIter: number;
  converged: boolean;
  resets: unknown[];
  backend: BackendName;
  d: number;
  /** MAP-EM's resolved prior (its data-dependent defaults), which the model keeps beside its parameters. */
  priorParams?: { shrinkage: number; mean: number[]; dof: number; scale: number[] } | null;
}

function encodeResult(r: CoordinatorResult<EMResult & { priorParams?: ResolvedPrior | null }>): StoredResult {
  const p = r.result.params;
  const prior = r.result.priorParams ?? null;
  return {
    params: {
      k: p.k,
      d: p.d,
      covType: p.covType,
      weights: Array.from(p.weights),
      means: Array.from(p.means),
      covariances: Array.from(p.covariances),
      precChol: Array.from(p.precChol),
    },
    lowerBound: Number.isFinite(r.result.lowerBound) ? r.result.lowerBound : null,
    nIter: r.result.nIter,
    converged: r.result.converged,
    resets: r.result.resets,
    backend: r.backend,
    d: r.d,
    priorParams: prior && { ...prior, mean: Array.from(prior.mean), scale: Array.from(prior.scale) },
  };
}

function decodeResult(v: unknown, name: string): CoordinatorResult<EMResult & { priorParams: ResolvedPrior | null }> {
  const r = v as StoredResult;
  const arrays =
    r?.params &&
    ['weights', 'means', 'covariances', 'precChol'].every((k) =>
      Array.isArray((r.params as unknown as Record<string, unknown>)[k]),
    );
  if (!arrays || !Number.isInteger(r.nIter))
    throw new CheckpointError(name, `checkpoint '${name}' holds a malformed result`);
  const params: Params = {
    k: r.params.k,
    d: r.params.d,
    covType: r.params.covType as Params['covType'],
    weights: Float64Array.from(r.params.weights),
    means: Float64Array.from(r.params.means),
    covariances: Float64Array.from(r.params.covariances),
    precChol: Float64Array.from(r.params.precChol),
  };
  return {
    result: {
      params,
      lowerBound: r.lowerBound ?? -Infinity,
      nIter: r.nIter,
      converged: r.converged,
      resets: r.resets as EMResult['resets'],
      priorParams: r.priorParams
        ? {
            ...r.priorParams,
            mean: Float64Array.from(r.priorParams.mean),
            scale: Float64Array.from(r.priorParams.scale),
          }
        : null,
    },
    backend: r.backend,
    d: r.d,
  };
}
