/**
 * The summary `gaussmix fit --bayesian` prints: the effective number of components first, then the active
 * components laid out exactly as `fit` lays out a GaussianMixture's (format.ts, applied to the pruned mixture and
 * labelled with the components' own indices and weights), then the variational lower bound and the mean log predictive density.
 */
import { ACTIVE_WEIGHT, type BayesianGaussianMixture } from '../api/bayesian-gaussian-mixture.js';
import { modelSummary, num, type SummaryContext } from './format.js';

export function bayesianSummary(bgm: BayesianGaussianMixture, ctx: SummaryContext): string {
  const o = bgm.options;
  const d = bgm.nFeatures;
  // --bayesian reads the whole input (--online, which streams it, is refused with it)
  const X = ctx.X;
  if (X === undefined) throw new TypeError('bayesianSummary needs the data the model was fitted on');
  const n = X.rows;
  const noun = ctx.rowNoun ?? 'rows';
  const active = Array.from(bgm.activeComponents);
  const out: string[] = [];
  out.push(
    `${ctx.source ? `${ctx.source}: ` : ''}${n} ${noun} × ${d} feature${d === 1 ? '' : 's'} (${ctx.columns.join(', ')})`,
  );
  const extra = [o.nInit !== 1 ? `nInit: ${o.nInit}` : '', `seed: ${o.seed}`].filter(Boolean).join(', ');
  out.push(
    `BayesianGaussianMixture(nComponents: ${o.nComponents}, covarianceType: '${o.covarianceType}', ` +
      `weightConcentrationPriorType: '${o.weightConcentrationPriorType}', ${extra}) on the ${bgm.backend} backend`,
  );
  out.push(`converged: ${bgm.converged} after ${bgm.nIter} iteration${bgm.nIter === 1 ? '' : 's'}`);
  out.push(
    `effective K: ${active.length} of ${o.nComponents} components (weight ≥ ${ACTIVE_WEIGHT}: ${active.join(', ')})`,
  );
  out.push('');
  // the component table of the pruned mixture: from its header row to the blank line before its likelihood lines
  const lines = modelSummary(bgm.prune(), ctx).split('\n');
  const first = lines.findIndex((l) => l.startsWith('component ')) - 1;
  const last = lines.findIndex((l) => l.startsWith('log-likelihood:')) - 1;
  const weights = bgm.weights;
  for (const line of lines.slice(first, last)) {
    // the component's own index and weight (the pruned mixture renumbers them and renormalises the weights)
    out.push(
      line.replace(/^component (\d+): weight \S+/, (_, c: string) => {
        const k = active[Number(c)];
        return `component ${k}: weight ${weights[k].toFixed(4)}`;
      }),
    );
  }
  out.push('');
  const mean = bgm.score(X);
  out.push(`lower bound (variational, a sum over rows): ${num(bgm.lowerBound)}`);
  out.push(
    `log predictive density: ${num(mean * n)} (mean per ${noun.replace(/s$/, '')} ${mean.toFixed(6)})${ctx.weighted ? ', unweighted' : ''}`,
  );
  return out.join('\n');
}
