/**
 * Packaging: what `npm pack` ships must install into a fresh project and work there as a user gets it — ESM
 * import, CommonJS require, a browser bundle made by esbuild — and pass publint and "Are the Types Wrong?".
 * Needs a built dist/ (`npm test` builds first) and the npm registry for the package's runtime dependencies.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mclustData } from '../helpers/mclust-fixture.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let tmp: string;
let tarball: string;
let packed: string[];
let app: string; // a fresh project with the tarball installed
let installed: string; // app/node_modules/gaussmix

/** Runs node in the fresh project and returns its stdout (stderr is shown if it fails). */
async function node(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, args, { cwd: app, timeout: 20_000 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`node ${args.join(' ').slice(0, 200)} failed: ${err.stderr || err.message}`);
  }
}

// Old Faithful's first rows: two clear clusters, enough for a K = 2 full fit.
const tiny = mclustData('faithful').slice(0, 16);
const fitScript = (importLine: string) => `${importLine}
const X = ${JSON.stringify(tiny)};
const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', seed: 0, backend: 'wasm' }).fit(X);
console.log(JSON.stringify({ backend: gm.backend, weights: Array.from(gm.weights), resolved: RESOLVED, names: NAMES }));`;

/** Class names as users see them (the build keeps them: esbuild would otherwise rename GaussianMixture). */
const NAMES = `[GaussianMixture.name, new DataError('x').name, String(new GaussianMixture({ nComponents: 2 })).split('(')[0]]`;
const EXPECTED_NAMES = ['GaussianMixture', 'DataError', 'GaussianMixture'];

