/**
 * How fitAsync's handlers share an EM M-step out (drivers/workers/handlers.ts): channels that answer in this thread
 * with the function a worker runs (mathHandlers' mStepChecked) stand in for the workers, so the test sees which part
 * each was asked for, what comes back joined, and which error wins when parts fail in either order of time.
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../../src/drivers/workers/channel.js';
import { type Team, workerHandlers } from '../../../../src/drivers/workers/handlers.js';
import type { Request } from '../../../../src/em/protocol.js';
import { mStepChecked, type MStepOptions } from '../../../../src/model/mstep.js';
import type { Params } from '../../../../src/model/params.js';
import { emptyStats, type SufficientStats } from '../../../../src/model/stats.js';
import { Random } from '../../../../src/util/random.js';

/** Statistics of k components in d dimensions with positive definite scatters (n rows each), around zero means. */
function problem(k: number, d: number, seed = 1): { st: SufficientStats; prev: Params } {
  const rng = new Random(seed);
  const st = emptyStats(k, d, 'full', new Float64Array(k * d));
  st.sumW = 100 * k;
  for (let c = 0; c < k; c++) {
    st.nk[c] = 100;
    const b = Float64Array.from({ length: d * d }, () => rng.normal());
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = i === j ? 100 : 0;
        for (let p = 0; p < d; p++) s += b[i * d + p] * b[j * d + p];
        st.sxx[c * d * d + i * d + j] = s;
      }
  }
  const eye = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) for (let i = 0; i < d; i++) eye[c * d * d + i * d + i] = 1;
  const prev: Params = {
    k,
    d,
    covType: 'full',
    weights: new Float64Array(k).fill(1 / k),
    means: new Float64Array(k * d),
    covariances: eye,
    precChol: eye.slice(),
  };
  return { st, prev };
}

type Answer = (req: Request<'mstep'>) => Promise<unknown>;

/** A team of channels answering 'mstep' with `answer(i)`, recording what each was asked. */
function team(answers: Answer[]): { t: Team; asked: Request<'mstep'>[][] } {
  const asked: Request<'mstep'>[][] = answers.map(() => []);
  const channels = answers.map(
    (answer, i) =>
      ({
        ask: (req: Request<'mstep'>) => {
          asked[i].push(req);
          return answer(req);
        },
      }) as unknown as Channel,
  );
  const t: Team = {
    channels,
    seedChunks: answers.map(() => [0, 0]),
    chunks: 0,
    d: 0,
    segments: answers.length,
    claim: null,
    race: (p) => p,
    share: async (r) => r,
  };
  return { t, asked };
}

const local: Answer = async (req) => mStepChecked(req.st, req.prev, req.options);
const options: MStepOptions = { covType: 'full', regCovar: 1e-6, freeze: [], iteration: 3 };

describe("fitAsync's M-step in parts", () => {
  it('asks each worker for its part and joins them into the whole step, bit for bit', async () => {
    const { st, prev } = problem(8, 32);
    const whole = mStepChecked(st, prev, options);
    for (const workers of [2, 3]) {
      const { t, asked } = team(Array.from({ length: workers }, () => local));
      const got = await workerHandlers(t).mstep({ type: 'mstep', st, prev, options });
      expect(asked.map((a) => a.map((r) => r.options.part))).toEqual(
        Array.from({ length: workers }, (_, index) => [{ index, count: workers }]),
      );
      expect(got.params.covariances).toEqual(whole.params.covariances);
      expect(got.params.precChol).toEqual(whole.params.precChol);
      expect(got.params.means).toEqual(whole.params.means);
      expect(got.degenerate).toEqual(whole.degenerate);
    }
  });

  it('leaves a cheap M-step (K·D³ < 2¹⁸) to worker 0, whole', async () => {
    const { st, prev } = problem(4, 16);
    const { t, asked } = team([local, local]);
    await workerHandlers(t).mstep({ type: 'mstep', st, prev, options });
    expect(asked[0].map((r) => r.options.part)).toEqual([undefined]);
    expect(asked[1]).toEqual([]);
  });

  it("rejects with the lowest part's error, whichever part fails first", async () => {
    const { st, prev } = problem(8, 32);
    const failLater =
      (msg: string, ms: number): Answer =>
      () =>
        new Promise((_, reject) => setTimeout(() => reject(new Error(msg)), ms));
    for (const [a, b] of [
      [30, 0],
      [0, 30],
    ]) {
      const { t } = team([failLater('part 0', a), failLater('part 1', b)]);
      await expect(workerHandlers(t).mstep({ type: 'mstep', st, prev, options })).rejects.toThrow('part 0');
    }
    const { t } = team([local, failLater('part 1', 0)]);
    await expect(workerHandlers(t).mstep({ type: 'mstep', st, prev, options })).rejects.toThrow('part 1');
  });
});
