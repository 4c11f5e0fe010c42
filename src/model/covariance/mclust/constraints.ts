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
  const at = (c: number, i: number, j: number) => sigma[c * dd + i * d + j];

  for (let c = 0; c < k; c++) {
    let finite = true;
    for (let i = 0; i < dd; i++) if (!Number.isFinite(sigma[c * dd + i])) finite = false;
    if (!finite) return `${model}: Σ[${c}] has non-finite entries`;
    for (let i = 0; i < d; i++) {
      for (let j = i + 1; j < d; j++) {
        if (Math.abs(at(c, i, j) - at(c, j, i)) > rtol * Math.sqrt(Math.abs(at(c, i, i) * at(c, j, j)))) {
          problems.push(`Σ[${c}] is not symmetric (entry ${i},${j})`);
          i = d;
          break;
        }
      }
    }
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

  if (diagonalFamily) {
    for (let c = 0; c < k; c++) {
      outer: for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          if (i !== j && Math.abs(at(c, i, j)) > rtol * Math.sqrt(at(c, i, i) * at(c, j, j))) {
            problems.push(`Σ[${c}] is not diagonal (entry ${i},${j} = ${at(c, i, j)})`);
            break outer;
          }
        }
      }
    }
    if (shp === 'I') {
      for (let c = 0; c < k; c++) {
        for (let j = 1; j < d; j++) {
          if (!relEq(at(c, j, j), at(c, 0, 0), rtol)) {
            problems.push(`Σ[${c}] is not spherical (diagonal entries ${at(c, 0, 0)} and ${at(c, j, j)})`);
            break;
          }
        }
      }
    }
  }

  if (vol === 'E') {
    for (let c = 1; c < k; c++) {
      if (!relEq(volume[c], volume[0], rtol)) {
        problems.push(`volumes differ (|Σ[0]|^(1/D) = ${volume[0]}, |Σ[${c}]|^(1/D) = ${volume[c]})`);
        break;
      }
    }
  }

  if (shp === 'E') {
    if (diagonalFamily) {
      for (let c = 1; c < k; c++) {
        let bad = -1;
        for (let j = 0; j < d; j++) if (!relEq(at(c, j, j) / volume[c], at(0, j, j) / volume[0], rtol)) bad = j;
        if (bad >= 0) {
          problems.push(`shapes differ (Σ[0] and Σ[${c}], coordinate ${bad})`);
          break;
        }
      }
    } else if (ori === 'E') {
      // common shape and orientation: Σ_k / λk all equal
      for (let c = 1; c < k; c++) {
        let diff = 0;
        let norm = 0;
        for (let i = 0; i < dd; i++) {
          const a = sigma[i] / volume[0];
          diff += (sigma[c * dd + i] / volume[c] - a) ** 2;
          norm += a * a;
        }
        if (Math.sqrt(diff) > rtol * Math.sqrt(norm)) {
          problems.push(`shapes or orientations differ (Σ[${c}]/λ${c} ≠ Σ[0]/λ0)`);
          break;
        }
      }
    } else {
      for (let c = 1; c < k; c++) {
        let bad = -1;
        for (let j = 0; j < d; j++)
          if (!relEq(eig[c].values[j] / volume[c], eig[0].values[j] / volume[0], rtol)) bad = j;
        if (bad >= 0) {
          problems.push(`shapes differ (sorted eigenvalues of Σ[0]/λ0 and Σ[${c}]/λ${c}, position ${bad})`);
          break;
        }
      }
    }
  }

  if (ori === 'E') {
    outerPairs: for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        let diff = 0;
        let na = 0;
        let nb = 0;
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            let ab = 0;
            let ba = 0;
            for (let m = 0; m < d; m++) {
              ab += at(a, i, m) * at(b, m, j);
              ba += at(b, i, m) * at(a, m, j);
            }
            diff += (ab - ba) ** 2;
            na += at(a, i, j) ** 2;
            nb += at(b, i, j) ** 2;
          }
        }
        if (Math.sqrt(diff) > rtol * Math.sqrt(na * nb)) {
          problems.push(`orientations differ (Σ[${a}] and Σ[${b}] do not share eigenvectors)`);
          break outerPairs;
        }
      }
    }
  }

  return problems.length ? `${model}: ${problems.join('; ')}` : null;
}

function relEq(a: number, b: number, rtol: number): boolean {
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b));
}
