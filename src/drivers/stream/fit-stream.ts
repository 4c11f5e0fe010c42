/**
 * Streaming (out-of-core) fits: the same algorithm as `fit` (EM's `emLoop`, or any plan), served by passes over a re-iterable source of row chunks,
 * so memory is O(chunk + block + init sample) whatever the number of rows.
 *
 * Passes: one survey pass (row count, ranges for the overflow check, distinct rows, the largest sample weight, and a
 * reservoir sample for initialisation), then one pass per EM iteration (plus one per reset under onDegenerate:
 * 'reset'). Initialisation's requests are answered over the reservoir sample (`initSampleSize` rows, default 10 000;
 * the data itself when smaller, so fitStream then equals fit on the same rows to rounding: chunks are added in a
 * different order). weightsInit + meansInit + precisionsInit, or warmStart, skip it.
 */
import { DataError } from '../../api/errors.js';
import type { ResolvedStreamOptions } from '../../api/options.js';
import type { Plan, RowPass } from '../plan.js';
import { getBackend } from '../../backends/index.js';
import type { BackendName } from '../../backends/types.js';
import { Workspace } from '../../backends/workspace.js';
import { checkSummary, SummaryBuilder, type DataSummary } from '../../data/summary.js';
import { driveAsync, refuseAll } from '../../em/drive.js';
import type { AsyncHandlers } from '../../em/protocol.js';
import { addStats, type SufficientStats } from '../../model/stats.js';
import { Random } from '../../util/random.js';
import { throwIfAborted } from '../async.js';
import type { ObservedMeans } from '../../data/missing.js';
import { extension } from '../../extensions.js';
import { mathHandlers } from '../local/math.js';
import { RowServer } from '../local/row-server.js';
import { collectWorst, WorstCollector } from '../local/worst.js';
import { Reservoir } from './reservoir.js';
import { Checksum } from './checksum.js';
import { passes, pull, toChunk, type Chunk, type ChunkSource, type CsvMeta } from './source.js';

export type { ChunkSource, StreamChunk } from './source.js';

/** What the survey pass learns of the stream. */
interface Survey {
  n: number;
  d: number;
  weighted: boolean;
  /** Exact power-of-two scale that brings the largest weight to about 1 (as fit does). */
  wScale: number;
  summary: DataSummary;
  sample: Reservoir | null;
  /** Under missing: 'marginalize', each column's observed mean over the stream (data/missing.ts) if it has a NaN. */
  fill: Float64Array | null;
  /** The rows' and weights' fingerprint (checksum.ts), which every later pass must reproduce. */
  checksum: number;
}

/** Pass 0: count, ranges, distinct rows, largest weight, reservoir sample; then fit's checks of the data. */
async function survey(
  start: () => AsyncIterable<unknown>,
  plan: Plan<unknown>,
  so: ResolvedStreamOptions,
): Promise<Survey> {
  const k = plan.nComponents;
  let d = plan.features ?? -1;
  let n = 0;
  let weighted = false;
  let maxW = 0;
  let rawSumW = 0;
  let builder: SummaryBuilder | null = null;
  let sample: Reservoir | null = null;
  let means: ObservedMeans | null = null;
  const reservoirRng = new Random(plan.seed).fork(); // its own stream: init draws from a fresh Random(seed), as fit
  let buf = new Float64Array(0);
  const sum = new Checksum();
  for await (const raw of pull(start(), so.signal)) {
    const c = toChunk(raw, n, d < 0 ? undefined : d, plan.missing);
    if (!c) continue;
    if (d < 0) d = c.rows.d;
    builder ??= new SummaryBuilder(d, k);
    if (plan.missing === 'marginalize') means ??= new (extension('missing').ObservedMeans)(d);
    if (plan.initialises) sample ??= new Reservoir(so.initSampleSize, d, reservoirRng);
    if (buf.length < c.rows.n * d) buf = new Float64Array(c.rows.n * d);
    c.rows.copyRows(0, c.rows.n, buf, 0);
    builder.add(buf, c.rows.n, c.w);
    means?.add(buf, c.rows.n, c.w);
    sum.add(buf, c.rows.n, d, c.w);
    weighted ||= c.w !== null;
    if (c.w) {
      for (let i = 0; i < c.w.length; i++) {
        if (c.w[i] > maxW) maxW = c.w[i];
        rawSumW += c.w[i];
      }
    } else {
      if (maxW < 1) maxW = 1;
      rawSumW += c.rows.n;
    }
    sample?.offer(buf, c.rows.n, c.w);
    n += c.rows.n;
  }
  throwIfAborted(so.signal);
  if (!builder || n === 0) throw new DataError('the stream yielded no rows');
  // Weights are relative: scale by a power of two so the largest is about 1 (as fit does), exactly.
  const wScale = weighted && maxW > 0 ? 2 ** -Math.max(-1000, Math.min(1000, Math.floor(Math.log2(maxW)))) : 1;
  const summary = builder.finish();
  const sumW = Math.min(2 * n, rawSumW * wScale);
  if (!(sumW > 0)) throw new DataError('sampleWeight must not be all zero');
  if (summary.positive < k) {
    throw new DataError(
      `nComponents = ${k} needs at least ${k} samples${weighted ? ' with positive weight' : ''}; the stream has ${summary.positive}`,
    );
  }
  checkSummary(
    { ...summary, sumW: Number.isFinite(sumW) ? sumW : 2 * n },
    k,
    plan.onDegenerate,
    weighted,
    'the stream',
  );
  sample?.scaleWeights(wScale);
  // a stream without any NaN takes exactly the path it takes without the option
  const fill = means && means.missing > 0 ? means.finish('the stream', weighted) : null;
  return { n, d, weighted, wScale, summary, sample, fill, checksum: sum.value };
}

