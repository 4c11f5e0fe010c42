/**
 * (c) A worker process SIGKILLed mid-job: how long until the job is seen as stalled and runs again elsewhere,
 * for several (lockDuration, stalledInterval) pairs; what happens to the killed worker's sandbox child when only
 * the worker's main process dies; a second kill of the same job vs maxStalledCount; and whether short locks
 * cause false stalls for long CPU-bound jobs when the machine is oversubscribed.
 *   node bench/distributed-experiments/03-kill.mjs [--part 1|2|3] [--with-defaults] [--pairs 30000:30000,3000:1000]
 * Part 1 runs the pairs (the 30 s/30 s defaults only with --with-defaults: up to a minute), two worker processes
 * in 'fork' sandbox mode, one 3 s job; the worker that took it is SIGKILLed 0.5 s after it started. Times are
 * from the kill: stalled = the 'stalled' event, rerun = the job active again, done = completed. (In part 1 the
 * kill comes 0.5 s after the job went active, often before the forked sandbox has even started the processor.)
 * Part 4: a forked sandbox child whose worker is SIGKILLed (main process only) while the child is surely inside
 * a 6 s CPU job: is it still alive, and burning CPU, 5–15 s after its job would have ended?
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fmt, now, queueEvents, redis, report, sleep, startWorkerProcess, stopWorkerProcess } from './lib.mjs';

const arg = (k) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : null);
const part = arg('--part') ?? 'all';
const server = await redis.startRedis();
const connection = server.connection;
const r = new Redis(connection);
const groupMembers = (pgid) => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
const waitState = async (job, states, ms = 120000) => {
  const t = now();
  let s;
  while (!states.includes((s = await job.getState())) && now() - t < ms) await sleep(25);
  return s;
};

/** Kill whichever of `workers` took `job` (once it has been active 0.5 s); returns { victim, killedAt }. */
async function killOwner(queue, job, workers, { group = true } = {}) {
  let victim;
  for (const t = now(); !victim && now() - t < 60000; await sleep(25)) {
    const j = await queue.getJob(job.id);
    if ((await j.getState()) === 'active') victim = workers.find((w) => `w${w.pid}` === j.processedBy);
  }
  await sleep(500);
  const killedAt = Date.now();
  await redis.killHard(victim, { group });
  return { victim, killedAt };
}

