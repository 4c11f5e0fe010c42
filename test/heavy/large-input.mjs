/**
 * Heavy test (npm run test:heavy; CI runs it after npm test): a fit whose X is larger than WebAssembly's 4 GiB
 * address space, on the wasm backend.
 *
 * X is N = 7e7 rows × D = 8 features of float64 = 4.48 GB in one Float64Array (V8 allows typed arrays beyond
 * 2^32 bytes), passed as { data, rows, cols }. The wasm instance only ever holds fixed-size blocks of rows, so the
 * fit must work — and the process must not hold a second copy of X (peak RSS ≈ X + small).
 *
 * Correctness, independently of the library: the two components are 40 standard deviations apart, so after the first
 * E-step every responsibility is 0 or 1 to within e^-500 and EM's fixed point is the per-cluster sample moments.
 * This script computes those moments itself (plain JS, two-pass centered sums) and checks weights, means and
 * covariances against them (1e-9), plus the generating parameters (sampling error, 1e-2).
 *
 * HEAVY_N=… runs a smaller instance (the > 4 GiB assertion is then skipped).
 */
import { GaussianMixture } from '../../dist/index.js';

const N = Number(process.env.HEAVY_N ?? 7e7);
const D = 8;
const K = 2;
const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
const gib = (b) => (b / 2 ** 30).toFixed(2);
const fail = (msg) => {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
};

// --- generating parameters: means 40σ apart, full covariances L·Lᵀ with unit-ish scales
const trueW = [0.3, 0.7];
const trueMu = [
  Array.from({ length: D }, (_, j) => (j % 2 ? 5 : -3) + j * 0.25),
  Array.from({ length: D }, (_, j) => (j % 2 ? 5 : -3) + j * 0.25 + 40),
];
const L = [0, 1].map((c) =>
  Array.from({ length: D }, (_, i) =>
    Array.from({ length: D }, (_, j) =>
      j > i ? 0 : j === i ? 0.6 + 0.1 * ((i + c) % 5) : 0.15 * Math.sin(1 + i * 3 + j * 7 + c),
    ),
  ),
);
const trueCov = L.map((l) => l.map((ri, _i) => l.map((rj) => ri.reduce((s, v, p) => s + v * rj[p], 0))));

// --- data: xorshift128+ uniforms, Box–Muller normals
let s0 = 0x9e3779b9 >>> 0,
  s1 = 0x85ebca6b >>> 0,
  s2 = 0xc2b2ae35 >>> 0,
  s3 = 0x27d4eb2f >>> 0;
function u32() {
  // xoshiro128**
  const r = Math.imul((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = (s3 << 11) | (s3 >>> 21);
  return r;
}
const uniform = () => (u32() + 0.5) / 4294967296;
let spare = NaN;
function normal() {
  if (!Number.isNaN(spare)) {
    const v = spare;
    spare = NaN;
    return v;
  }
  const r = Math.sqrt(-2 * Math.log(uniform()));
  const a = 2 * Math.PI * uniform();
  spare = r * Math.sin(a);
  return r * Math.cos(a);
}

const X = new Float64Array(N * D);
if (N >= 7e7 && !(X.byteLength > 2 ** 32)) fail('X is not larger than 4 GiB');
const z = new Float64Array(D);
for (let i = 0; i < N; i++) {
  const c = uniform() < trueW[0] ? 0 : 1;
  for (let j = 0; j < D; j++) z[j] = normal();
  const l = L[c];
  const o = i * D;
  for (let a = 0; a < D; a++) {
    let v = trueMu[c][a];
    for (let b = 0; b <= a; b++) v += l[a][b] * z[b];
    X[o + a] = v;
  }
}
console.log(
  `generated X: ${N} × ${D} float64 = ${gib(X.byteLength)} GiB (${X.byteLength} bytes; wasm32 addresses at most 4 GiB) in ${secs()} s`,
);

// --- independent reference: per-cluster sample moments (cluster = nearer generating mean in coordinate 0)
const split = (trueMu[0][0] + trueMu[1][0]) / 2;
const count = [0, 0];
const sum = [new Float64Array(D), new Float64Array(D)];
const blockSum = [new Float64Array(D), new Float64Array(D)];
for (let i = 0; i < N; i++) {
  const o = i * D;
  const c = X[o] < split ? 0 : 1;
  count[c]++;
  const bs = blockSum[c];
  for (let j = 0; j < D; j++) bs[j] += X[o + j];
  if ((i & 4095) === 4095 || i === N - 1)
    for (const cc of [0, 1]) {
      for (let j = 0; j < D; j++) sum[cc][j] += blockSum[cc][j];
      blockSum[cc].fill(0);
    }
}
const refMu = sum.map((s, c) => Array.from(s, (v) => v / count[c]));
const scat = [new Float64Array(D * D), new Float64Array(D * D)];
const blockScat = [new Float64Array(D * D), new Float64Array(D * D)];
const dv = new Float64Array(D);
for (let i = 0; i < N; i++) {
  const o = i * D;
  const c = X[o] < split ? 0 : 1;
  for (let j = 0; j < D; j++) dv[j] = X[o + j] - refMu[c][j];
  const bs = blockScat[c];
  for (let a = 0; a < D; a++) for (let b = a; b < D; b++) bs[a * D + b] += dv[a] * dv[b];
  if ((i & 4095) === 4095 || i === N - 1)
    for (const cc of [0, 1]) {
      for (let t = 0; t < D * D; t++) scat[cc][t] += blockScat[cc][t];
      blockScat[cc].fill(0);
    }
}
const regCovar = 1e-6;
const refCov = scat.map((m, c) =>
  Array.from({ length: D }, (_, a) =>
    Array.from({ length: D }, (_, b) => m[Math.min(a, b) * D + Math.max(a, b)] / count[c] + (a === b ? regCovar : 0)),
  ),
);
const refW = count.map((n) => n / N);
console.log(`reference moments computed (plain JS) at ${secs()} s; cluster sizes ${count.join(', ')}`);

// --- the fit: wasm backend, a rough start (means 1 off, identity precisions), 3 iterations
const rssBefore = process.memoryUsage().rss;
const tFit = performance.now();
const identity = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => (i === j ? 1 : 0)));
const gm = new GaussianMixture({
  nComponents: K,
  covarianceType: 'full',
  backend: 'wasm',
  maxIter: 3,
  tol: 0,
  regCovar,
  weightsInit: [0.5, 0.5],
  meansInit: trueMu.map((m) => m.map((v) => v + 1)),
  precisionsInit: [identity, identity],
  onIteration: ({ iter, lowerBound }) =>
    console.log(`  iteration ${iter}: lower bound ${lowerBound.toFixed(6)} (${secs()} s)`),
});
process.removeAllListeners('warning'); // the expected "did not converge within maxIter = 3" warning
gm.fit({ data: X, rows: N, cols: D });
const fitSeconds = (performance.now() - tFit) / 1000;
if (gm.backend !== 'wasm') fail(`backend is ${gm.backend}, expected wasm`);