/**
 * The passes after the survey: each runs `visit` over the stream's chunks, weights scaled as the survey decided, and
 * checks that the stream yielded the same rows as on its first pass (count and fingerprint), as every pass of EM
 * must see the same data.
 */
function laterPasses(
  start: () => AsyncIterable<unknown>,
  missing: Plan<unknown>['missing'],
  so: ResolvedStreamOptions,
  s: Survey,
): (visit: (c: Chunk) => void) => Promise<void> {
  const { n, d, wScale } = s;
  let buf = new Float64Array(0);
  return async (visit) => {
    let seen = 0;
    const sum = new Checksum();
    for await (const raw of pull(start(), so.signal)) {
      const c = toChunk(raw, seen, d, missing);
      if (!c) continue;
      if (buf.length < c.rows.n * d) buf = new Float64Array(c.rows.n * d);
      c.rows.copyRows(0, c.rows.n, buf, 0);
      sum.add(buf, c.rows.n, d, c.w);
      if (c.w && wScale !== 1) for (let i = 0; i < c.w.length; i++) c.w[i] *= wScale;
      visit(c);
      seen += c.rows.n;
    }
    throwIfAborted(so.signal);
    if (seen !== n) {
      throw new DataError(
        `the stream yielded ${n} rows on its first pass but ${seen} on a later one: the source must yield the same rows on every call`,
      );
    }
    if (sum.value !== s.checksum) {
      throw new DataError(
        'the stream yielded different rows (or weights) on a later pass than on its first, in the same number: the source must yield the same rows on every call',
      );
    }
  };
}

/** The plan a start made from the sample and passes over the stream gives (Plan.fromSample). */
function startFromSample<R>(
  fromSample: NonNullable<Plan<R>['fromSample']>,
  sample: Reservoir,
  pass: (visit: (c: Chunk) => void) => Promise<void>,
  d: number,
): Promise<Plan<R>> {
  let block = new Float64Array(0);
  const rowPass: RowPass = (visit) =>
    pass((c) => {
      if (block.length < c.rows.n * d) block = new Float64Array(c.rows.n * d);
      c.rows.copyRows(0, c.rows.n, block, 0);
      visit(block, c.rows.n);
    });
  return fromSample({ rows: sample.rows, w: sample.weights }, rowPass);
}

/** Runs a plan's algorithm over a chunk source. */
export async function fitStream<R>(
  source: ChunkSource | string,
  plan: Plan<R>,
  so: ResolvedStreamOptions,
): Promise<{ result: R; backend: BackendName; d: number; header: string[] | null }> {
  const meta: CsvMeta = { header: null };
  const start = passes(source, so.csv, plan.missing, meta);
  throwIfAborted(so.signal);
  const backend = getBackend(plan.backend);
  const s = await survey(start, plan, so);
  const { n, d, wScale } = s;

  const pass = laterPasses(start, plan.missing, so, s);
  const run = plan.fromSample && s.sample ? await startFromSample(plan.fromSample, s.sample, pass, d) : plan;
  const resp = run.respInit && s.sample?.rows.n === run.respInit.n ? run.respInit.values : null;

  // rows with missing values (missing: 'marginalize') take the observed-data path chunk by chunk (local/observed.ts),
  // an extension gaussmix/core leaves out (its options refuse the mode before a stream is read)
  const mx = s.fill ? extension('missing') : null;
  // Initialisation's requests go to the sample; E-passes and the worst rows are passes over the stream.
  const local = !s.sample
    ? refuseAll('a warm-started fitStream has no initialisation sample')
    : mx
      ? mx.localServer(s.sample.rows, s.sample.weights, backend, s.fill, undefined, resp).handlers
      : new RowServer(s.sample.rows, s.sample.weights, backend, undefined, resp).handlers;
  let ws: Workspace | null = null;
  const observed = mx ? new mx.ObservedPass(backend) : null;
  const handlers: AsyncHandlers = {
    ...local,
    ...mathHandlers, // a warm start has no sample, but still takes M-steps
    ...run.math,
    estep: async (req) => {
      ws = ws?.fits(req.params) ? ws : new Workspace(backend, req.params);
      ws.load(req.params);
      const w = ws;
      observed?.load(req.params);
      let total: SufficientStats | null = null;
      let rank = 0; // incomplete rows in earlier chunks: the missing-value path cuts its blocks by this numbering
      await pass((c) => {
        const split = mx ? mx.RowSplit.of(c.rows) : null;
        let st: SufficientStats;
        if (split && split.incomplete.length > 0) {
          st = observed!.accumulate(split, c.w, split.completeWeights(c.w), 0, c.rows.n, rank);
          rank += split.incomplete.length;
        } else st = w.accumulate(c.rows, c.w, req.hard);
        total = total ? addStats(total, st) : st;
      });
      return total!;
    },
    worst: async (req) => {
      const col = new WorstCollector(req.count, d);
      const wws = Workspace.of(backend, req.params);
      observed?.load(req.params);
      await pass((c) =>
        mx && observed
          ? mx.collectObservedWorst(c.rows, c.w, observed, col)
          : collectWorst(c.rows, c.w, req.params, col, backend, wws),
      );
      return col.result();
    },
  };
  const shape = s.sample
    ? { n: s.sample.rows.n, d, weighted: s.sample.weights !== null, weightScale: wScale }
    : { n, d, weighted: s.weighted, weightScale: wScale };
  const result = await driveAsync(run.steps(shape), handlers);
  return { result, backend: backend.name, d, header: meta.header };
}