try {
  if (part === 'all' || part === '1') {
    const pairs = arg('--pairs')
      ?.split(',')
      .map((p) => p.split(':').map(Number)) ?? [
      [10000, 5000],
      [5000, 2000],
      [3000, 1000],
      [2000, 500],
    ];
    if (process.argv.includes('--with-defaults')) pairs.unshift([30000, 30000]);
    for (const [lockDuration, stalledInterval] of pairs) {
      for (const group of [true, false]) {
        const q = `c1-${lockDuration}-${stalledInterval}-${group}`;
        const queue = new Queue(q, { connection });
        const settings = {
          port: server.port,
          queue: q,
          mode: 'fork',
          lockDuration,
          stalledInterval,
          maxStalledCount: 1,
        };
        const workers = [await startWorkerProcess(settings), await startWorkerProcess(settings)];
        const job = await queue.add('burn', { op: 'burn', ms: 3000, v: 'ok' }, { attempts: 1 });
        const { victim, killedAt } = await killOwner(queue, job, workers, { group });
        const left = () => groupMembers(victim.pid).filter((p) => p !== victim.pid);
        const orphansAtKill = left();
        const state = await waitState(job, ['completed', 'failed'], 3 * (lockDuration + stalledInterval) + 10000);
        const ev = (await r.xrange(`bull:${q}:events`, '-', '+')).map(([id, kv]) => ({
          t: Number(id.split('-')[0]) - killedAt,
          event: kv[1],
        }));
        const at = (e, after = 0) => ev.find((x) => x.event === e && x.t > after)?.t;
        const stalled = at('stalled');
        report(
          `(c1) lockDuration ${lockDuration} stalledInterval ${stalledInterval} kill ${group ? 'group' : 'main only'}: ` +
            `stalled +${fmt((stalled ?? NaN) / 1000, 2)} s, rerun +${fmt((at('active', stalled ?? 0) ?? NaN) / 1000, 2)} s, ` +
            `${state} +${fmt((at(state === 'completed' ? 'completed' : 'failed') ?? NaN) / 1000, 2)} s` +
            (group
              ? ''
              : `; sandbox child of the killed worker: ${orphansAtKill.length ? `alive at kill, ${left().length ? 'still alive' : 'gone'} at the end` : 'gone at kill'}`),
        );
        for (const p of left())
          try {
            process.kill(p, 'SIGKILL');
          } catch {}
        await Promise.all(workers.filter((w) => w !== victim).map((w) => stopWorkerProcess(w)));
        await queue.close();
      }
    }
  }

  if (part === 'all' || part === '2') {
    // the same job loses two workers in a row: maxStalledCount 1 vs 2 (attempts: 3 either way)
    for (const maxStalledCount of [1, 2]) {
      const q = `c2-${maxStalledCount}`;
      const queue = new Queue(q, { connection });
      const settings = {
        port: server.port,
        queue: q,
        mode: 'fork',
        lockDuration: 2000,
        stalledInterval: 500,
        maxStalledCount,
      };
      const workers = [
        await startWorkerProcess(settings),
        await startWorkerProcess(settings),
        await startWorkerProcess(settings),
      ];
      const job = await queue.add('burn', { op: 'burn', ms: 2000, v: 'ok' }, { attempts: 3 });
      const k1 = await killOwner(queue, job, workers);
      const k2 = await killOwner(
        queue,
        job,
        workers.filter((w) => w !== k1.victim),
      );
      const state = await waitState(job, ['completed', 'failed'], 30000);
      const fresh = await queue.getJob(job.id);
      report(
        `(c2) two workers killed under the same job, maxStalledCount ${maxStalledCount}, attempts 3: ${state}` +
          `${fresh.failedReason ? ` ("${fresh.failedReason}")` : ''}, attemptsMade ${fresh.attemptsMade}, stalledCounter ${fresh.stalledCounter}, +${fmt((Date.now() - k2.killedAt) / 1000, 1)} s after the 2nd kill`,
      );
      await Promise.all(workers.filter((w) => w !== k1.victim && w !== k2.victim).map((w) => stopWorkerProcess(w)));
      await queue.close();
    }
  }

  if (part === 'all' || part === '3') {
    // false stalls: 4 worker processes on 2 cores, each busy with a 12 s CPU job in its sandbox, short locks
    for (const mode of ['fork', 'offload']) {
      for (const [lockDuration, stalledInterval] of [
        [2000, 500],
        [1000, 250],
      ]) {
        const q = `c3-${mode}-${lockDuration}`;
        const queue = new Queue(q, { connection });
        const settings = { port: server.port, queue: q, mode, lockDuration, stalledInterval, maxStalledCount: 5 };
        const workers = await Promise.all([0, 1, 2, 3].map(() => startWorkerProcess(settings)));
        const jobs = await Promise.all([0, 1, 2, 3].map((i) => queue.add('burn', { op: 'burn', ms: 12000, v: i })));
        const t = now();
        for (const j of jobs) await waitState(j, ['completed', 'failed'], 120000);
        const ev = await queueEvents(r, q);
        report(
          `(c3) ${mode.padEnd(7)} 4 workers × 12 s CPU jobs on 2 cores, lockDuration ${lockDuration} stalledInterval ${stalledInterval}: ` +
            `stalled×${ev.filter((e) => e.event === 'stalled').length}, completed×${ev.filter((e) => e.event === 'completed').length} in ${fmt((now() - t) / 1000, 1)} s`,
        );
        await Promise.all(workers.map((w) => stopWorkerProcess(w)));
        await queue.close();
      }
    }
  }
  if (part === 'all' || part === '4') {
    const q = 'c4';
    const queue = new Queue(q, { connection });
    const w = await startWorkerProcess({ port: server.port, queue: q, mode: 'fork' });
    // warm the sandbox first, so the next job runs in an initialised child at once
    const warm = await queue.add('echo', { op: 'echo' });
    await waitState(warm, ['completed']);
    const job = await queue.add('burn', { op: 'burn', ms: 6000 });
    await waitState(job, ['active']);
    await sleep(1500);
    const kid = Number(
      execFileSync('ps', ['-o', 'pid=', '--ppid', String(w.pid)], { encoding: 'utf8' })
        .trim()
        .split(/\s+/)[0],
    );
    await redis.killHard(w); // main process only
    const cpu = () => {
      try {
        const f = readFileSync(`/proc/${kid}/stat`, 'utf8').split(') ')[1].split(' ');
        return { state: f[0], ppid: f[1], cpuS: (Number(f[11]) + Number(f[12])) / 100 };
      } catch {
        return null;
      }
    };
    await sleep(9500); // the job would have ended 5 s ago
    const a = cpu();
    await sleep(10000);
    const b = cpu();
    report(
      `(c4) fork sandbox orphaned mid-job by SIGKILL of its worker: 5 s after its job would have ended ${a ? `state ${a.state} ppid ${a.ppid}` : 'gone'}; ` +
        `15 s after ${b ? `state ${b.state}, ${fmt(b.cpuS - a.cpuS, 1)} CPU s burnt in those 10 s` : 'gone'}`,
    );
    try {
      process.kill(kid, 'SIGKILL');
    } catch {}
    await queue.close();
  }
} finally {
  r.disconnect();
  await server.stop();
}
