/**
 * (f) Job ids and idempotency for a restarted coordinator:
 *   1. which custom ids BullMQ accepts (':' is refused unless the id has exactly 3 parts; integers refused);
 *   2. re-adding the same flow (same parent/children ids) while it runs, after it completed, after it failed;
 *   3. the same with removeOnComplete on the children (ids become free again: do children run twice?);
 *   4. cleaning up a half-finished iteration: remove(parent, { removeChildren }) while a child is active.
 * Counts how many times the processor ran for each job id.
 *   node bench/distributed-experiments/06-idempotency.mjs
 */
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';
import { fmt, now, redis, report, sleep } from './lib.mjs';

const server = await redis.startRedis();
const connection = server.connection;
const Q = 'f';
const queue = new Queue(Q, { connection });
const runs = new Map();
let gate = null; // when set, children wait for it (to catch a flow mid-way)
const worker = new Worker(
  Q,
  async (job) => {
    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    if (job.data.fail) throw new Error('shard unreadable');
    if (job.name === 'estep' && gate) await gate;
    if (job.name === 'merge') return Object.keys(await job.getChildrenValues()).length;
    return job.data.shard;
  },
  { connection, concurrency: 4 },
);
const qe = new QueueEvents(Q, { connection });
await qe.waitUntilReady();
const flow = new FlowProducer({ connection });
const tree = (key, iter, childOpts = {}, failShard = -1) => ({
  name: 'merge',
  queueName: Q,
  data: {},
  opts: { jobId: `${key}-i${iter}`, failParentOnFailure: true },
  children: [0, 1, 2].map((i) => ({
    name: 'estep',
    queueName: Q,
    data: { shard: i, fail: i === failShard },
    opts: { jobId: `${key}-i${iter}-s${i}`, failParentOnFailure: true, ...childOpts },
  })),
});
const runCount = (prefix) =>
  [...runs]
    .filter(([id]) => id.startsWith(prefix))
    .map(([id, n]) => `${id.slice(prefix.length) || 'parent'}×${n}`)
    .join(' ');
const settle = async (id) => {
  for (let t = now(); now() - t < 10000; await sleep(25)) {
    const s = await queue.getJobState(id);
    if (s === 'completed' || s === 'failed') return s;
  }
  return 'timeout';
};

try {
  // 1. ids
  const ids = ['fit:abc:iter:3:shard:0', 'fit:abc:3', 'gm-abc-i3-s0', '12', 'fit|abc|i3|s0'];
  const verdicts = [];
  for (const id of ids) {
    try {
      const j = await queue.add('probe', {}, { jobId: id, delay: 3_600_000 });
      verdicts.push(`"${id}" ok`);
      await j.remove();
    } catch (e) {
      verdicts.push(`"${id}" refused (${e.message})`);
    }
  }
  report(`(f1) custom job ids: ${verdicts.join('; ')}`);

  // 2a. re-add while running
  {
    let open;
    gate = new Promise((r) => {
      open = r;
    });
    await flow.add(tree('run', 1));
    await sleep(300);
    const again = await flow.add(tree('run', 1));
    open();
    gate = null;
    const s = await settle('run-i1');
    report(
      `(f2) re-add while running: second add returned parent id ${again.job.id}; parent ${s}; runs ${runCount('run-i1')}; waiting+active left ${await queue.getJobCountByTypes('wait', 'active', 'waiting-children')}`,
    );
  }
  // 2b. re-add after completion
  {
    await flow.add(tree('done', 1));
    await settle('done-i1');
    const t = now();
    const again = await flow.add(tree('done', 1));
    await sleep(500);
    report(
      `(f2) re-add after completion: parent state ${await queue.getJobState('done-i1')}, returnvalue ${JSON.stringify((await queue.getJob('done-i1')).returnvalue)}; runs ${runCount('done-i1')} (add took ${fmt(now() - t)} ms, returned ${again.job.id})`,
    );
  }
  // 2c. re-add after failure, then remove + re-add
  {
    await flow.add(tree('bad', 1, { attempts: 1 }, 1));
    await settle('bad-i1');
    await flow.add(tree('bad', 1, { attempts: 1 }));
    await sleep(500);
    const stillFailed = await queue.getJobState('bad-i1');
    const removed = await queue.remove('bad-i1', { removeChildren: true });
    const leftChildren = await Promise.all([0, 1, 2].map((i) => queue.getJobState(`bad-i1-s${i}`)));
    await flow.add(tree('bad', 1, { attempts: 1 }));
    const s = await settle('bad-i1');
    report(
      `(f2) re-add after failure: parent stays ${stillFailed}; remove(parent, removeChildren) → ${removed}, children then ${leftChildren.join('/')}; re-add → ${s}; runs ${runCount('bad-i1')}`,
    );
  }
  // 3. removeOnComplete on children, then a re-add
  {
    await flow.add(tree('roc', 1, { removeOnComplete: true }));
    await settle('roc-i1');
    const childStates = await Promise.all([0, 1, 2].map((i) => queue.getJobState(`roc-i1-s${i}`)));
    let outcome;
    try {
      await flow.add(tree('roc', 1, { removeOnComplete: true }));
      await sleep(800);
      outcome = `parent ${await queue.getJobState('roc-i1')}, runs ${runCount('roc-i1')}`;
    } catch (e) {
      outcome = `re-add refused: ${e.message}`;
    }
    report(
      `(f3) children removeOnComplete: after the iteration children are ${childStates.join('/')}; re-add → ${outcome}`,
    );
  }
  // 4. remove a half-finished iteration while a child is active
  {
    let open;
    gate = new Promise((r) => {
      open = r;
    });
    await flow.add(tree('half', 1));
    for (let t = now(); (await queue.getJobState('half-i1-s0')) !== 'active' && now() - t < 5000; ) await sleep(20);
    let removal;
    try {
      removal = `→ ${await queue.remove('half-i1', { removeChildren: true })}`;
    } catch (e) {
      removal = `threw "${e.message}"`;
    }
    const states = await Promise.all(
      ['half-i1', 'half-i1-s0', 'half-i1-s1', 'half-i1-s2'].map((id) => queue.getJobState(id)),
    );
    open();
    gate = null;
    await sleep(500);
    const after = await Promise.all(['half-i1', 'half-i1-s0'].map((id) => queue.getJobState(id)));
    report(
      `(f4) remove(parent, removeChildren) while children are active: ${removal}; states parent/s0/s1/s2 ${states.join('/')}; after the active ones finish: parent ${after[0]}, s0 ${after[1]}`,
    );
  }
} finally {
  await Promise.all([worker.close(), qe.close(), flow.close(), queue.close()]);
  await server.stop();
}
