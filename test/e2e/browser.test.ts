/**
 * End-to-end: the browser example (examples/browser) in headless Chromium, served by examples/browser/serve.mjs,
 * must fit Old Faithful on the wasm backend and agree with the same fit in Node to 1e-10, through the UI controls
 * and after a click adds a point. Needs Chromium (see test/helpers/chromium.ts; .ci/run installs Debian's) and a built
 * dist/browser.js (`npm test` builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BayesianGaussianMixture, GaussianMixture } from '../../src/index.js';
import { CHROMIUM_ARGS, chromiumPath, noChromium } from '../helpers/chromium.js';
import type { GaussianMixtureOptions } from '../../src/api/options.js';

const repo = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

interface PageResult {
  weights: number[];
  means: number[][];
  covariances: number | number[] | number[][] | number[][][];
  lowerBound: number;
  backend: 'wasm' | 'js';
  nIter: number;
  options: GaussianMixtureOptions;
  nPoints: number;
  data: number[][];
  fitCount: number;
  ready: boolean;
  error?: string;
  bayesian?: boolean;
  activeComponents?: number[] | null;
  noiseWeight?: number | null;
}

declare global {
  interface Window {
    __gaussmix?: PageResult;
  }
}

const faithful: number[][] = readFileSync(repo('data/faithful.csv'), 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(',').map(Number));

/** Flattens nested arrays and typed arrays into a plain number[]. */
function flat(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  return Array.from(v as ArrayLike<unknown>, flat).flat();
}

/** |a − b| ≤ tol·max(1, |b|) elementwise, with the worst entry named on failure. */
function expectEqualTo(actual: unknown, expected: unknown, tol: number, label: string): void {
  const a = flat(actual);
  const b = flat(expected);
  expect(a.length, `${label}: number of entries`).toBe(b.length);
  let worst = 0;
  let at = 0;
  a.forEach((v, i) => {
    const err = Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(err <= worst)) [worst, at] = [err, i];
  });
  expect(worst, `${label}: entry ${at} is ${a[at]} in the browser, ${b[at]} in Node`).toBeLessThanOrEqual(tol);
}

/** Fits the same data with the same options in Node and checks the page's result against it. */
function expectSameAsNode(r: PageResult): void {
  expect(r.error, 'the page reported an error').toBeUndefined();
  const gm = new GaussianMixture(r.options).fit(r.data);
  expect(r.backend, 'backend that ran in the browser').toBe(gm.backend);
  expect(r.nIter, 'nIter').toBe(gm.nIter);
  expectEqualTo(r.weights, gm.weights, 1e-10, 'weights');
  expectEqualTo(r.means, gm.means, 1e-10, 'means');
  expectEqualTo(r.covariances, gm.covariances, 1e-10, 'covariances');
  expectEqualTo(r.lowerBound, gm.lowerBound, 1e-10, 'lowerBound');
}

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

/** Starts examples/browser/serve.mjs on a random port and resolves to the page URL it prints first. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [repo('examples/browser/serve.mjs'), '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`static server printed no URL within 10 s: ${out}${err}`)), 10_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`static server exited with code ${code}: ${err}`));
    });
  });
}

/** Waits until the page has finished fit number `count` (or any later one) and returns its result. */
async function waitForFit(count: number): Promise<PageResult> {
  await page.waitForFunction(
    (n) => {
      const g = window.__gaussmix;
      return !!g && g.ready && g.fitCount >= n;
    },
    count,
    { timeout: 15_000 },
  );
  return (await page.evaluate(() => window.__gaussmix))!;
}

