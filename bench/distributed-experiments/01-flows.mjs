/**
 * (a) Flows: a parent + N children. Measures/answers:
 *   - is the parent processed only after every child completed (children finishing in shuffled order)?
 *   - in what order does job.getChildrenValues() list the children (creation? completion?) and what are its keys?
 *   - where does a child's return value end up (job hash, parent's :processed hash, the events stream) and how
 *     much Redis memory one iteration's return values cost, for 8 children × {1 kB, 100 kB, 1 MB} of stats;
 *   - the alternative: each child SETs its packed statistics under its own key and returns only the key; the
 *     parent reads the keys in shard order (GETBUFFER pipeline) — time to collect 8 × 1 MB either way.
 *   node bench/distributed-experiments/01-flows.mjs
 */
import { FlowProducer, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { fmt, now, redis, report, sleep } from './lib.mjs';

const server = await redis.startRedis();
const connection = server.connection;
const r = new Redis(connection);
try {
  // --- ordering: children complete in a shuffled order; record the parent's view ---
  {
    const N = 8;
    const order = [5, 2, 7, 0, 3, 6, 1, 4]; // completion order of shard indices
    const finished = [];
    let parentStartedAfter = null;
    const w = new Worker(
      'a-order',
      async (job) => {
        if (job.name === 'merge') {
          parentStartedAfter = finished.length;
          const vals = await job.getChildrenValues();
          return { keys: Object.keys(vals), shards: Object.values(vals).map((v) => v.shard) };
        }
        await sleep(30 * order.indexOf(job.data.shard)); // finish in `order`
        finished.push(job.data.shard);
        return { shard: job.data.shard };
      },
      { connection, concurrency: N },
    );
    const qe = new QueueEvents('a-order', { connection });
    await qe.waitUntilReady();
    const flow = new FlowProducer({ connection });
    const tree = await flow.add({
      name: 'merge',
      queueName: 'a-order',
      data: {},
      opts: { jobId: 'fit-k-iter-1' },
      children: Array.from({ length: N }, (_, i) => ({
        name: 'estep',
        queueName: 'a-order',
        data: { shard: i },
        opts: { jobId: `fit-k-iter-1-shard-${i}` },
      })),
    });
    const res = await tree.job.waitUntilFinished(qe, 20000);
    report(
      `(a) completion order ${JSON.stringify(finished)}; parent started after ${parentStartedAfter}/${N} children`,
    );
    report(`(a) getChildrenValues order (shards): ${JSON.stringify(res.shards)}; keys look like ${res.keys[0]}`);
    // what is in the parent's :processed hash, and which encoding
    const enc = await r.call('OBJECT', 'ENCODING', 'bull:a-order:fit-k-iter-1:processed');
    report(`(a) parent's processed hash encoding: ${enc}`);
    await Promise.all([w.close(), qe.close(), flow.close()]);
  }

  // --- size: where return values are stored and what they cost ---
  for (const bytes of [1_000, 100_000, 1_000_000]) {
    const q = `a-size-${bytes}`;
    const N = 8;
    const payload = 'x'.repeat(bytes); // stands for a JSON / base64 payload of that many bytes
    const w = new Worker(
      q,
      async (job) => {
        if (job.name === 'merge') {
          const t = now();
          const vals = await job.getChildrenValues();
          return {
            ms: now() - t,
            n: Object.keys(vals).length,
            total: Object.values(vals).reduce((s, v) => s + v.length, 0),
          };
        }
        return payload;
      },
      { connection, concurrency: N },
    );
    const qe = new QueueEvents(q, { connection });
    await qe.waitUntilReady();
    const flow = new FlowProducer({ connection });
    const before = Number((await r.info('memory')).match(/used_memory:(\d+)/)[1]);
    const t0 = now();
    const tree = await flow.add({
      name: 'merge',
      queueName: q,
      data: {},
      children: Array.from({ length: N }, (_, i) => ({ name: 'estep', queueName: q, data: { shard: i } })),
    });
    const res = await tree.job.waitUntilFinished(qe, 60000);
    const total = now() - t0;
    const after = Number((await r.info('memory')).match(/used_memory:(\d+)/)[1]);
    const streamMem = Number(await r.call('MEMORY', 'USAGE', `bull:${q}:events`));
    const procMem = Number(await r.call('MEMORY', 'USAGE', `bull:${q}:${tree.job.id}:processed`));
    const childId = tree.children[0].job.id;
    const inHash = await r.hstrlen(`bull:${q}:${childId}`, 'returnvalue');
    report(
      `(a) ${N} children × ${bytes} B return value: flow ${fmt(total)} ms, getChildrenValues ${fmt(res.ms)} ms (${res.total} B); ` +
        `Redis +${fmt((after - before) / 1e6, 2)} MB (events stream ${fmt(streamMem / 1e6, 2)} MB, parent processed hash ${fmt(procMem / 1e6, 2)} MB, child hash returnvalue ${inHash} B)`,
    );
    await Promise.all([w.close(), qe.close(), flow.close()]);
  }

  // --- alternative: children write packed stats to their own keys; the parent reads them in shard order ---
  {
    const q = 'a-keys';
    const N = 8;
    const bytes = 1_000_000;
    const stats = Buffer.alloc(bytes, 7);
    const w = new Worker(
      q,
      async (job) => {
        if (job.name === 'merge') {
          const t = now();
          const p = r.pipeline();
          for (let i = 0; i < job.data.n; i++) p.getBuffer(`${job.data.prefix}:shard:${i}`);
          const got = (await p.exec()).map(([e, b]) => (e ? null : b));
          return { ms: now() - t, total: got.reduce((s, b) => s + b.length, 0) };
        }
        await r.set(`${job.data.prefix}:shard:${job.data.shard}`, stats, 'PX', 600_000);
        return { key: `${job.data.prefix}:shard:${job.data.shard}`, bytes };
      },
      { connection, concurrency: N },
    );
    const qe = new QueueEvents(q, { connection });
    await qe.waitUntilReady();
    const flow = new FlowProducer({ connection });
    const before = Number((await r.info('memory')).match(/used_memory:(\d+)/)[1]);
    const t0 = now();
    const tree = await flow.add({
      name: 'merge',
      queueName: q,
      data: { prefix: 'gm:k:iter:1', n: N },
      children: Array.from({ length: N }, (_, i) => ({
        name: 'estep',
        queueName: q,
        data: { prefix: 'gm:k:iter:1', shard: i },
      })),
    });
    const res = await tree.job.waitUntilFinished(qe, 60000);
    const total = now() - t0;
    const after = Number((await r.info('memory')).match(/used_memory:(\d+)/)[1]);
    report(
      `(a) ${N} children SET ${bytes} B binary each, return {key}: flow ${fmt(total)} ms, parent pipeline GET ${fmt(res.ms)} ms (${res.total} B); Redis +${fmt((after - before) / 1e6, 2)} MB`,
    );
    await Promise.all([w.close(), qe.close(), flow.close()]);
  }
} finally {
  r.disconnect();
  await server.stop();
}