// --- checks
let worst = 0;
const rel = (a, b, scale) => Math.abs(a - b) / Math.max(Math.abs(b), scale);
const order = gm.means[0][0] < gm.means[1][0] ? [0, 1] : [1, 0];
order.forEach((m, c) => {
  worst = Math.max(worst, rel(gm.weights[m], refW[c], 1e-12));
  for (let j = 0; j < D; j++) worst = Math.max(worst, rel(gm.means[m][j], refMu[c][j], 1));
  const cov = gm.covariances[m];
  for (let a = 0; a < D; a++)
    for (let b = 0; b < D; b++) worst = Math.max(worst, rel(cov[a][b], refCov[c][a][b], 1e-2));
});
let truthErr = 0;
order.forEach((m, c) => {
  truthErr = Math.max(truthErr, Math.abs(gm.weights[m] - trueW[c]));
  for (let j = 0; j < D; j++) truthErr = Math.max(truthErr, Math.abs(gm.means[m][j] - trueMu[c][j]));
  for (let a = 0; a < D; a++)
    for (let b = 0; b < D; b++) truthErr = Math.max(truthErr, Math.abs(gm.covariances[m][a][b] - trueCov[c][a][b]));
});
const sample = { data: X.subarray(0, 1e6 * D), rows: Math.min(N, 1e6), cols: D };
const labels = gm.predict(sample);
let mislabeled = 0;
for (let i = 0; i < sample.rows; i++) if (labels[i] !== order[X[i * D] < split ? 0 : 1]) mislabeled++;

const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  `fit: ${fitSeconds.toFixed(1)} s for ${gm.nIter} EM iterations (+ validation and summary passes) on ${gm.backend}`,
);
console.log(`max relative deviation from the independently computed moments: ${worst.toExponential(2)} (limit 1e-9)`);
console.log(
  `max absolute deviation from the generating parameters: ${truthErr.toExponential(2)} (sampling error; limit 1e-2)`,
);
console.log(`mislabeled among the first ${sample.rows} rows: ${mislabeled}`);
console.log(`RSS before fit ${gib(rssBefore)} GiB; peak RSS ${gib(peak)} GiB (X alone: ${gib(X.byteLength)} GiB)`);
console.log(`total ${secs()} s`);
if (!(worst < 1e-9)) fail('fitted parameters differ from the per-cluster sample moments');
if (!(truthErr < 1e-2)) fail('fitted parameters are far from the generating ones');
if (mislabeled !== 0) fail('labels differ from the clusters');
if (!(peak < X.byteLength + 1.5 * 2 ** 30)) fail('peak RSS suggests X was copied');
console.log('OK');
