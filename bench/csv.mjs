/**
 * CSV reading: speed and memory of the shared reader (src/data/csv.ts) side by side with csv-parse, the engine of
 * the two readers it replaces, in one run.
 *
 *   node bench/csv.mjs            speed on two files (~10 MB, ~8 MB), the linear-time check, peak RSS on ~200 MB
 *   node bench/csv.mjs --quick    small files, one run each, no RSS (a smoke test, a few seconds)
 *   node bench/csv.mjs --speed    speed and the linear-time check only;  --rss: peak RSS only
 *   RUNS=5 node bench/csv.mjs     more runs per engine (default 3)
 *
 * No build needed: the script bundles the TypeScript sources with esbuild (a devDependency, as
 * scripts/build-worker.mjs uses it) into os.tmpdir()/gaussmix-bench/csv-bundle/ — src/data/csv.ts (the new reader)
 * and src/cli/csv.ts (today's CLI reader, csv-parse bundled in) — and imports them. Data files are generated
 * once (fixed seed) into os.tmpdir()/gaussmix-bench/ and reused. A recorded run: bench/csv-results.md.
 *
 * Engines, each timed as a whole read of the file from disk into numbers (wall time; MB/s = file bytes / s; the
 * median of 3 runs, interleaved across engines, after one untimed warm-up run of the fast engines):
 *   readCsvTable      the new reader, whole table (the CLI's use)
 *   readCsv           the new reader, chunks of 8192 rows (fitStream's use)
 *   CLI               src/cli/csv.ts readTable (now the shared reader into one packed table; was csv-parse/sync)
 *   csv-parse stream  the streaming csv-parse reader fitStream used before the shared reader (copied below),
 *                     its number regex
 *   split + Number    readFileSync, split on '\n' and ',', Number(): a ceiling with no checks at all
 * Peak RSS is measured in child processes (process.resourceUsage().maxRSS) against the RSS of the same process
 * before reading, so the runtime's own ~40–50 MB is not counted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(tmpdir(), 'gaussmix-bench');
const BUNDLE = join(DIR, 'csv-bundle');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SPEED = QUICK || !args.includes('--rss');
const RSS = !QUICK && !args.includes('--speed');
const RUNS = QUICK ? 1 : Number(process.env.RUNS ?? 3);

/** Bundles a source file into BUNDLE/<name>.mjs and imports it. */
async function load(entry, name) {
  const { build } = await import('esbuild');
  mkdirSync(BUNDLE, { recursive: true });
  const outfile = join(BUNDLE, `${name}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    outfile,
    logLevel: 'warning',
  });
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}

/** A CSV of n rows × d columns of decimals like -3.141593 (fixed seed), written once. */
function dataFile(n, d) {
  const path = join(DIR, `csv-${n}x${d}.csv`);
  if (existsSync(path)) return path;
  mkdirSync(DIR, { recursive: true });
  let x = 20240601;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const fd = openSync(`${path}.tmp`, 'w');
  writeSync(fd, `${Array.from({ length: d }, (_, j) => `x${j + 1}`).join(',')}\n`);
  const parts = [];
  for (let i = 0; i < n; i++) {
    const row = new Array(d);
    for (let j = 0; j < d; j++) row[j] = ((rnd() - 0.5) * 20).toFixed(6);
    parts.push(row.join(','));
    if (parts.length === 10_000 || i === n - 1) {
      writeSync(fd, `${parts.join('\n')}\n`);
      parts.length = 0;
    }
  }
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
  return path;
}

// ---- today's fitStream reader, copied from src/drivers/stream/fit-stream.ts (csvChunks) ----
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
async function* fitStreamToday(path, chunkRows = 8192) {
  const fs = await import('node:fs');
  const { parse } = await import('csv-parse');
  const input = fs.createReadStream(path);
  const parser = parse({ delimiter: ',', bom: true, trim: true, skip_empty_lines: true, info: true });
  input.on('error', (e) => parser.emit('error', e));
  input.pipe(parser);
  let d = -1;
  let buf = new Float64Array(0);
  let n = 0;
  let first = true;
  for await (const { record } of parser) {
    if (first) {
      first = false;
      if (record.some((f) => !NUMBER.test(f) && !/^[+-]?(Infinity|NaN)$/.test(f))) {
        d = record.length;
        continue;
      }
    }
    if (d < 0) d = record.length;
    if (buf.length === 0) buf = new Float64Array(chunkRows * d);
    for (let j = 0; j < d; j++) {
      const f = record[j];
      const v = NUMBER.test(f) ? Number(f) : NaN;
      if (!Number.isFinite(v)) throw new Error(`bad value ${f}`);
      buf[n * d + j] = v;
    }
    if (++n === chunkRows) {
      yield { data: buf, rows: n, cols: d };
      buf = new Float64Array(chunkRows * d);
      n = 0;
    }
  }
  if (n > 0) yield { data: buf.subarray(0, n * d), rows: n, cols: d };
}

function splitNumber(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  let sum = 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    for (const f of lines[i].split(',')) sum += Number(f);
  }
  return sum;
}

const median = (a) => [...a].sort((x, y) => x - y)[(a.length - 1) >> 1];

// ---- child: peak RSS of one read ----
if (args[0] === '--rss-child') {
  const [, which, path] = args;
  const mod = await load(which === 'cli' ? 'src/cli/csv.ts' : 'src/data/csv.ts', which === 'cli' ? 'cli-csv' : 'csv');
  const { createReadStream } = await import('node:fs');
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let n;
  let d;
  if (which !== 'cli') {
    // 'stream': a Node stream, whose size the reader does not know (as for a pipe)
    const t = await mod.readCsvTable(which === 'stream' ? createReadStream(path) : path);
    [n, d] = [t.rows, t.cols];
  } else {
    const t = await mod.readTable(path);
    [n, d] = [t.X.length, t.columns.length];
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ base, peak, n, d }));
  process.exit(0);
}

// ---- main ----
const mb = (bytes) => (bytes / 1e6).toFixed(1);

async function speed(csv, cli) {
  const files = QUICK
    ? [
        [50_000, 2],
        [10_000, 8],
      ]
    : [
        [500_000, 2],
        [100_000, 8],
      ];
  const head =
    '| file | size (MB) | readCsvTable | readCsv (chunks) | CLI (readTable) | csv-parse stream (the old fitStream reader) | split + Number |\n|---|---:|---:|---:|---:|---:|---:|';
  const wall = [];
  const cpu = [];
  for (const [n, d] of files) {
    const path = dataFile(n, d);
    const bytes = statSync(path).size;
    const check = (rows) => {
      if (rows !== n) throw new Error(`read ${rows} rows, expected ${n}`);
    };
    const engines = [
      [async () => check((await csv.readCsvTable(path)).rows), true],
      [
        async () => {
          let rows = 0;
          for await (const c of csv.readCsv(path)) rows += c.rows;
          check(rows);
        },
        true,
      ],
      [async () => check((await cli.readTable(path)).X.rows), false],
      [
        async () => {
          let rows = 0;
          for await (const c of fitStreamToday(path)) rows += c.rows;
          check(rows);
        },
        false,
      ],
      [() => splitNumber(path), true],
    ];
    // runs interleaved (engine 1, 2, …, 5, then again), so a change of this shared host's load hits every engine alike
    if (!QUICK) for (const [fn, warm] of engines) if (warm) await fn();
    const rates = engines.map(() => []);
    const cpuRates = engines.map(() => []);
    for (let r = 0; r < RUNS; r++) {
      for (let k = 0; k < engines.length; k++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await engines[k][0]();
        const c = process.cpuUsage(c0);
        rates[k].push(bytes / 1e6 / ((performance.now() - t0) / 1000));
        cpuRates[k].push(bytes / 1e6 / ((c.user + c.system) / 1e6));
      }
    }
    const cells = (rs) =>
      rs.map(
        (rate) =>
          `${median(rate).toFixed(1)}${RUNS > 1 ? ` (${Math.min(...rate).toFixed(1)} – ${Math.max(...rate).toFixed(1)})` : ''}`,
      );
    wall.push(`| ${n.toLocaleString('en')} × ${d} | ${mb(bytes)} | ${cells(rates).join(' | ')} |`);
    cpu.push(`| ${n.toLocaleString('en')} × ${d} | ${mb(bytes)} | ${cells(cpuRates).join(' | ')} |`);
  }
  console.log(
    `MB/s of wall time, the median of ${RUNS} run(s) (min – max in brackets); higher is better.\n\n${head}\n${wall.join('\n')}\n`,
  );
  console.log(
    `MB/s of CPU time (user + system, all threads of the process): less disturbed by other processes on a shared host.\n\n${head}\n${cpu.join('\n')}`,
  );

  // linear time: a field of digits followed by a letter
  console.log(
    "\nA field of digits followed by 'x' (must be rejected): the new reader on 1 MB, today's number regex on 5–20 kB",
  );
  console.log('(quadratic: 4× the time for 2× the digits, so 1 MB would take 2500× the time of 20 kB).\n');
  const big = `a\n${'1'.repeat(1_000_000)}x\n`;
  let message = '';
  const ms = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    try {
      await csv.readCsvTable([big]);
    } catch (e) {
      message = `${e.constructor.name}: ${e.message}`;
    }
    ms.push((performance.now() - t0).toFixed(0));
  }
  console.log(
    `- new reader, 1 000 000 digits: ${ms.join(', ')} ms (3 runs; the first compiles the code for long fields) → ${message}`,
  );
  for (const k of QUICK ? [2_500, 5_000] : [5_000, 10_000, 20_000]) {
    const field = `${'1'.repeat(k)}x`;
    const t0 = performance.now();
    NUMBER.test(field);
    console.log(`- fitStream's regex, ${k.toLocaleString('en')} digits: ${(performance.now() - t0).toFixed(0)} ms`);
  }
}