describe.skipIf(noChromium)('browser example in headless Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(repo('dist/browser.js'))) {
      throw new Error('dist/browser.js is missing; run `npm run build` first (`npm test` does).');
    }
    const url = await startServer();
    browser = await chromium.launch({ executablePath: chromiumPath!, args: CHROMIUM_ARGS, timeout: 20_000 });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(url);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('fits Old Faithful on the wasm backend, equal to the Node fit', async () => {
    const r = await waitForFit(1);
    expect(r.backend).toBe('wasm');
    expect(r.options).toEqual({ nComponents: 2, covarianceType: 'full', backend: 'auto', seed: 0 });
    expect(r.data).toEqual(faithful);
    expectSameAsNode(r);
    // The same model as a plain Node fit of the shipped file (not just of what the page reports it used).
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', seed: 0 }).fit(faithful);
    expectEqualTo(r.means, gm.means, 1e-10, 'means vs faithful.csv fit');
    expect(await page.locator('#s-backend').textContent()).toMatch(/wasm/);
  });

  it('refits with K = 3 and diagonal covariances chosen in the UI', async () => {
    const before = await page.evaluate(() => window.__gaussmix!.fitCount);
    await page.selectOption('#k', '3');
    await page.selectOption('#cov', 'diag');
    const r = await waitForFit(before + 2);
    expect(r.options).toMatchObject({ nComponents: 3, covarianceType: 'diag' });
    expect(r.weights).toHaveLength(3);
    expect(r.backend).toBe('wasm');
    expectSameAsNode(r);
    expect(await page.locator('#components tr').count()).toBe(3);
  });

  it('adds a clicked point and refits', async () => {
    const before = await page.evaluate(() => window.__gaussmix!);
    const box = (await page.locator('#plot').boundingBox())!;
    await page.locator('#plot').click({ position: { x: box.width * 0.7, y: box.height * 0.3 } });
    const r = await waitForFit(before.fitCount + 1);
    expect(r.nPoints).toBe(before.nPoints + 1);
    expect(r.data.slice(0, -1)).toEqual(before.data);
    const [x, y] = r.data[r.data.length - 1];
    // 70 % across, 30 % down the plot lands at roughly 4.2 minutes of eruption, 84 minutes of waiting.
    expect(x).toBeGreaterThan(3.5);
    expect(x).toBeLessThan(5);
    expect(y).toBeGreaterThan(75);
    expect(y).toBeLessThan(95);
    expectSameAsNode(r);
    expect(await page.locator('#s-n').textContent()).toBe(`${before.nPoints + 1} (1 added)`);
  });

  it('fitAsync runs on two Web Workers in the page, equal to fit in Node', async () => {
    // The page is not cross-origin isolated (no COOP/COEP headers), so this is the path where each worker gets a
    // copy of its rows, from a Blob-URL worker script.
    const opts: GaussianMixtureOptions = { nComponents: 3, covarianceType: 'full', seed: 4, nInit: 2 };
    const r = await page.evaluate(
      async ([X, o]) => {
        // (a literal dynamic import here would be rewritten by vitest's transform, which the page does not have)
        const load = new Function('u', 'return import(u)') as (
          u: string,
        ) => Promise<{ GaussianMixture: typeof GaussianMixture }>;
        const { GaussianMixture: GM } = await load(new URL('/dist/browser.js', location.href).href);
        const gm = await new GM(o).fitAsync(X, { workers: 2 });
        const plain = (v: unknown): unknown =>
          ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : Array.isArray(v) ? v.map(plain) : v;
        return {
          weights: plain(gm.weights),
          means: plain(gm.means),
          covariances: plain(gm.covariances),
          lowerBound: gm.lowerBound as number,
          nIter: gm.nIter as number,
          backend: gm.backend as string,
          isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ?? null,
        };
      },
      [faithful, opts] as const,
    );
    expect(r.isolated).toBe(false);
    const gm = new GaussianMixture(opts).fit(faithful);
    expect(r.backend).toBe('wasm');
    expect(r.nIter).toBe(gm.nIter);
    expectEqualTo(r.weights, gm.weights, 1e-10, 'weights');
    expectEqualTo(r.means, gm.means, 1e-10, 'means');
    expectEqualTo(r.covariances, gm.covariances, 1e-10, 'covariances');
    expectEqualTo(r.lowerBound, gm.lowerBound, 1e-10, 'lowerBound');
    expect(pageErrors, 'errors in the page').toEqual([]);
  });

  it('fits with the prior and a noise component when ticked, equal to the Node fit', async () => {
    const before = await page.evaluate(() => window.__gaussmix!.fitCount);
    await page.check('#prior');
    await page.check('#noise');
    const r = await waitForFit(before + 2);
    expect(r.options).toMatchObject({ prior: true, noise: true });
    expectSameAsNode(r);
    expect(r.noiseWeight).toBeCloseTo(new GaussianMixture(r.options).fit(r.data).noiseWeight!, 10);
    expect(await page.locator('#components tr').last().textContent()).toMatch(/noise/);
    await page.uncheck('#prior');
    await page.uncheck('#noise');
    await waitForFit(before + 4);
    expect(pageErrors, 'errors in the page').toEqual([]);
  });

  it('runs the js backend when chosen, equal to the Node js fit', async () => {
    const before = await page.evaluate(() => window.__gaussmix!.fitCount);
    await page.selectOption('#backend', 'js');
    const r = await waitForFit(before + 1);
    expect(r.backend).toBe('js');
    expectSameAsNode(r);
    expect(pageErrors, 'errors in the page').toEqual([]);
  });
  it('the "Bayesian (auto K)" switch fits a BayesianGaussianMixture that keeps two components, equal to Node', async () => {
    const before = await page.evaluate(() => window.__gaussmix!.fitCount);
    // Old Faithful as shipped, full covariances, the wasm backend (each change refits)
    await page.click('#reset');
    await page.selectOption('#cov', 'full');
    await page.selectOption('#backend', 'auto');
    await page.check('#bayesian');
    const r = await waitForFit(before + 4);
    expect(r.data).toEqual(faithful);
    expect(r.error, 'the page reported an error').toBeUndefined();
    expect(r.bayesian).toBe(true);
    expect(r.backend).toBe('wasm');
    expect(r.options).toMatchObject({ nComponents: 10, maxIter: 500 });
    expect(await page.locator('#k').isDisabled()).toBe(true);
    const bgm = new BayesianGaussianMixture(r.options as never).fit(r.data);
    expect(r.backend).toBe(bgm.backend);
    expect(r.nIter).toBe(bgm.nIter);
    expectEqualTo(r.weights, bgm.weights, 1e-10, 'weights');
    expectEqualTo(r.means, bgm.means, 1e-10, 'means');
    expectEqualTo(r.covariances, bgm.covariances, 1e-10, 'covariances');
    expectEqualTo(r.lowerBound, bgm.lowerBound, 1e-10, 'lowerBound');
    expect(r.activeComponents).toEqual(Array.from(bgm.activeComponents));
    expect(r.activeComponents).toHaveLength(2);
    expect(await page.locator('#components tr').count()).toBe(2);
    expect(await page.locator('#s-k').textContent()).toBe('2 of 10');
    // and back to EM with the chosen K
    await page.uncheck('#bayesian');
    const em = await waitForFit(before + 5);
    expect(em.bayesian).toBe(false);
    expectSameAsNode(em);
    expect(pageErrors, 'errors in the page').toEqual([]);
  });
});
