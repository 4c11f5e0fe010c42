#!/usr/bin/env node
/**
 * A small HTTP service that scores events and learns from them online (GaussianMixture.partialFit), on Node's `http`
 * with no framework. Every batch of events posted is first scored under the current model (log p(x): low means
 * unusual), then learned from, so the model follows the stream; with --state the model and its running state are
 * saved after every update and loaded at start, so a restart continues exactly where the last run stopped.
 *
 *   npm run build                                  # once: creates dist/ (a real service imports 'gaussmix')
 *   node examples/online-service/server.mjs --components 3 --learning-rate 0.05 --state model.json
 *
 *   POST /events  {"events": [[x1, x2, …], …]}  → {"scores": [log p(x) | null, …], "nSeen", "nBatches"}
 *                 scores are null while the service warms up: the first --warmup events are buffered and fitted by
 *                 EM (the first partialFit) before any is scored
 *   POST /score   {"events": [[…], …]}          → {"scores": […]}   (scores only, learns nothing)
 *   GET  /model                                 → the model as JSON (toJSON: parameters and running state)
 *
 * Options: --port (default 0: any free port), --host (default 127.0.0.1), --components (3), --covariance (full),
 * --learning-rate (a constant in (0, 1]; default the library's decaying schedule), --warmup (events before the
 * first fit, default 500), --state (a JSON file to resume from and save to). The first line printed is the URL.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { GaussianMixture, GaussianMixtureError } from '../../dist/index.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    components: { type: 'string', default: '3' },
    covariance: { type: 'string', default: 'full' },
    'learning-rate': { type: 'string' },
    warmup: { type: 'string', default: '500' },
    state: { type: 'string' },
  },
});

const MAX_BODY = 1 << 20; // bytes per request: a service must bound what one client can make it hold
const warmup = Number(args.warmup);

/** The model: loaded from --state when the file exists, else a new one that the first --warmup events will fit. */
function loadModel() {
  if (args.state && existsSync(args.state)) return GaussianMixture.fromJSON(readFileSync(args.state, 'utf8'));
  const options = { nComponents: Number(args.components), covarianceType: args.covariance, seed: 0 };
  if (args['learning-rate'] !== undefined) options.learningRate = Number(args['learning-rate']);
  return new GaussianMixture(options); // validates: a bad option stops the service here, with the library's message
}

let model;
try {
  model = loadModel();
} catch (e) {
  console.error(`online-service: ${e.message}`);
  process.exit(2);
}
if (!model.isFitted && !(Number.isInteger(warmup) && warmup >= model.options.nComponents)) {
  console.error(`online-service: --warmup must be an integer ≥ --components (${model.options.nComponents})`);
  process.exit(2);
}
/** Events received before the model exists (at most --warmup of them). */
let pending = [];

/** Saves atomically: a crash mid-write leaves the previous state, never half a file. */
function save() {
  if (!args.state) return;
  const tmp = `${args.state}.tmp`;
  writeFileSync(tmp, JSON.stringify(model.toJSON()));
  renameSync(tmp, args.state);
}

/** Scores `events` under the current model, then learns from them. */
function ingest(events) {
  if (!model.isFitted) {
    pending.push(...events);
    if (pending.length >= warmup) {
      const first = pending;
      pending = []; // a failed first fit drops the buffer (its error goes back to the client): memory stays bounded
      model.partialFit(first); // the first batch: fitted by EM (initParams, seeded)
      save();
    }
    return { scores: events.map(() => null) };
  }
  const scores = Array.from(model.scoreSamples(events)); // before learning: how unusual each event was
  model.partialFit(events);
  save();
  return { scores };
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function readEvents(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes: post fewer events at a time`);
    chunks.push(chunk);
  }
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `body is not JSON: ${e.message}`);
  }
  const events = body?.events;
  if (!Array.isArray(events) || events.length === 0) {
    throw new HttpError(400, 'body must be {"events": [[x1, x2, …], …]} with at least one event');
  }
  if (!model.isFitted) {
    // the library checks rows against the fitted model; before it exists, the first event fixes the width
    const d = pending[0]?.length ?? events[0]?.length;
    const bad = events.findIndex((e) => !Array.isArray(e) || e.length !== d || !e.every(Number.isFinite));
    if (bad >= 0) throw new HttpError(400, `events[${bad}] must be an array of ${d} finite numbers`);
  }
  return events;
}

const send = (res, status, value) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
};

const server = createServer(async (req, res) => {
  try {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && pathname === '/events') {
      const result = ingest(await readEvents(req));
      return send(res, 200, { ...result, nSeen: model.nSeen, nBatches: model.nBatches });
    }
    if (req.method === 'POST' && pathname === '/score') {
      const events = await readEvents(req);
      if (!model.isFitted) throw new HttpError(503, `warming up: ${pending.length} of ${warmup} events so far`);
      return send(res, 200, { scores: Array.from(model.scoreSamples(events)) });
    }
    if (req.method === 'GET' && pathname === '/model') {
      if (!model.isFitted) throw new HttpError(503, `warming up: ${pending.length} of ${warmup} events so far`);
      return send(res, 200, model.toJSON());
    }
    throw new HttpError(404, `no route ${req.method} ${pathname}: POST /events, POST /score, GET /model`);
  } catch (e) {
    // the library's errors name the problem (a wrong number of features, a non-finite value…): the client's fault
    const status = e instanceof HttpError ? e.status : e instanceof GaussianMixtureError ? 400 : 500;
    if (status === 500) console.error(e);
    send(res, status, { error: e.message });
  }
});

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  console.log(`http://${args.host}:${port}/`);
  console.log(
    model.isFitted
      ? `resumed from ${args.state}: ${model.nSeen} events in ${model.nBatches} batches`
      : `warming up: the first ${warmup} events fit the model`,
  );
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