function rss() {
  console.log("\nPeak RSS of one read in a fresh process, above the process's RSS just before reading.\n");
  console.log(
    '| reader | N × D | file (MB) | 8·N·D + 4·N (MB) | peak RSS (MB) | peak − before (MB) | ÷ (8·N·D + 4·N) | ÷ file size |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const cases = [
    ['readCsvTable, a path', 'new', 2_600_000, 8],
    ['readCsvTable, a path', 'new', 10_000_000, 2],
    ['readCsvTable, a stream (size unknown)', 'stream', 2_600_000, 8],
    ['CLI today', 'cli', 500_000, 2],
    ['CLI today', 'cli', 100_000, 8],
  ];
  for (const [label, which, n, d] of cases) {
    const path = dataFile(n, d);
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--rss-child', which, path], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const { base, peak, n: rows, d: cols } = JSON.parse(r.stdout.trim().split('\n').at(-1));
    if (rows !== n || cols !== d) throw new Error(`${label}: read ${rows} × ${cols}, expected ${n} × ${d}`);
    const need = 8 * rows * cols + 4 * rows;
    const size = statSync(path).size;
    const over = peak - base;
    console.log(
      `| ${label} | ${n.toLocaleString('en')} × ${d} | ${mb(size)} | ${mb(need)} | ${mb(peak)} | ${mb(over)} | ${(over / need).toFixed(2)} | ${(over / size).toFixed(2)} |`,
    );
  }
}

console.log(
  `# CSV reading — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, load ${loadavg()[0].toFixed(1)}${QUICK ? ' (--quick)' : ''}\n`,
);
if (SPEED) await speed(await load('src/data/csv.ts', 'csv'), await load('src/cli/csv.ts', 'cli-csv'));
if (RSS) rss();
