/**
 * (e) Redis down or unreachable: how ioredis/BullMQ behave and which settings give a clear error in bounded time.
 *   1. nothing listens on the port: Queue.add with BullMQ's defaults; with enableOfflineQueue: false; with a
 *      bounded retryStrategy; a pre-flight ioredis PING (lazyConnect, no retries, connectTimeout);
 *   2. a "hung" Redis (accepts TCP, never answers): the same, plus commandTimeout;
 *   3. Redis killed while the coordinator waits in waitUntilFinished (no worker): does the wait ever end? which
 *      events fire on the QueueEvents / Queue, and how soon?
 *   4. a Worker (defaults) while Redis is down 3 s and comes back on the same port: does it resume?
 *   5. the proposed coordinator pattern (_coordinator-down.mjs, in a child process): own ioredis clients with
 *      bounded reconnects passed to BullMQ as instances, a watchdog on their 'end', teardown by disconnect();
 *      Redis killed while it waits: time to a clear error, and does the process then exit on its own?
 * Every wait is capped (CAP ms) so the script itself never hangs.
 *   node bench/distributed-experiments/05-redis-down.mjs
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fmt, here, now, redis, report, sleep } from './lib.mjs';

const CAP = 12000;
/** Runs `fn` with a cap; resolves with "ok (x ms)" / "error after x ms: msg" / "still pending after CAP". */
async function timed(fn, cap = CAP) {
  const t = now();
  let timer;
  const capP = new Promise((res) => {
    timer = setTimeout(() => res(`still pending after ${cap} ms`), cap);
  });
  const run = (async () => {
    try {
      await fn();
      return `ok after ${fmt(now() - t, 0)} ms`;
    } catch (e) {
      return `error after ${fmt(now() - t, 0)} ms: ${e.message.split('\n')[0]}`;
    }
  })();
  const out = await Promise.race([run, capP]);
  clearTimeout(timer);
  return out;
}
const quiet = (emitter, counter) =>
  emitter.on('error', (e) => {
    counter.n++;
    counter.last = e.message;
  });
const failFast = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (times) => (times > 2 ? null : 250),
};

/** A server that accepts connections and never answers (a hung Redis / a black-holing proxy). */
async function hungServer() {
  const sockets = [];
  const srv = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: srv.address().port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      srv.close();
    },
  };
}

async function tryQueue(label, connection) {
  const errs = { n: 0 };
  const q = new Queue('e', { connection });
  quiet(q, errs);
  const out = await timed(() => q.add('x', {}));
  report(`(e) ${label}: queue.add ${out}; 'error' events ${errs.n}${errs.last ? ` (last: ${errs.last})` : ''}`);
  await timed(() => q.close(), 3000).then((c) => c.startsWith('still') && report(`(e)   ... and queue.close() ${c}`));
}

async function preflight(label, opts) {
  const c = new Redis({
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...opts,
  });
  c.on('error', () => {});
  const out = await timed(async () => {
    await c.connect();
    await c.ping();
  });
  report(`(e) ${label}: pre-flight connect+PING ${out}`);
  c.disconnect();
}

