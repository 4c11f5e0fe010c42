/**
 * Child of 05-redis-down.mjs part 5: the coordinator pattern proposed for fitDistributed — its own ioredis
 * clients (bounded reconnects), passed to BullMQ as instances; a watchdog that turns a lost connection into an
 * error; teardown by disconnect(). Prints "error <ms> <message>" or "ok"; the parent checks it exits by itself.
 *   node _coordinator-down.mjs PORT
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';

const port = Number(process.argv[2]);
const t0 = performance.now();
const clients = [];
let lastError = null;
let fail;
const lost = new Promise((_, reject) => {
  fail = reject;
});
lost.catch(() => {});
function client(blocking) {
  const c = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 2000,
    // blocking connection (QueueEvents' XREAD BLOCK): no per-command retry limit and no command timeout, as BullMQ needs
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: blocking,
    ...(blocking ? {} : { commandTimeout: 5000 }),
    retryStrategy: (times) => (times > 3 ? null : 200), // ~1 s of reconnecting, then 'end'
  });
  c.on('error', (e) => {
    lastError = e;
  });
  c.on('end', () =>
    fail(new Error(`Redis at 127.0.0.1:${port} unreachable: ${lastError?.message ?? 'connection closed'}`)),
  );
  clients.push(c);
  return c;
}
/**
 * Waits for a job to finish without Job.waitUntilFinished, whose async Promise executor lets a Redis error in its
 * first isFinished poll escape as an unhandled rejection (seen here: the process died of MaxRetriesPerRequestError).
 * QueueEvents for promptness, plus a handled poll of the job's state every second as a safety net.
 */
const cleanups = [];
function waitFinished(q, qe, id) {
  return new Promise((resolve, reject) => {
    cleanups.push(() => done(() => {})());
    const done = (f) => (x) => {
      clearInterval(poll);
      qe.off('completed', onC);
      qe.off('failed', onF);
      f(x);
    };
    const ok = done(resolve),
      ko = done(reject);
    const onC = (e) => e.jobId === id && ok(e.returnvalue);
    const onF = (e) => e.jobId === id && ko(new Error(e.failedReason));
    qe.on('completed', onC);
    qe.on('failed', onF);
    const check = () =>
      q.getJobState(id).then(
        (s) => {
          if (s === 'completed' || s === 'failed')
            q.getJob(id).then(
              (j) => (s === 'completed' ? ok(j.returnvalue) : ko(new Error(j.failedReason))),
              () => {},
            );
        },
        () => {},
      ); // a failed poll is not an answer: the connection watchdog decides
    const poll = setInterval(check, 1000);
    check();
  });
}
const deadline = (p, ms, what) =>
  Promise.race([
    p,
    lost,
    new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
  ]);
let q, qe;
try {
  const main = client(false),
    events = client(true);
  await deadline(Promise.all([main.connect(), events.connect()]), 5000, 'connect');
  q = new Queue('e5', { connection: main });
  qe = new QueueEvents('e5', { connection: events });
  q.on('error', () => {});
  qe.on('error', () => {});
  await deadline(qe.waitUntilReady(), 5000, 'QueueEvents');
  const job = await deadline(q.add('x', {}), 5000, 'add');
  console.log('waiting');
  await deadline(
    process.env.USE_WAIT_UNTIL_FINISHED ? job.waitUntilFinished(qe) : waitFinished(q, qe, job.id),
    60000,
    'job',
  );
  console.log('ok');
} catch (e) {
  // ioredis' own rejection is often just "Connection is closed.": name the cause it reported as an 'error' event
  const cause = lastError && !e.message.includes(lastError.message) ? ` (${lastError.message})` : '';
  console.log(`error ${(performance.now() - t0).toFixed(0)} ${e.message}${cause}`);
} finally {
  for (const f of cleanups) f(); // the wait's poll timer and listeners, when the watchdog ended it
  for (const c of clients) c.disconnect();
  // and close the BullMQ objects (their close() may wait on the dead connection: bounded)
  await Promise.race([Promise.allSettled([q?.close(), qe?.close()]), new Promise((r) => setTimeout(r, 1000).unref())]);
  if (process.env.SHOW_HANDLES)
    setTimeout(() => console.error('active:', process.getActiveResourcesInfo().join(',')), 2000).unref();
}
