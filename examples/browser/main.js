// The browser example: plain ES module, no build step. Served from the repository root (examples/browser/serve.mjs).
import { BayesianGaussianMixture, GaussianMixture, init } from '../../dist/browser.js';

const COLORS = [
  '#2f6fde',
  '#e8743b',
  '#2e9e5b',
  '#d64550',
  '#8e5cc4',
  '#1a9ba1',
  '#b8860b',
  '#6b8e23',
  '#c71585',
  '#4682b4',
];
// Plot domain (data units), chosen around Old Faithful with room for a 2σ ellipse.
const X_DOMAIN = [1.2, 5.6];
const Y_DOMAIN = [38, 100];
const MARGIN = { left: 58, right: 16, top: 14, bottom: 48 };

const $ = (id) => document.getElementById(id);
const canvas = $('plot');
const ctx = canvas.getContext('2d');
const controls = {
  k: $('k'),
  cov: $('cov'),
  backend: $('backend'),
  seed: $('seed'),
  bayesian: $('bayesian'),
  prior: $('prior'),
  noise: $('noise'),
};
// The Bayesian switch fits this many components and lets the variational posterior empty the ones not needed.
const MAX_COMPONENTS = 10;

let base = []; // the shipped data, rows [eruptions, waiting]
let added = []; // rows the user clicked in
let model = null; // last successful GaussianMixture (for the Bayesian fit: its active components, pruned)
let labels = null; // argmax responsibilities per row (index into model's components; -1: none)
let certainty = null; // max responsibility per row
let fitCount = 0;

window.__gaussmix = { ready: false, fitCount: 0 };

// ---------------------------------------------------------------- drawing

const cssWidth = canvas.width;
const cssHeight = canvas.height;
function setupCanvas() {
  // Sharp on HiDPI screens: backing store at device pixels, drawing in CSS pixels.
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssWidth * dpr);
  canvas.height = Math.round(cssHeight * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
}

const plotW = cssWidth - MARGIN.left - MARGIN.right;
const plotH = cssHeight - MARGIN.top - MARGIN.bottom;
const px = (x) => MARGIN.left + ((x - X_DOMAIN[0]) / (X_DOMAIN[1] - X_DOMAIN[0])) * plotW;
const py = (y) => MARGIN.top + (1 - (y - Y_DOMAIN[0]) / (Y_DOMAIN[1] - Y_DOMAIN[0])) * plotH;
const dataX = (p) => X_DOMAIN[0] + ((p - MARGIN.left) / plotW) * (X_DOMAIN[1] - X_DOMAIN[0]);
const dataY = (p) => Y_DOMAIN[0] + (1 - (p - MARGIN.top) / plotH) * (Y_DOMAIN[1] - Y_DOMAIN[0]);

