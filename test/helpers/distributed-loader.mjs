/**
 * Loader shards for the distributed tests ({ loader: '<this file URL>#<export>', args }), imported by the workers'
 * E-step threads. Rows are generated from a seed (the same on every machine and every call), so a loader shard is
 * re-readable and its reference values can be computed in the test process.
 */

/** Deterministic rows: three clusters in d dimensions (a small LCG + Box–Muller, no dependency). */
export function makeRows({ seed, n, d }) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    for (let j = 0; j < d; j++) {
      const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
      data[i * d + j] = 3 * c * (j % 2 === 0 ? 1 : -1) + z;
    }
  }
  return data;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** makeRows in chunks of `chunk` rows, each after `delayMs` (a slow source: a job stays active for a while). */
export async function* slowRows({ seed, n, d, chunk = 50, delayMs = 0, weights = false }) {
  const data = makeRows({ seed, n, d });
  for (let at = 0; at < n; at += chunk) {
    if (delayMs > 0) await sleep(delayMs);
    const rows = Math.min(chunk, n - at);
    const X = { data: data.subarray(at * d, (at + rows) * d), rows, cols: d };
    yield weights ? { X, sampleWeight: Array.from({ length: rows }, (_, i) => 1 + ((at + i) % 4)) } : X;
  }
}

/** A source whose every read fails with a plain (retryable) error. */
export function failing({ message }) {
  throw new Error(message);
}
