/**
 * A coordinator process for the tests: fitDistributed from the built gaussmix/distributed with the model options,
 * shards and fit options given as JSON. Prints one JSON line per EM iteration ({"iter": …}), then the result
 * ({"model": toJSON(), "replayed": requests answered from the checkpoint's log}) or the error ({"error": …}).
 *   node test/helpers/distributed-coordinator.mjs '{"model":{…},"shards":[…],"options":{…}}'
 */
import { fitDistributed } from '../../dist/distributed.js';

const { model, shards, options } = JSON.parse(process.argv[2]);
let replayed = 0;
try {
  const gm = await fitDistributed(model, shards, {
    ...options,
    onIteration: (i) => console.log(JSON.stringify({ iter: i.iter, init: i.init, lowerBound: i.lowerBound })),
    onRequest: (r) => {
      if (r.replayed) replayed++;
    },
  });
  console.log(JSON.stringify({ model: gm.toJSON(), replayed }));
} catch (e) {
  console.log(JSON.stringify({ error: { name: e.name, message: e.message } }));
  process.exitCode = 1;
}
