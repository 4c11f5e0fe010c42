import { symmetricEigen } from '../../eigen';
import type { MclustModelName } from './types';

/**
 * Checks that K covariance matrices (K·D·D, row-major) satisfy a model's constraints, e.g. when a saved model is
 * loaded. Returns null when they do, else a message naming every violated constraint. `rtol` is relative:
 *
 *   symmetric           |Σ_ij − Σ_ji| ≤ rtol·√(Σ_ii Σ_jj)
 *   positive definite   smallest eigenvalue > 0
 *   I (diagonal)        |Σ_ij| ≤ rtol·√(Σ_ii Σ_jj) for i ≠ j (EII, VII, EEI, VEI, EVI, VVI)
 *   II (spherical)      equal diagonal entries within each component (EII, VII)
 *   E.. volume          λk = |Σ_k|^{1/D} equal across components
 *   .E. shape           diagonal models: diag(Σ_k)/λk equal; EEE, VEE: Σ_k/λk equal (common shape and
 *                       orientation); EEV, VEV: the sorted eigenvalues of Σ_k/λk equal
 *   ..E orientation     the Σ_k commute pairwise (symmetric matrices share an eigenbasis iff they commute):
 *                       ‖Σ_j Σ_k − Σ_k Σ_j‖_F ≤ rtol·‖Σ_j‖_F ‖Σ_k‖_F (EEE, VEE, EVE, VVE)
 *
 * Component indices in messages are 0-based.
 */
export function checkMclustConstraints(
  model: MclustModelName,
  sigma: Float64Array,
  d: number,
  k: number,
  rtol = 1e-6,
): string | null {
  const dd = d * d;
  if (sigma.length !== k * dd)
    return `${model}: expected ${k} covariance matrices of ${d}×${d} (${k * dd} numbers), got ${sigma.length}`;
  const problems: string[] = [];

  for (let c = 0; c < k; c++) {
    let finite = true;
    for (let i = 0; i < dd; i++) if (!Number.isFinite(sigma[c * dd + i])) finite = false;
    if (!finite) return `${model}: Σ[${c}] has non-finite entries`;
    const asymmetric = asymmetricEntry(sigma, d, c, rtol);
    if (asymmetric) problems.push(`Σ[${c}] is not symmetric (entry ${asymmetric[0]},${asymmetric[1]})`);
  }
  if (problems.length) return `${model}: ${problems.join('; ')}`;

  const eig = Array.from({ length: k }, (_, c) => symmetricEigen(sigma, d, c * dd));
  const volume = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const e = eig[c].values;
    if (!(e[d - 1] > 0)) {
      problems.push(`Σ[${c}] is not positive definite (smallest eigenvalue ${e[d - 1]})`);
      continue;
    }
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.log(e[j]);
    volume[c] = Math.exp(s / d);
  }
  if (problems.length) return `${model}: ${problems.join('; ')}`;

  const [vol, shp, ori] = model;
  const diagonalFamily = ori === 'I';
  const add = (problem: string | null): void => {
    if (problem) problems.push(problem);
  };
  if (diagonalFamily) {
    for (let c = 0; c < k; c++) add(offDiagonalProblem(sigma, d, c, rtol));
    if (shp === 'I') for (let c = 0; c < k; c++) add(sphericalProblem(sigma, d, c, rtol));
  }
  if (vol === 'E') add(volumeProblem(volume, rtol));
  if (shp === 'E') {
    if (diagonalFamily) add(diagonalShapeProblem(sigma, d, volume, rtol));
    else if (ori === 'E') add(scaledMatrixProblem(sigma, d, volume, rtol));
    else add(eigenvalueShapeProblem(eig, d, volume, rtol));
  }
  if (ori === 'E') add(orientationProblem(sigma, d, k, rtol));

  return problems.length ? `${model}: ${problems.join('; ')}` : null;
}

/** Σ[c]'s entry (i, j) of K·D·D row-major matrices. */
function at(sigma: Float64Array, d: number, c: number, i: number, j: number): number {
  return sigma[c * d * d + i * d + j];
}

/** The first (i, j), i < j, row by row, where Σ[c] is not symmetric within rtol; null when it is. */
function asymmetricEntry(sigma: Float64Array, d: number, c: number, rtol: number): [number, number] | null {
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const bound = rtol * Math.sqrt(Math.abs(at(sigma, d, c, i, i) * at(sigma, d, c, j, j)));
      if (Math.abs(at(sigma, d, c, i, j) - at(sigma, d, c, j, i)) > bound) return [i, j];
    }
  }
  return null;
}

