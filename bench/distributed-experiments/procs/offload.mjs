/**
 * 'offload' mode: an in-process BullMQ processor that runs the CPU work of procs/echo.mjs on its own
 * worker_threads Worker (one per concurrency slot, reused), so the event loop that renews BullMQ's locks never
 * blocks. Binary results come back as transferred ArrayBuffers (no copy, no JSON) and, for op 'setkey', are
 * written to Redis by this (main) thread — the way the gaussmix worker would return packed statistics.
 */
import { Worker as Thread } from 'node:worker_threads';
import { Redis } from 'ioredis';

const threadSrc = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, d }) => {
  try {
    if (d.op === 'burn') {
      const end = Date.now() + d.ms; let x = 0;
      while (Date.now() < end) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
      parentPort.postMessage({ id, value: d.v ?? x });
    } else if (d.op === 'bytes' || d.op === 'setkey') {
      const b = new Uint8Array(d.n); for (let i = 0; i < d.n; i++) b[i] = i & 255;
      parentPort.postMessage({ id, bytes: b.buffer }, [b.buffer]);
    } else if (d.op === 'fail') {
      parentPort.postMessage({ id, error: d.message ?? 'failed on purpose' });
    } else parentPort.postMessage({ id, value: d.v ?? null });
  } catch (e) { parentPort.postMessage({ id, error: String(e) }); }
});`;

export function makeOffloadProcessor(connection) {
  const idle = [];
  let seq = 0;
  let client = null;
  const run = (d) =>
    new Promise((resolve, reject) => {
      const t = idle.pop() ?? new Thread(threadSrc, { eval: true });
      const id = ++seq;
      const onMsg = (m) => {
        if (m.id !== id) return;
        t.off('message', onMsg);
        t.off('error', onErr);
        idle.push(t);
        m.error ? reject(new Error(m.error)) : resolve(m);
      };
      const onErr = (e) => {
        t.off('message', onMsg);
        reject(e);
      };
      t.on('message', onMsg);
      t.once('error', onErr);
      t.postMessage({ id, d });
    });
  const processor = async (job) => {
    const d = job.data;
    const m = await run(d);
    if (d.op === 'setkey') {
      client ??= new Redis(connection);
      await client.set(d.key, Buffer.from(m.bytes), 'PX', 600_000);
      return { key: d.key, bytes: m.bytes.byteLength };
    }
    if (m.bytes) return Buffer.from(m.bytes).toString('base64');
    return m.value;
  };
  processor.close = async () => {
    await Promise.all(idle.map((t) => t.terminate()));
    client?.disconnect();
  };
  return processor;
}
