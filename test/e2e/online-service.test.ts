/**
 * The online-service example end to end: examples/online-service/server.mjs on a free loopback port, fed events over
 * HTTP. Scores are log p(x) under the model as it was before the batch (checked against the library scoring with
 * the model the service reports), the model follows a stream whose clusters move, bad requests get 4xx with the
 * library's message, and a restart with --state continues from the saved running state.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index.js';
import { Random } from '../../src/util/random.js';

const script = fileURLToPath(new URL('../../examples/online-service/server.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gaussmix-service-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the service and resolves to its base URL (the first line it prints). */
function start(extra: string[]): Promise<{ url: string; child: ChildProcess; banner: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the service printed no URL within 15 s: ${out}${err}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/)\n(.*)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, banner: m[2] });
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with code ${code}: ${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** What the service answers (the fields of its routes, and toJSON's for GET /model). */
interface Reply {
  scores: (number | null)[];
  nSeen: number;
  nBatches: number;
  error: string;
  means: number[][];
  online: { nSeen: number; nBatches: number };
}

async function call(url: string, method: string, body?: unknown): Promise<{ status: number; json: Reply }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** Events around two centers, which move by `shift` (a drifting stream). */
function events(rng: Random, n: number, shift = 0): number[][] {
  return Array.from({ length: n }, (_, i) => {
    const c = i % 2 === 0 ? [0, 0] : [8, 8];
    return [c[0] + shift + rng.normal(), c[1] + rng.normal()];
  });
}

describe('examples/online-service', () => {
  it('scores events under the current model, learns from them, follows a drift and resumes from --state', async () => {
    const state = join(dir, 'model.json');
    const rng = new Random(1);
    const args = ['--components', '2', '--warmup', '200', '--learning-rate', '0.2', '--state', state];
    let s = await start(args);
    expect(s.banner).toMatch(/warming up: the first 200 events fit the model/);
    expect((await call(`${s.url}model`, 'GET')).status).toBe(503);

    // warm-up: the first 200 events are buffered, then fitted; nothing is scored yet
    let r = await call(`${s.url}events`, 'POST', { events: events(rng, 120) });
    expect(r.json).toEqual({ scores: new Array(120).fill(null), nSeen: 0, nBatches: 0 });
    r = await call(`${s.url}events`, 'POST', { events: events(rng, 80) });
    expect(r.json.nSeen).toBe(200);

    // scores are log p(x) under the model before the batch: the library, given the model the service reports, agrees
    const batch = [...events(rng, 50), [30, -30]];
    const before = GaussianMixture.fromJSON((await call(`${s.url}model`, 'GET')).json);
    r = await call(`${s.url}events`, 'POST', { events: batch });
    expect(r.status).toBe(200);
    const want = before.scoreSamples(batch);
    r.json.scores.forEach((v, i) => expect(v).toBeCloseTo(want[i], 10));
    expect(r.json.scores[50]!).toBeLessThan(Math.min(...(r.json.scores.slice(0, 50) as number[])) - 100); // the outlier stands out
    expect([r.json.nSeen, r.json.nBatches]).toEqual([251, 2]);
    // /score scores without learning
    const scored = await call(`${s.url}score`, 'POST', { events: batch.slice(0, 3) });
    expect(scored.json.scores).toHaveLength(3);
    expect((await call(`${s.url}model`, 'GET')).json.online.nSeen).toBe(251);

    // the clusters move by 4 along x: the model follows
    const meanXs = async () => (await call(`${s.url}model`, 'GET')).json.means.map((m) => m[0]).sort((a, b) => a - b);
    expect((await meanXs())[0]).toBeCloseTo(0, 0);
    for (let b = 0; b < 25; b++) await call(`${s.url}events`, 'POST', { events: events(rng, 100, 4) });
    const moved = await meanXs();
    expect(moved[0]).toBeCloseTo(4, 0);
    expect(moved[1]).toBeCloseTo(12, 0);

    // bad requests: the client's fault, with the reason
    r = await call(`${s.url}events`, 'POST', { events: [[1, 2, 3]] });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/3 features \(columns\) but the model was fitted on 2/);
    expect((await call(`${s.url}events`, 'POST', '{"events": [')).status).toBe(400);
    expect((await call(`${s.url}events`, 'POST', { rows: [] })).json.error).toMatch(/body must be \{"events"/);
    expect((await call(`${s.url}nope`, 'GET')).status).toBe(404);

    // a restart continues from the saved running state
    const saved = (await call(`${s.url}model`, 'GET')).json;
    await stop(s.child);
    s = await start(args);
    expect(s.banner).toBe(`resumed from ${state}: ${saved.online.nSeen} events in ${saved.online.nBatches} batches`);
    expect((await call(`${s.url}model`, 'GET')).json).toEqual(saved);
    const next = events(rng, 40, 4);
    r = await call(`${s.url}events`, 'POST', { events: next });
    const local = GaussianMixture.fromJSON(saved).partialFit(next);
    expect((await call(`${s.url}model`, 'GET')).json).toEqual(JSON.parse(JSON.stringify(local.toJSON())));
    await stop(s.child);
  });

  it('refuses bad options at start', async () => {
    await expect(start(['--components', '0'])).rejects.toThrow(/nComponents must be an integer ≥ 1; got 0/);
    await expect(start(['--components', '3', '--warmup', '2'])).rejects.toThrow(
      /--warmup must be an integer ≥ --components/,
    );
  });
});