describe('npm package', () => {
  beforeAll(async () => {
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/browser.js']) {
      if (!existsSync(join(root, f)))
        throw new Error(`${f} is missing; run \`npm run build\` first (\`npm test\` does).`);
    }
    tmp = mkdtempSync(join(tmpdir(), 'gaussmix-pack-'));
    const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
      cwd: root,
      timeout: 60_000,
    });
    const info = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(tmp, info[0].filename);
    packed = info[0].files.map((f) => f.path);

    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'gaussmix-consumer', version: '0.0.0', private: true }),
    );
    // Runtime dependencies come from the registry (or npm's cache); no lockfile, audit or funding noise.
    await run(
      npm,
      ['install', tarball, '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--loglevel=error'],
      {
        cwd: app,
        timeout: 120_000,
      },
    );
    installed = join(app, 'node_modules', 'gaussmix');
  }, 330_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('ships dist/, the Old Faithful data and the README, and no sources, tests or build output', () => {
    for (const f of [
      'package.json',
      'README.md',
      'data/faithful.csv',
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/browser.js',
      'dist/distributed.js',
      'dist/distributed.cjs',
      'dist/distributed.d.ts',
      'dist/distributed.d.cts',
      'dist/core.js',
      'dist/core.cjs',
      'dist/core.d.ts',
      'dist/core.d.cts',
      'dist/browser-core.js',
      'distributed/package.json', // gaussmix/distributed for resolvers without "exports" (TypeScript's node10)
      'core/package.json',
    ]) {
      expect(packed, `tarball lacks ${f}`).toContain(f);
    }
    const unwanted = packed.filter((f) =>
      /^(src|test|tests|build|assembly|scripts|bench|examples|node_modules)\//.test(f),
    );
    expect(unwanted, 'files that should not be published').toEqual([]);
    expect(existsSync(join(installed, 'data', 'faithful.csv'))).toBe(true);
  });

  it('imports as ESM in Node and fits on the wasm backend', async () => {
    const out = JSON.parse(
      await node([
        '--input-type=module',
        '-e',
        fitScript(
          `import { GaussianMixture, DataError } from 'gaussmix';\nconst RESOLVED = import.meta.resolve('gaussmix');\nconst NAMES = ${NAMES};`,
        ),
      ]),
    );
    expect(out.names).toEqual(EXPECTED_NAMES);
    expect(out.backend).toBe('wasm');
    expect(out.resolved).toMatch(/node_modules\/gaussmix\/dist\/index\.js$/);
    expect(out.weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('requires as CommonJS in Node and fits on the wasm backend', async () => {
    const out = JSON.parse(
      await node([
        '--input-type=commonjs',
        '-e',
        fitScript(
          `const { GaussianMixture, DataError } = require('gaussmix');\nconst RESOLVED = require.resolve('gaussmix');\nconst NAMES = ${NAMES};`,
        ),
      ]),
    );
    expect(out.names).toEqual(EXPECTED_NAMES);
    expect(out.backend).toBe('wasm');
    expect(out.resolved).toMatch(/node_modules\/gaussmix\/dist\/index\.cjs$/);
    expect(out.weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
  });

  /** A script that fits scikit-learn's four types and prints every fitted value (JSON keeps doubles exactly). */
  const fourTypes = (importLine: string) => `${importLine}
const X = ${JSON.stringify(tiny)};
const out = {};
for (const covarianceType of ['full', 'tied', 'diag', 'spherical']) {
  const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 3, nInit: 2, tol: 1e-9 }).fit(X);
  out[covarianceType] = {
    weights: Array.from(gm.weights), means: gm.means.map((m) => Array.from(m)), lowerBound: gm.lowerBound,
    nIter: gm.nIter, scores: Array.from(gm.scoreSamples(X)), json: JSON.stringify(gm.toJSON()),
  };
}
console.log(JSON.stringify(out));`;

  it("gaussmix/core's GaussianMixture gives bit-identical fits to gaussmix's on the four scikit-learn types (ESM and CommonJS)", async () => {
    const esm = async (from: string) =>
      JSON.parse(await node(['--input-type=module', '-e', fourTypes(`import { GaussianMixture } from '${from}';`)]));
    const full = await esm('gaussmix');
    const core = await esm('gaussmix/core');
    const cjs = JSON.parse(
      await node([
        '--input-type=commonjs',
        '-e',
        fourTypes(
          "const { GaussianMixture } = require('gaussmix/core');\nif (!require.resolve('gaussmix/core').endsWith('core.cjs')) throw new Error('not core.cjs');",
        ),
      ]),
    );
    expect(core).toEqual(full);
    expect(cjs).toEqual(full);
    expect(Object.keys(core)).toEqual(['full', 'tied', 'diag', 'spherical']);
  });

  it("model JSON of the four types loads in either entry and scores the same; an mclust model's is refused by core", async () => {
    const script = (from: string, json: string) => `import { GaussianMixture, ModelFormatError } from '${from}';
const X = ${JSON.stringify(tiny)};
const json = ${JSON.stringify(json)};
try {
  console.log(JSON.stringify({ scores: Array.from(GaussianMixture.fromJSON(JSON.parse(json)).scoreSamples(X)) }));
} catch (e) {
  console.log(JSON.stringify({ error: e.constructor.name, formatError: e instanceof ModelFormatError, message: e.message }));
}`;
    const made = JSON.parse(
      await node(['--input-type=module', '-e', fourTypes("import { GaussianMixture } from 'gaussmix/core';")]),
    );
    for (const [from, to] of [
      ['gaussmix/core', 'gaussmix'],
      ['gaussmix', 'gaussmix/core'],
    ]) {
      const src =
        from === 'gaussmix/core'
          ? made
          : JSON.parse(
              await node(['--input-type=module', '-e', fourTypes(`import { GaussianMixture } from '${from}';`)]),
            );
      for (const type of ['tied', 'spherical']) {
        const out = JSON.parse(await node(['--input-type=module', '-e', script(to, src[type].json)]));
        expect(out.scores, `${type} from ${from} in ${to}`).toEqual(src[type].scores);
      }
    }
    const vev = await node([
      '--input-type=module',
      '-e',
      `import { GaussianMixture } from 'gaussmix';
console.log(JSON.stringify(new GaussianMixture({ nComponents: 2, covarianceType: 'VEV', seed: 0 }).fit(${JSON.stringify(tiny)}).toJSON()));`,
    ]);
    const refused = JSON.parse(await node(['--input-type=module', '-e', script('gaussmix/core', vev.trim())]));
    expect(refused.formatError).toBe(true);
    expect(refused.message).toMatch(
      /'VEV' is one of mclust's models, which gaussmix\/core leaves out; import \{ GaussianMixture \} from 'gaussmix'/,
    );
  });

  it('gaussmix/core refuses what it leaves out with an OptionError that names the option and the entry that has it', async () => {
    const out = JSON.parse(
      await node([
        '--input-type=module',
        '-e',
        `import { GaussianMixture, OptionError } from 'gaussmix/core';
const X = ${JSON.stringify(tiny)};
const attempts = {
  mclust: () => new GaussianMixture({ covarianceType: 'VVV' }),
  prior: () => new GaussianMixture({ prior: true }),
  noise: () => new GaussianMixture({ noise: { volume: 2 } }),
  noiseInit: () => new GaussianMixture({ noiseInit: [true] }),
  missing: () => new GaussianMixture({ missing: 'marginalize' }),
  hc: () => new GaussianMixture({ initParams: 'hc' }),
  squarem: () => new GaussianMixture({ accelerate: 'squarem' }),
  partialFit: () => new GaussianMixture({ nComponents: 2 }).partialFit(X),
  batchSize: () => new GaussianMixture({ nComponents: 2 }).fit(X, { batchSize: 4 }),
  impute: () => new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X).impute([[NaN, 70]]),
};
const out = {};
for (const [k, f] of Object.entries(attempts)) {
  try { f(); out[k] = 'accepted'; } catch (e) { out[k] = { optionError: e instanceof OptionError, option: e.option, message: e.message }; }
}
// what core has: the four types, prior: false / noise: null / missing: 'error' spelled out
new GaussianMixture({ covarianceType: 'spherical', prior: false, noise: null, missing: 'error', initParams: 'k-means++', accelerate: 'none' }).fit(X);
console.log(JSON.stringify(out));`,
      ]),
    );
    const entry = /import \{ GaussianMixture \} from 'gaussmix' to use (it|them)$/;
    const expected: Record<string, [string, RegExp]> = {
      mclust: ['covarianceType', /^covarianceType 'VVV' is one of mclust's models, which gaussmix\/core leaves out; /],
      prior: ['prior', /^prior \(the conjugate prior\) is not part of gaussmix\/core; /],
      noise: ['noise', /^noise \(the uniform noise component\) is not part of gaussmix\/core; /],
      noiseInit: ['noiseInit', /^noise \(the uniform noise component\) is not part of gaussmix\/core; /],
      missing: ['missing', /^missing: 'marginalize' \(EM over observed values\) is not part of gaussmix\/core; /],
      hc: ['initParams', /^initParams: 'hc' \(mclust's hierarchical start\) is not part of gaussmix\/core; /],
      squarem: ['accelerate', /^accelerate: 'squarem' \(SQUAREM-accelerated EM\) is not part of gaussmix\/core; /],
      partialFit: ['partialFit', /^online EM \(partialFit, and fit with batchSize\) is not part of gaussmix\/core; /],
      batchSize: ['batchSize', /^online EM \(partialFit, and fit with batchSize\) is not part of gaussmix\/core; /],
      impute: ['impute', /^missing: 'marginalize' \(EM over observed values\) is not part of gaussmix\/core; /],
    };
    for (const [k, [option, message]] of Object.entries(expected)) {
      expect(out[k].optionError, k).toBe(true);
      expect(out[k].option, k).toBe(option);
      expect(out[k].message, k).toMatch(message);
      expect(out[k].message, k).toMatch(entry);
    }
  });

  it('bundles for the browser with esbuild: the browser build, no node: imports, runs without Node globals', async () => {
    writeFileSync(
      join(app, 'entry.js'),
      `import { GaussianMixture, DataError, init } from 'gaussmix';
await init();
const X = ${JSON.stringify(tiny)};
const gm = new GaussianMixture({ nComponents: 2, seed: 0, backend: 'wasm' }).fit(X);
// the full entry installs what gaussmix/core leaves out (src/full.ts): a bundler must not drop that call
const vev = new GaussianMixture({ nComponents: 2, covarianceType: 'VEV', prior: true, seed: 0 }).fit(X);
console.log(JSON.stringify({ backend: gm.backend, labels: Array.from(gm.predict(X)), vev: vev.converged, names: ${NAMES} }));
`,
    );
    const result = await build({
      absWorkingDir: app,
      entryPoints: ['entry.js'],
      outfile: 'bundle.mjs',
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
      metafile: true,
      logLevel: 'silent',
      // What a browser lacks: prove the bundle needs neither Buffer nor process (base64 falls back to atob).
      // Touching Response first makes Node load its lazy fetch implementation, which itself needs Buffer.
      banner: { js: 'void globalThis.Response; delete globalThis.Buffer; delete globalThis.process;' },
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.text)).toEqual([]);
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs, 'esbuild should pick the "browser" export').toContain('node_modules/gaussmix/dist/browser.js');
    expect(inputs.filter((f) => /gaussmix\/dist\/index\.(c?js)$/.test(f))).toEqual([]);
    // Nothing left to import: a node: builtin (or any bare module) would be an esbuild error on platform 'browser'
    // or, if external, an import of the output. (fitAsync names node:worker_threads only in strings it imports
    // dynamically in Node, which bundlers leave alone.)
    const outputs = Object.values(result.metafile!.outputs);
    expect(
      outputs.flatMap((o) => o.imports.map((i) => i.path)),
      'imports left in the bundle',
    ).toEqual([]);
    const code = readFileSync(join(app, 'bundle.mjs'), 'utf8');
    const staticImports = code.match(/^\s*(?:import|export)\b[^;\n]*\bfrom\s*["'][^"']+["']/gm) ?? [];
    expect(staticImports, 'static imports left in the bundle').toEqual([]);
    const out = JSON.parse(await node(['bundle.mjs']));
    expect(out.names, 'class names survive the browser build and a bundler').toEqual(EXPECTED_NAMES);
    expect(out.backend).toBe('wasm');
    expect(new Set(out.labels).size).toBe(2);
    expect(out.vev).toBe(true);
  });

  it('gaussmix loads no BullMQ; gaussmix/distributed loads without it and asks for bullmq and ioredis only when used', async () => {
    // bullmq and ioredis are optional peers: the fresh project does not have them
    expect(existsSync(join(app, 'node_modules', 'bullmq'))).toBe(false);
    // what importing gaussmix loads: dist/index.js and the chunks it imports, and dist/index.cjs
    const graph = new Set<string>();
    const visit = (file: string): void => {
      if (graph.has(file)) return;
      graph.add(file);
      const code = readFileSync(join(installed, 'dist', file), 'utf8');
      for (const m of code.matchAll(/from\s*["']\.\/([^"']+)["']/g)) visit(m[1]);
    };
    visit('index.js');
    visit('index.cjs');
    // (the module names quoted, as an import or a specifier; messages may mention the packages in prose)
    const loading = [...graph].filter((f) =>
      /["'](bullmq|ioredis)["']/.test(readFileSync(join(installed, 'dist', f), 'utf8')),
    );
    expect(loading, 'files of the gaussmix entry that name bullmq or ioredis as a module').toEqual([]);
    expect(graph.size).toBeGreaterThan(2);

    const script = (load: string) => `${load}
let message = null;
try {
  await d.fitDistributed({ nComponents: 2 }, ['shard.csv'], { connection: 'redis://127.0.0.1:1' });
} catch (e) {
  message = e.message;
}
console.log(JSON.stringify({ api: ['fitDistributed', 'startWorker', 'ShardError', 'GaussianMixture'].map((k) => typeof d[k]), message }));`;
    for (const [flag, load] of [
      ['--input-type=module', "await import('gaussmix');\nconst d = await import('gaussmix/distributed');"],
      ['--input-type=commonjs', "(async () => {\nrequire('gaussmix');\nconst d = require('gaussmix/distributed');"],
    ]) {
      const code = flag.endsWith('commonjs') ? `${script(load)}\n})();` : script(load);
      const out = JSON.parse(await node([flag, '-e', code]));
      expect(out.api).toEqual(['function', 'function', 'function', 'function']);
      expect(out.message).toMatch(
        /gaussmix\/distributed needs the optional packages bullmq .* npm install bullmq ioredis/,
      );
    }
  });

  /**
   * What a page that imports GaussianMixture from `from`, calls init() and fits downloads, gzipped (esbuild, code
   * splitting, minified): the entry chunk with what it imports statically, then the one kernel build init() loads (the
   * larger of the two is counted); the worker script is a chunk only fitAsync loads. Runs the page, too.
   */
  async function page(from: string, name: string): Promise<{ page: number; kernels: number }> {
    writeFileSync(
      join(app, `${name}.js`),
      `import { GaussianMixture, init } from '${from}';
const available = await init();
const X = ${JSON.stringify(tiny)};
const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);
console.log(JSON.stringify({ available, backend: gm.backend, kernels: gm.kernels, labels: Array.from(gm.predict(X)) }));
`,
    );
    const result = await build({
      absWorkingDir: app,
      entryPoints: [`${name}.js`],
      outdir: name,
      bundle: true,
      splitting: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
      metafile: true,
      logLevel: 'silent',
      banner: { js: 'void globalThis.Response; delete globalThis.Buffer; delete globalThis.process;' },
    });
    expect(result.errors).toEqual([]);
    const gz = (file: string) => gzipSync(readFileSync(join(app, file)), { level: 9 }).length;
    const outputs = result.metafile!.outputs;
    const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint === `${name}.js`)!;
    const statics = new Set<string>([entry]);
    for (const f of statics) for (const i of outputs[f].imports) if (i.kind === 'import-statement') statics.add(i.path);
    const chunk = (c: string) => Object.keys(outputs).find((f) => f.includes(c) && f.endsWith('.js'))!;
    const size = {
      page: [...statics].reduce((a, f) => a + gz(f), 0),
      kernels: Math.max(gz(chunk('kernels-simd')), gz(chunk('kernels-relaxed'))),
      worker: gz(chunk('worker-source')),
    };
    console.log(
      `${from} bundle (gzip -9): page ${size.page} B + kernels ${size.kernels} B = ${size.page + size.kernels} B; worker script ${size.worker} B, loaded by fitAsync`,
    );
    // The worker takes the M-steps of any fit (covariance models, the prior's M-step, the variational step) and, in
    // worker 0, the EM on a large fit's k-means sample (em/run.ts with its reset policy: 44.5 kB since), nothing else
    // of the library: 40 kB when this bound was set. It catches the worker pulling in the full library.
    expect(size.worker).toBeLessThanOrEqual(46_000);
    const out = JSON.parse(await node([join(name, entry.split('/').pop()!)]));
    expect(out.available).toBe('wasm');
    expect(out.backend).toBe('wasm');
    expect(['simd', 'relaxed-simd']).toContain(out.kernels);
    expect(new Set(out.labels).size).toBe(2);
    return size;
  }

  it('a page that imports GaussianMixture from gaussmix/core and fits loads ≤ 60 kB gzipped (esbuild, code splitting, minified)', async () => {
    const size = await page('gaussmix/core', 'core-page');
    expect(size.page + size.kernels).toBeLessThanOrEqual(60_000);
  });

  it('a page that imports GaussianMixture from gaussmix and fits loads ≤ 86 kB gzipped (esbuild, code splitting, minified)', async () => {
    // The full entry's synchronous fit also carries what gaussmix/core leaves out — mclust's 14 models, missing-value
    // EM, hierarchical starts, the prior, the noise component, online EM, SQUAREM (bench/results.md lists what each
    // costs; 82 kB when this bound was set at 84 kB, 84.0 kB when it was raised to 86 kB). The bound catches a
    // regression such as a second copy of the kernels (~16 kB) or a driver leaking into the first download.
    const size = await page('gaussmix', 'full-page');
    expect(size.page + size.kernels).toBeLessThanOrEqual(86_000);
  });

  it('passes publint with no errors or warnings', async () => {
    // pack: false lints the installed copy, i.e. exactly the published files.
    const { messages, pkg } = await publint({ pkgDir: installed, pack: false, level: 'warning' });
    const problems = messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`);
    expect(problems).toEqual([]);
  });

  it('has types that resolve in every module mode ("Are the Types Wrong?")', async () => {
    const cli = require.resolve('@arethetypeswrong/cli/package.json').replace(/package\.json$/, 'dist/index.js');
    let stdout: string;
    try {
      ({ stdout } = await run(process.execPath, [cli, tarball, '--format', 'json'], { cwd: tmp, timeout: 60_000 }));
    } catch (e) {
      // attw exits 1 when it finds problems; its JSON is still on stdout.
      stdout = (e as { stdout?: string }).stdout ?? '';
      if (!stdout.trim().startsWith('{')) throw e;
    }
    const report = JSON.parse(stdout) as {
      analysis: {
        problems: { kind: string; entrypoint?: string; resolutionKind?: string }[];
        entrypoints: Record<string, unknown>;
      };
    };
    expect(Object.keys(report.analysis.entrypoints)).toContain('.');
    expect(report.analysis.problems.map((p) => `${p.kind} (${p.entrypoint ?? ''} ${p.resolutionKind ?? ''})`)).toEqual(
      [],
    );
  });
});
