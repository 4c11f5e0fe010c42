/**
 * A distributed worker process for the tests: startWorker from the built gaussmix/distributed with the settings
 * given as JSON (fast stall detection, no cache…). Prints "ready <pid>" once serving; SIGTERM stops it gracefully.
 *   node test/helpers/distributed-worker.mjs '{"connection":"redis://127.0.0.1:6379","concurrency":1,...}'
 */
import { startWorker } from '../../dist/distributed.js';

const o = JSON.parse(process.argv[2]);
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());
await startWorker({
  ...o,
  signal: stop.signal,
  onReady: () => console.log(`ready ${process.pid}`),
  onError: (e) => console.error(`worker ${process.pid}: ${e.message}`),
});
