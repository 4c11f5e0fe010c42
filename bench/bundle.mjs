/**
 * What a page that imports GaussianMixture, calls init() and fits downloads, and what it is made of: esbuild bundles
 * such a page from the sources (src/browser.ts, the browser entry; minified, code splitting, as
 * test/e2e/package.test.ts does from the packed package) and prints
 *  - the gzipped size of the first download (the entry chunk and the chunks it imports statically) and of each kernel
 *    build (init() loads one),
 *  - per source folder: minified bytes (esbuild's metafile) and the gzipped bytes the page would lose without it
 *    (the page gzipped with and without that folder's modules — gzip shares context across modules, so a folder's
 *    own gzipped size would overstate what removing it saves).
 * `node bench/bundle.mjs [--entry src/browser.ts] [--files]` (--files lists every module under its folder).
 * Needs build/ (the kernel modules: `npm run build:wasm`).
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const entryModule = args.includes('--entry') ? args[args.indexOf('--entry') + 1] : 'src/browser.ts';
const listFiles = args.includes('--files');

const entryName = '.bundle-page.js';
writeFileSync(
  resolve(root, entryName),
  `import { GaussianMixture, init } from './${entryModule}';
await init();
const X = [[1, 2], [3, 4], [5, 6], [7, 9]];
console.log(new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X).predict(X));
`,
);
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Bundles the page; returns the outputs by metafile path, the first download's chunks and the kernel chunks. */
async function bundle(minify) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entryName],
    outdir: 'bench/.bundle-out',
    write: false,
    bundle: true,
    splitting: true,
    platform: 'browser',
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    metafile: true,
    logLevel: 'silent',
    // The package's "sideEffects": false would let esbuild drop the entry's own statements (handing over the kernels,
    // installing the full library), which the published dist/browser.js keeps: it is one module with the API.
    plugins: [
      {
        name: 'entry-has-effects',
        setup(b) {
          b.onResolve({ filter: /^\.\/src\// }, (a) =>
            a.importer.endsWith(entryName) ? { path: resolve(root, a.path), sideEffects: true } : undefined,
          );
        },
      },
    ],
    ...(minify ? { minify: true } : { minifySyntax: true, minifyIdentifiers: true }),
  });
  const outputs = result.metafile.outputs;
  const text = (f) => result.outputFiles.find((o) => o.path === resolve(root, f)).contents;
  const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint === entryName);
  const page = new Set([entry]);
  for (const f of page) for (const i of outputs[f].imports) if (i.kind === 'import-statement') page.add(i.path);
  const kernels = Object.keys(outputs).filter((f) => /kernels-(simd|relaxed)/.test(f) && f.endsWith('.js'));
  return { outputs, text, page: [...page], kernels };
}

/** The folder a module is counted under (mclust's models, missing values and the variational math on their own). */
function folder(file) {
  if (file.includes('node_modules/')) return file.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1');
  const m = file.match(/^src\/(model\/covariance\/mclust|model\/[a-z]+(?=\/)|[a-z]+\/[a-z]+(?=\/)|[a-z]+)/);
  return m ? `src/${m[1]}` : file;
}

try {
  const min = await bundle(true);
  const pageGz = min.page.reduce((a, f) => a + gz(min.text(f)), 0);
  const pageRaw = min.page.reduce((a, f) => a + min.text(f).length, 0);
  const kernelGz = min.kernels.map((f) => gz(min.text(f)));
  const perFile = {};
  for (const f of min.page)
    for (const [file, v] of Object.entries(min.outputs[f].inputs))
      perFile[file] = (perFile[file] ?? 0) + v.bytesInOutput;

  // Marginal gzip per folder: the same bundle with whitespace kept (esbuild then marks where each module starts),
  // cut into modules, gzipped with and without the folder's modules (indentation and comment lines stripped first).
  const loose = await bundle(false);
  const pieces = [];
  for (const chunk of loose.page) {
    const t = new TextDecoder().decode(loose.text(chunk));
    for (const part of t.split(/^(?=\/\/ (?:src|build|\.\.?\/|node_modules)\S*\.[jt]s$)/m)) {
      const m = part.match(/^\/\/ (\S+)/);
      pieces.push({ chunk, file: m ? m[1].replace(/^(\.\.\/)+/, '') : '(glue)', code: part });
    }
  }
  const squeeze = (s) => s.replace(/^\s*\/\/.*$/gm, '').replace(/^\s+/gm, '');
  const gzWithout = (skip) =>
    loose.page.reduce(
      (a, chunk) =>
        a +
        gz(
          Buffer.from(
            squeeze(
              pieces
                .filter((p) => p.chunk === chunk && !skip(p.file))
                .map((p) => p.code)
                .join(''),
            ),
          ),
        ),
      0,
    );
  const all = gzWithout(() => false);
  const folders = {};
  for (const [file, bytes] of Object.entries(perFile)) {
    const g = folder(file);
    folders[g] ??= { bytes: 0, files: [] };
    folders[g].bytes += bytes;
    folders[g].files.push([file, bytes]);
  }
  const rows = Object.entries(folders).map(([g, v]) => ({ g, ...v, saves: all - gzWithout((f) => folder(f) === g) }));
  rows.sort((a, b) => b.saves - a.saves);

  // What each capability beyond scikit-learn's costs the first download (the modules only it uses).
  const features = {
    "mclust's 14 models (+ eigen)": /^src\/model\/(covariance\/mclust|covariance\/mclust-model|eigen)/,
    "missing: 'marginalize'": /^src\/(model\/missing\/|data\/missing|drivers\/local\/(observed|missing-server))/,
    "initParams: 'hc'": /^src\/init\/hc/,
    'prior and noise':
      /^src\/(model\/(prior|noise)|em\/prior-start|api\/(prior-noise-options|noise-start)|tools\/nn-clean)/,
    'partialFit and batchSize': /^src\/(em\/online|model\/running-stats|api\/online-json|drivers\/(online|minibatch))/,
    "accelerate: 'squarem'": /^src\/em\/squarem/,
    'the JS twin (backends/js)': /^src\/backends\/js\//,
    'the DEFLATE decoder (backends/inflate)': /^src\/backends\/inflate/,
  };
  const featureRows = Object.entries(features).map(([name, re]) => {
    const bytes = Object.entries(perFile).reduce((a, [f, n]) => a + (re.test(f) ? n : 0), 0);
    return { name, bytes, saves: all - gzWithout((f) => re.test(f)) };
  });

  console.log(`entry ${entryModule}: first download ${pageRaw} B minified, ${pageGz} B gzip -9`);
  console.log(`kernel builds (init() loads one): ${kernelGz.join(' B, ')} B gzip -9`);
  console.log(`page + larger kernel build: ${pageGz + Math.max(...kernelGz)} B\n`);
  console.log('| folder | minified B | gzip B the page loses without it |\n| --- | --: | --: |');
  for (const r of rows) {
    console.log(`| ${r.g} | ${r.bytes} | ${r.saves} |`);
    if (listFiles) for (const [f, n] of r.files.sort((a, b) => b[1] - a[1])) console.log(`|   ${f} | ${n} | |`);
  }
  console.log('\n| capability | minified B | gzip B the page loses without it |\n| --- | --: | --: |');
  for (const r of featureRows) console.log(`| ${r.name} | ${r.bytes} | ${r.saves} |`);
} finally {
  unlinkSync(resolve(root, entryName));
}
