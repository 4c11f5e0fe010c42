/**
 * (e, continued) Redis killed at the moment the coordinator starts waiting for a job, 6 times each: with
 * Job.waitUntilFinished (its async Promise executor lets the rejected first poll escape: unhandled
 * MaxRetriesPerRequestError, the process dies) vs the own wait of _coordinator-down.mjs (QueueEvents + a handled
 * poll, ended by the connection watchdog). Reports how each run ended and when the process exited.
 *   node bench/distributed-experiments/05b-wait-crash.mjs; USE_WAIT_UNTIL_FINISHED=1 node ...
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { here, redis, report, sleep } from './lib.mjs';
const res = [];
for (let i = 0; i < 6; i++) {
  const server = await redis.startRedis();
  const child = spawn(process.execPath, [join(here, '_coordinator-down.mjs'), String(server.port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '',
    err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  for (let k = 0; !out.includes('waiting') && k < 1000; k++) await sleep(5);
  await server.kill();
  const t = Date.now();
  const how = await Promise.race([
    new Promise((r) => child.once('exit', () => r('exit'))),
    sleep(15000).then(() => 'hang'),
  ]);
  if (how === 'hang') child.kill('SIGKILL');
  res.push(
    `${err.includes('MaxRetries') ? 'CRASH' : out.includes('error') ? 'clean error' : `other:${JSON.stringify(out + err).slice(0, 200)}`} ${how} ${Date.now() - t}ms`,
  );
}
report(process.env.USE_WAIT_UNTIL_FINISHED ? 'waitUntilFinished' : 'own wait', res.join(', '));
