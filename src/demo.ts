/**
 * `npm run demo`: fits the Old Faithful eruptions (shipped in data/faithful.csv) with K = 2 full-covariance
 * components and prints what was learned.
 */
import { readFileSync } from 'node:fs';
import { GaussianMixture } from './index.js';

const csv = readFileSync(new URL('../data/faithful.csv', import.meta.url), 'utf8');
const [header, ...lines] = csv.trim().split(/\r?\n/);
const X = lines.map((line) => line.split(',').map(Number));
const columns = header.split(',');

const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', seed: 0 }).fit(X);
const fmt = (v: number, digits = 4): string => v.toFixed(digits).padStart(10);

console.log(`Old Faithful: ${X.length} eruptions × ${columns.length} features (${columns.join(', ')})`);
console.log(`GaussianMixture(nComponents: 2, covarianceType: 'full') on the ${gm.backend} backend`);
console.log(`converged: ${gm.converged} after ${gm.nIter} iterations\n`);
const covs = gm.covariances as Float64Array[][];
gm.means.forEach((mean, k) => {
  console.log(`component ${k}: weight ${gm.weights[k].toFixed(4)}`);
  console.log(`  mean       ${Array.from(mean, (v) => fmt(v)).join('')}`);
  covs[k].forEach((row, i) => console.log(`  ${i === 0 ? 'covariance' : '          '} ${Array.from(row, (v) => fmt(v)).join('')}`));
});
console.log(`\nlog-likelihood: ${(gm.score(X) * X.length).toFixed(4)} (mean per eruption ${gm.score(X).toFixed(6)})`);
console.log(`BIC: ${gm.bic(X).toFixed(4)}   AIC: ${gm.aic(X).toFixed(4)}`);
