/**
 * Covariances under a per-feature change of units, x = m + S·z with S = diag(s): Σ = S·Σ_z·S, exact for a Gaussian
 * (the CLI's fit --standardize fits on z-scores and maps the model back). Which models survive the change is a
 * property of the models, so it is listed here: full, tied and diag stay themselves; spherical (σ²·I in z-units)
 * becomes diagonal, diag(σ²·s_j²). mclust's constrained models are absent — their public K×D×D matrices would no
 * longer satisfy the constraint.
 */
import { covarianceModel, type CovarianceType } from './registry.js';

/** What a model becomes after rescaling, and how to say so when that is another model. */
const RESCALED: Partial<Record<CovarianceType, { as: CovarianceType; shape?: string }>> = {
  full: { as: 'full' },
  tied: { as: 'tied' },
  diag: { as: 'diag' },
  spherical: { as: 'diag', shape: 'diagonal' },
};

/** The models whose rescaled covariances are again a model (each, or the one it becomes: rescaledAs). */
export const RESCALABLE_TYPES: readonly CovarianceType[] = Object.freeze(Object.keys(RESCALED) as CovarianceType[]);

/** The model a rescaled `name` is, with a word for its shape when it changes; null when rescaling is not exact. */
export function rescaledAs(name: CovarianceType): { as: CovarianceType; shape?: string } | null {
  return RESCALED[name] ?? null;
}

/**
 * The covariances (flat, in `name`'s storage = public layout) of k components rescaled by the per-feature scales sd:
 * Σ_ij·s_i·s_j, in the storage of the model they become (rescaledAs). Throws for a model not in RESCALABLE_TYPES.
 */
export function rescaleCovariances(
  name: CovarianceType,
  values: Float64Array,
  k: number,
  sd: Float64Array,
): { covarianceType: CovarianceType; covariances: Float64Array } {
  const target = rescaledAs(name);
  if (!target) throw new RangeError(`rescaleCovariances: '${name}' covariances do not stay a model when rescaled`);
  const { layout } = covarianceModel(name);
  const d = sd.length;
  let out: Float64Array;
  switch (layout.name) {
    case 'tri':
    case 'sharedTri':
      out = values.map((v, t) => v * sd[Math.floor(t / d) % d] * sd[t % d]);
      break;
    case 'diag':
      out = values.map((x, t) => x * sd[t % d] ** 2);
      break;
    case 'scalar':
      out = new Float64Array(k * d);
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c * d + j] = values[c] * sd[j] * sd[j];
      break;
  }
  return { covarianceType: target.as, covariances: out };
}