function rgba(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

function drawAxes() {
  ctx.fillStyle = '#fbfcfd';
  ctx.fillRect(MARGIN.left, MARGIN.top, plotW, plotH);
  ctx.font = '12px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let x = 1.5; x <= X_DOMAIN[1] + 1e-9; x += 0.5) {
    const p = Math.round(px(x)) + 0.5;
    ctx.strokeStyle = '#e6e9ee';
    ctx.beginPath();
    ctx.moveTo(p, MARGIN.top);
    ctx.lineTo(p, MARGIN.top + plotH);
    ctx.stroke();
    ctx.fillStyle = '#5f6b7a';
    ctx.fillText(x.toFixed(1), p, MARGIN.top + plotH + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let y = 40; y <= Y_DOMAIN[1]; y += 10) {
    const p = Math.round(py(y)) + 0.5;
    ctx.strokeStyle = '#e6e9ee';
    ctx.beginPath();
    ctx.moveTo(MARGIN.left, p);
    ctx.lineTo(MARGIN.left + plotW, p);
    ctx.stroke();
    ctx.fillStyle = '#5f6b7a';
    ctx.fillText(String(y), MARGIN.left - 8, p);
  }
  ctx.strokeStyle = '#b8c0cc';
  ctx.strokeRect(MARGIN.left + 0.5, MARGIN.top + 0.5, plotW - 1, plotH - 1);
  ctx.fillStyle = '#1d2330';
  ctx.font = '13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('eruption duration (minutes)', MARGIN.left + plotW / 2, cssHeight - 8);
  ctx.save();
  ctx.translate(16, MARGIN.top + plotH / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText('waiting time to next eruption (minutes)', 0, 0);
  ctx.restore();
}

/** Per-component 2×2 covariance [a, b, c] (= [[a, b], [b, c]]) from scikit-learn's shapes. */
function covariance2x2(covs, type, k) {
  switch (type) {
    case 'full':
      return [covs[k][0][0], covs[k][0][1], covs[k][1][1]];
    case 'tied':
      return [covs[0][0], covs[0][1], covs[1][1]];
    case 'diag':
      return [covs[k][0], 0, covs[k][1]];
    case 'spherical':
      return [covs[k], 0, covs[k]];
  }
}

/** Traces the s-σ ellipse of N(mean, [[a, b], [b, c]]) as a closed path in pixel space. */
function ellipsePath(mean, [a, b, c], s) {
  const half = (a - c) / 2;
  const r = Math.hypot(half, b);
  const l1 = Math.max((a + c) / 2 + r, 0);
  const l2 = Math.max((a + c) / 2 - r, 0);
  const theta = 0.5 * Math.atan2(2 * b, a - c);
  const [ct, st] = [Math.cos(theta), Math.sin(theta)];
  const [r1, r2] = [s * Math.sqrt(l1), s * Math.sqrt(l2)];
  ctx.beginPath();
  for (let i = 0; i <= 120; i++) {
    const t = (i / 120) * 2 * Math.PI;
    const u = r1 * Math.cos(t);
    const v = r2 * Math.sin(t);
    const x = px(mean[0] + ct * u - st * v);
    const y = py(mean[1] + st * u + ct * v);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.closePath();
}

function draw() {
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  drawAxes();
  ctx.save();
  ctx.beginPath();
  ctx.rect(MARGIN.left, MARGIN.top, plotW, plotH);
  ctx.clip();

  const X = allRows();
  const K = model ? model.weights.length : 0;
  const type = model ? model.options.covarianceType : 'full';
  const covs = model ? model.covariances : null;
  const means = model ? model.means : [];

  // Filled 1σ regions underneath the points.
  for (let k = 0; k < K; k++) {
    ellipsePath(means[k], covariance2x2(covs, type, k), 1);
    ctx.fillStyle = rgba(COLORS[k], 0.08);
    ctx.fill();
  }

  X.forEach((row, i) => {
    const userPoint = i >= base.length;
    const k = labels ? labels[i] : -1;
    const color = k >= 0 ? COLORS[k] : '#6b7686';
    // Opacity follows the responsibility of the winning component: faint points are shared between clusters.
    const alpha = certainty ? 0.25 + 0.7 * certainty[i] : 0.6;
    ctx.beginPath();
    ctx.arc(px(row[0]), py(row[1]), userPoint ? 5.5 : 3.6, 0, 2 * Math.PI);
    ctx.fillStyle = rgba(color, alpha);
    ctx.fill();
    if (userPoint) {
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#1d2330';
      ctx.stroke();
    }
  });

  for (let k = 0; k < K; k++) {
    const cov = covariance2x2(covs, type, k);
    ellipsePath(means[k], cov, 2);
    ctx.setLineDash([6, 5]);
    ctx.lineWidth = 1.6;
    ctx.strokeStyle = rgba(COLORS[k], 0.85);
    ctx.stroke();
    ctx.setLineDash([]);
    ellipsePath(means[k], cov, 1);
    ctx.lineWidth = 2.2;
    ctx.strokeStyle = COLORS[k];
    ctx.stroke();
  }
  for (let k = 0; k < K; k++) {
    const [x, y] = [px(means[k][0]), py(means[k][1])];
    // A diamond with a white halo and a dark rim, so it stands out on top of points of its own colour.
    ctx.beginPath();
    ctx.moveTo(x, y - 10);
    ctx.lineTo(x + 10, y);
    ctx.lineTo(x, y + 10);
    ctx.lineTo(x - 10, y);
    ctx.closePath();
    ctx.lineWidth = 5;
    ctx.strokeStyle = '#fff';
    ctx.stroke();
    ctx.fillStyle = COLORS[k];
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#1d2330';
    ctx.stroke();
    // Component number in a small white tag beside the mean.
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const [tx, ty] = [x + 19, y - 13];
    ctx.beginPath();
    ctx.arc(tx, ty, 8.5, 0, 2 * Math.PI);
    ctx.fillStyle = '#fff';
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = COLORS[k];
    ctx.stroke();
    ctx.fillStyle = '#1d2330';
    ctx.fillText(String(k + 1), tx, ty + 0.5);
  }
  ctx.restore();
}

// ---------------------------------------------------------------- fitting

const allRows = () => base.concat(added);

function currentOptions() {
  const seed = Number.parseInt(controls.seed.value, 10);
  const bayesian = controls.bayesian.checked;
  return {
    nComponents: bayesian ? MAX_COMPONENTS : Number(controls.k.value),
    covarianceType: controls.cov.value,
    backend: controls.backend.value,
    seed: Number.isSafeInteger(seed) ? seed : 0,
    ...(bayesian ? { maxIter: 500 } : {}),
    // GaussianMixture's prior and noise component, only when ticked (the default options stay the four above)
    ...(!bayesian && controls.prior.checked ? { prior: true } : {}),
    ...(!bayesian && controls.noise.checked ? { noise: true } : {}),
  };
}

const plain = (v) => (typeof v === 'number' ? v : Array.from(v, plain));

function setStatus(text, kind = '') {
  const el = $('status');
  el.textContent = text;
  el.className = kind;
}

function fit() {
  const options = currentOptions();
  const bayesian = controls.bayesian.checked;
  const Model = bayesian ? BayesianGaussianMixture : GaussianMixture;
  controls.k.disabled = bayesian;
  controls.prior.disabled = bayesian; // options of GaussianMixture only
  controls.noise.disabled = bayesian;
  const X = allRows();
  window.__gaussmix = { ...window.__gaussmix, ready: false };
  let gm;
  let perIter = 0;
  let fits = 0;
  try {
    // Time per iteration = time of a whole fit / nIter (so it includes the k-means start and the final E-step).
    // One fit of 272 rows can be shorter than the browser's performance.now() resolution, and single fits are
    // disturbed by JIT warm-up and GC, so the shown fit is followed by identical (deterministic) repeats (at least
    // 9 and ~25 ms, at most 250 ms) and the median is reported.
    const t0 = performance.now();
    gm = new Model(options).fit(X);
    const times = [(performance.now() - t0) / Math.max(gm.nIter, 1)];
    for (let spent = 0; (spent < 25 || times.length < 10) && spent < 250 && times.length < 200; ) {
      const t1 = performance.now();
      const g = new Model(options).fit(X);
      const dt = performance.now() - t1;
      spent += dt;
      times.push(dt / Math.max(g.nIter, 1));
    }
    if (times.length > 2) times.shift(); // the first fit pays for JIT warm-up
    times.sort((p, q) => p - q);
    perIter = times[times.length >> 1];
    fits = times.length;
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    setStatus(message, 'error');
    fitCount += 1;
    window.__gaussmix = { ready: true, error: message, fitCount, bayesian, options, nPoints: X.length, data: X };
    return;
  }
  // The Bayesian fit is drawn as its active components (prune(): the point-estimate mixture without the empty
  // ones); labels and certainty are its own (expected log-probabilities), renumbered to the active components.
  const active = bayesian ? Array.from(gm.activeComponents) : null;
  model = bayesian ? gm.prune() : gm;
  labels = Array.from(gm.predict(X), (c) => (active ? active.indexOf(c) : c));
  certainty = gm.predictProba(X).map((p) => Math.max(...p));
  fitCount += 1;

  const n = X.length;
  const logLik = gm.score(X) * n;
  const bic = bayesian ? null : gm.bic(X);
  const K = model.weights.length;

  const kind = bayesian ? 'variational' : 'EM';
  setStatus(
    (gm.converged
      ? `Converged after ${gm.nIter} ${kind} iterations.`
      : `Stopped after ${gm.nIter} iterations without converging (maxIter).`) +
      (bayesian ? ` The posterior keeps ${K} of ${MAX_COMPONENTS} components.` : ''),
  );
  $('s-backend').innerHTML = `<span class="badge ${gm.backend}">${gm.backend === 'wasm' ? 'wasm (SIMD)' : 'js'}</span>`;
  $('s-iter').textContent = String(gm.nIter);
  $('s-time').textContent = perIter >= 1 ? `${perIter.toFixed(2)} ms` : `${(perIter * 1000).toFixed(1)} µs`;
  $('s-time').title = `median over ${fits} identical fits of (fit time / nIter)`;
  $('s-ll').textContent = logLik.toFixed(2);
  $('s-ll').title = bayesian
    ? `log predictive density; mean per point ${(logLik / n).toFixed(4)}; variational lower bound ${gm.lowerBound.toFixed(4)}`
    : `mean per point ${(logLik / n).toFixed(4)}; lower bound ${gm.lowerBound.toFixed(6)}`;
  $('s-bic').textContent = bic === null ? '–' : bic.toFixed(2);
  $('s-bic').title = bic === null ? 'not used: the posterior chose the number of components' : '';
  $('s-k').textContent = bayesian ? `${K} of ${MAX_COMPONENTS}` : String(K);
  $('s-k').title = bayesian ? 'components with weight ≥ 1 % (activeComponents)' : '';
  $('s-n').textContent = added.length ? `${n} (${added.length} added)` : String(n);

  const weights = model.weights;
  $('components').innerHTML = model.means
    .map(
      (m, k) =>
        `<tr><td><span class="swatch" style="background:${COLORS[k]}"></span>${k + 1}</td>` +
        `<td>${weights[k].toFixed(3)}</td><td>${m[0].toFixed(2)} min</td><td>${m[1].toFixed(1)} min</td></tr>`,
    )
    .join('');
  // the noise component (label −1, grey points): its weight, and its density is uniform so it has no mean
  if (typeof gm.noiseWeight === 'number')
    $('components').innerHTML +=
      `<tr><td><span class="swatch" style="background:#6b7686"></span>noise</td>` +
      `<td>${gm.noiseWeight.toFixed(3)}</td><td colspan="2">uniform</td></tr>`;

  draw();
  window.__gaussmix = {
    bayesian,
    activeComponents: active,
    weights: plain(gm.weights),
    means: plain(gm.means),
    covariances: plain(gm.covariances),
    lowerBound: gm.lowerBound,
    noiseWeight: gm.noiseWeight ?? null,
    backend: gm.backend,
    nIter: gm.nIter,
    converged: gm.converged,
    logLikelihood: logLik,
    bic,
    msPerIteration: perIter,
    options,
    nPoints: n,
    data: X,
    fitCount,
    ready: true,
  };
}

// ---------------------------------------------------------------- events

for (const el of Object.values(controls)) el.addEventListener('change', fit);
$('refit').addEventListener('click', fit);
$('reset').addEventListener('click', () => {
  added = [];
  fit();
});
canvas.addEventListener('click', (event) => {
  const rect = canvas.getBoundingClientRect();
  const x = ((event.clientX - rect.left) / rect.width) * cssWidth;
  const y = ((event.clientY - rect.top) / rect.height) * cssHeight;
  if (x < MARGIN.left || x > MARGIN.left + plotW || y < MARGIN.top || y > MARGIN.top + plotH) return;
  // Round like the data set (3 decimals for minutes of eruption, whole minutes of waiting).
  added.push([Math.round(dataX(x) * 1000) / 1000, Math.round(dataY(y))]);
  fit();
});

// ---------------------------------------------------------------- start

async function main() {
  setupCanvas();
  drawAxes();
  const available = await init(); // browsers refuse to compile large wasm modules synchronously on the main thread
  if (available !== 'wasm') {
    controls.backend.querySelector('option[value=wasm]').textContent = 'wasm (unavailable here)';
  }
  setStatus('Loading data…', 'busy');
  const response = await fetch('../../data/faithful.csv');
  if (!response.ok) throw new Error(`could not load data/faithful.csv: HTTP ${response.status}`);
  const [, ...lines] = (await response.text()).trim().split(/\r?\n/);
  base = lines.map((line) => line.split(',').map(Number));
  fit();
}

main().catch((e) => {
  setStatus(`Could not start: ${e instanceof Error ? e.message : e}`, 'error');
  window.__gaussmix = { ready: true, error: String(e), fitCount };
});