try {
  // 1. nothing listening
  {
    const port = await redis.freePort();
    await tryQueue('refused, BullMQ defaults', { host: '127.0.0.1', port });
    await tryQueue('refused, enableOfflineQueue false', { host: '127.0.0.1', port, enableOfflineQueue: false });
    await tryQueue('refused, fail-fast (no offline queue, 1 retry/request, ≤2 reconnects)', {
      host: '127.0.0.1',
      port,
      ...failFast,
    });
    await preflight('refused', { host: '127.0.0.1', port, connectTimeout: 2000 });
  }
  // 2. hung server
  {
    const h = await hungServer();
    await tryQueue('hung, BullMQ defaults', { host: '127.0.0.1', port: h.port });
    await tryQueue('hung, fail-fast', { host: '127.0.0.1', port: h.port, ...failFast });
    await tryQueue('hung, fail-fast + commandTimeout 2000', {
      host: '127.0.0.1',
      port: h.port,
      ...failFast,
      commandTimeout: 2000,
    });
    await preflight('hung', { host: '127.0.0.1', port: h.port, connectTimeout: 2000 });
    await preflight('hung, commandTimeout 2000', {
      host: '127.0.0.1',
      port: h.port,
      connectTimeout: 2000,
      commandTimeout: 2000,
    });
    h.close();
  }
  // 3. Redis dies while the coordinator waits
  for (const [label, extra] of [
    ['defaults', {}],
    ['fail-fast', failFast],
  ]) {
    const server = await redis.startRedis();
    const connection = { ...server.connection, ...extra };
    const q = new Queue('e3', { connection });
    const qe = new QueueEvents('e3', { connection: server.connection });
    const qErr = { n: 0 },
      eErr = { n: 0 };
    quiet(q, qErr);
    quiet(qe, eErr);
    let firstErrAt = null;
    qe.on('error', () => {
      firstErrAt ??= now();
    });
    await qe.waitUntilReady();
    const job = await q.add('x', {});
    setTimeout(() => server.kill(), 1000);
    const t = now();
    const out = await timed(() => job.waitUntilFinished(qe));
    report(
      `(e) Redis killed 1 s into waitUntilFinished (queue ${label}): ${out}; QueueEvents 'error' ×${eErr.n} (first ${firstErrAt ? `${fmt(firstErrAt - t - 1000, 0)} ms after the kill` : 'never'}), Queue 'error' ×${qErr.n}`,
    );
    const closing = await timed(() => Promise.all([q.close(), qe.close()]), 5000);
    if (closing.startsWith('still')) report(`(e)   ... close() ${closing}`);
    await server.stop();
  }
  // 4. a worker across a Redis restart on the same port
  {
    let server = await redis.startRedis();
    const port = server.port;
    const wErr = { n: 0 };
    const done = [];
    const w = new Worker(
      'e4',
      async (job) => {
        done.push(job.data.i);
      },
      { connection: server.connection },
    );
    quiet(w, wErr);
    await w.waitUntilReady();
    await server.kill();
    await sleep(3000);
    server = await redis.startRedis({ port });
    const up = now();
    const q = new Queue('e4', { connection: server.connection });
    await q.add('x', { i: 1 });
    while (!done.length && now() - up < 30000) await sleep(50);
    report(
      `(e) Worker (defaults) with Redis down 3 s then back on port ${server.port === port ? 'the same port' : 'ANOTHER port'}: ` +
        `${done.length ? `resumed, first job done ${fmt(now() - up, 0)} ms after restart` : 'did not resume in 30 s'}; worker 'error' events ×${wErr.n}`,
    );
    await Promise.all([w.close(), q.close()]);
    await server.stop();
  }
  // 5. the coordinator pattern
  {
    const server = await redis.startRedis();
    const child = spawn(process.execPath, [join(here, '_coordinator-down.mjs'), String(server.port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let errAt = null;
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('error') && errAt === null) errAt = now();
    });
    const exited = new Promise((r) => child.once('exit', r));
    while (!out.includes('waiting')) await sleep(20);
    const killedAt = now();
    await server.kill();
    const res = await Promise.race([exited.then(() => 'exit'), sleep(CAP).then(() => 'cap')]);
    const line = out.split('\n').find((l) => l.startsWith('error') || l === 'ok') ?? '(nothing)';
    report(
      `(e) coordinator pattern, Redis killed while waiting: error ${errAt ? fmt(errAt - killedAt, 0) : '?'} ms after the kill: "${line.replace(/^error \d+ /, '')}"; process ${res === 'exit' ? `exited by itself ${fmt(now() - killedAt, 0)} ms after the kill` : `STILL RUNNING after ${CAP} ms`}`,
    );
    if (res === 'cap') await redis.killHard(child);
    // and with nothing listening at all
    const t = now();
    const c2 = spawn(process.execPath, [join(here, '_coordinator-down.mjs'), String(await redis.freePort())], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out2 = '';
    c2.stdout.on('data', (d) => {
      out2 += d;
    });
    const res2 = await Promise.race([
      new Promise((r) => c2.once('exit', r)).then(() => 'exit'),
      sleep(CAP).then(() => 'cap'),
    ]);
    report(
      `(e) coordinator pattern, nothing listening: error ${out2.trim().split(' ')[1]} ms after the script started: "${out2.trim().replace(/^error \d+ /, '')}"; process ${res2 === 'exit' ? `exited ${fmt(now() - t, 0)} ms after start` : 'STILL RUNNING'}`,
    );
    if (res2 === 'cap') await redis.killHard(c2);
  }
} finally {
  // nothing else to stop
}