/** Σ[c]'s first off-diagonal entry, row by row, that is not negligible against its diagonal. */
function offDiagonalProblem(sigma: Float64Array, d: number, c: number, rtol: number): string | null {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      if (i !== j && Math.abs(at(sigma, d, c, i, j)) > rtol * Math.sqrt(at(sigma, d, c, i, i) * at(sigma, d, c, j, j)))
        return `Σ[${c}] is not diagonal (entry ${i},${j} = ${at(sigma, d, c, i, j)})`;
    }
  }
  return null;
}

/** Σ[c]'s first diagonal entry that differs from its first one. */
function sphericalProblem(sigma: Float64Array, d: number, c: number, rtol: number): string | null {
  const first = at(sigma, d, c, 0, 0);
  for (let j = 1; j < d; j++) {
    const x = at(sigma, d, c, j, j);
    if (!relEq(x, first, rtol)) return `Σ[${c}] is not spherical (diagonal entries ${first} and ${x})`;
  }
  return null;
}

/** The first component whose volume differs from component 0's. */
function volumeProblem(volume: Float64Array, rtol: number): string | null {
  for (let c = 1; c < volume.length; c++) {
    if (!relEq(volume[c], volume[0], rtol))
      return `volumes differ (|Σ[0]|^(1/D) = ${volume[0]}, |Σ[${c}]|^(1/D) = ${volume[c]})`;
  }
  return null;
}

/** Diagonal models: the first component whose diag(Σ_k)/λk differs from component 0's (at its last such coordinate). */
function diagonalShapeProblem(sigma: Float64Array, d: number, volume: Float64Array, rtol: number): string | null {
  for (let c = 1; c < volume.length; c++) {
    let bad = -1;
    for (let j = 0; j < d; j++)
      if (!relEq(at(sigma, d, c, j, j) / volume[c], at(sigma, d, 0, j, j) / volume[0], rtol)) bad = j;
    if (bad >= 0) return `shapes differ (Σ[0] and Σ[${c}], coordinate ${bad})`;
  }
  return null;
}

/** Common shape and orientation (EEE, VEE): the first component whose Σ_k / λk differs from Σ_0 / λ0. */
function scaledMatrixProblem(sigma: Float64Array, d: number, volume: Float64Array, rtol: number): string | null {
  const dd = d * d;
  for (let c = 1; c < volume.length; c++) {
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < dd; i++) {
      const a = sigma[i] / volume[0];
      diff += (sigma[c * dd + i] / volume[c] - a) ** 2;
      norm += a * a;
    }
    if (Math.sqrt(diff) > rtol * Math.sqrt(norm)) return `shapes or orientations differ (Σ[${c}]/λ${c} ≠ Σ[0]/λ0)`;
  }
  return null;
}

/** EEV, VEV: the first component whose sorted eigenvalues of Σ_k/λk differ from component 0's. */
function eigenvalueShapeProblem(
  eig: readonly { values: Float64Array }[],
  d: number,
  volume: Float64Array,
  rtol: number,
): string | null {
  for (let c = 1; c < volume.length; c++) {
    let bad = -1;
    for (let j = 0; j < d; j++) if (!relEq(eig[c].values[j] / volume[c], eig[0].values[j] / volume[0], rtol)) bad = j;
    if (bad >= 0) return `shapes differ (sorted eigenvalues of Σ[0]/λ0 and Σ[${c}]/λ${c}, position ${bad})`;
  }
  return null;
}

/** The first pair of components, in order, whose matrices do not commute (so share no eigenbasis). */
function orientationProblem(sigma: Float64Array, d: number, k: number, rtol: number): string | null {
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      if (!commute(sigma, d, a, b, rtol)) return `orientations differ (Σ[${a}] and Σ[${b}] do not share eigenvectors)`;
    }
  }
  return null;
}

/** ‖Σ_a Σ_b − Σ_b Σ_a‖_F ≤ rtol·‖Σ_a‖_F ‖Σ_b‖_F. */
function commute(sigma: Float64Array, d: number, a: number, b: number, rtol: number): boolean {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let ab = 0;
      let ba = 0;
      for (let m = 0; m < d; m++) {
        ab += at(sigma, d, a, i, m) * at(sigma, d, b, m, j);
        ba += at(sigma, d, b, i, m) * at(sigma, d, a, m, j);
      }
      diff += (ab - ba) ** 2;
      na += at(sigma, d, a, i, j) ** 2;
      nb += at(sigma, d, b, i, j) ** 2;
    }
  }
  return !(Math.sqrt(diff) > rtol * Math.sqrt(na * nb));
}

function relEq(a: number, b: number, rtol: number): boolean {
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b));
}
