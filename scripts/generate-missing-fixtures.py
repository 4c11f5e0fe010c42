#!/usr/bin/env python3
"""Reference fixtures for exact EM with missing values (Ghahramani & Jordan 1994).

Writes ``test/fixtures/missing-em.json``. numpy only; run with the system
interpreter from the repository root:

    /usr/bin/python3 scripts/generate-missing-fixtures.py

The implementation below is written from the mathematics (not from any of the
TypeScript): every component's covariance is handled as a dense D x D matrix
Sigma (diag and spherical ones as diag(sigma^2) and s*I), so the simplifications
a fast implementation makes for those types are *not* made here, and the
Gaussian conditionals use np.linalg.solve / slogdet (LU), not Cholesky factors.

Model and data
--------------
NaN entries are missing at random. Row n has observed coordinates O_n and
missing coordinates M_n (O_n is never empty: a row without any observed value is
refused -- the ``mustRefuse`` case records one).

E-step, for parameters theta = (pi, mu, Sigma) and every row n, component k:

    log p_nk   = log pi_k + log N(x_O; mu_k,O, Sigma_k,OO)
    log p(x_n) = logsumexp_k log p_nk           (observed-data log-likelihood)
    r_nk       = exp(log p_nk - log p(x_n))
    xhat_nk    = x on O;  mu_k,M + Sigma_k,MO Sigma_k,OO^-1 (x_O - mu_k,O) on M
    C_nk       = Sigma_k,MM - Sigma_k,MO Sigma_k,OO^-1 Sigma_k,OM   (M x M block)

Expected sufficient statistics, accumulated around the current means mu_k
(never as E[xx'] - mu mu'), with sample weights w_n (1 when absent):

    nk  = sum_n w r_nk
    sx  = sum_n w r_nk (xhat_nk - mu_k)
    S   = sum_n w r_nk [(xhat_nk - mu_k)(xhat_nk - mu_k)' + C_nk (in the M x M block)]

M-step (scikit-learn's centered formulas, eps = machine epsilon):

    nk'   = nk + 10 eps;  pi = nk' / sum nk';  delta = sx / nk';  mu' = mu + delta
    full      Sigma_k = S_k / nk' - (2 - nk/nk') delta delta' + regCovar I
    tied      Sigma   = sum_k [S_k - (2 - nk/nk') nk' delta_k delta_k'] / sum_k nk' + regCovar I
    diag      sigma_k^2 = diagonal of the full formula (regCovar added)
    spherical s_k = mean over coordinates of the diag variances

With no missing value this is ordinary EM; the script asserts that it then
equals a separate plain-EM implementation (scikit-learn's E-step through
precision Cholesky factors, its M-step from means = r'X/nk') to 1e-11.

Iteration and lower-bound semantics (scikit-learn's fit loop, tol = 0, so
exactly nIter iterations run and the fit never "converges"):

    theta_0 = start
    for t = 1..nIter:
        lowerBounds[t-1] = sum_n w log p(x_n | theta_{t-1}) / sum_n w    (before the M-step)
        theta_t = M-step(expected statistics under theta_{t-1})

so ``lowerBound`` = lowerBounds[-1] is the mean log-likelihood under the
parameters *before* the last M-step (scikit-learn's lower_bound_), while
``score``, ``scoreSamples``, ``predictProba``, ``predict``, ``bic`` and
``impute`` are evaluated under the fitted theta_nIter. score is the unweighted
mean of scoreSamples (as scikit-learn's score); bic = -2 n score + p log n with
scikit-learn's parameter count p; impute(X) keeps x_O and fills x_M with
sum_k r_nk E[x_M | x_O, k]; predict = argmax_k r_nk (first on ties).

Cases
-----
Data: data/faithful.csv, data/iris.csv (species column dropped),
data/diabetes.csv, data/banknote.csv. For each set and rate in 10%, 20%, 30%,
exactly round(rate n D) entries are removed: the entries are visited in the
order of a seeded permutation (np.random.RandomState(seed)) and an entry is
removed unless it is its row's last observed value, so no row loses all its
values. The masked matrices are stored once under ``datasets`` (NaN -> null)
and the cases refer to them.

Start (``start``): from the rows of the masked set that are complete, projected
on the leading eigenvector of their covariance and cut into K equal-count
groups by that projection (a hard partition): weights = group fractions,
means = group means, covariances = the group covariances (divided by the group
size) reduced to the covariance type (tied: pooled within-group; diag: their
diagonals; spherical: the mean of those), plus regCovar. ``start.covariances``
are what this EM starts from; ``start.precisions`` are their inverses
(scikit-learn's ``precisions_init`` meaning) and ``start.precisionsCholesky``
scikit-learn's factors, for tests through a public API (starting from the
precisions instead agrees up to rounding).

Recorded per case under ``expected``: weights, means, covariances,
precisionsCholesky (scikit-learn's precisions_cholesky_: upper-triangular P
with P P' = Sigma^-1 for full/tied, 1/sqrt(variance) for diag/spherical),
lowerBounds (one per iteration), lowerBound, nIter, score, scoreSamples,
predictProba, predict, bic, impute. Cases with regCovar = 0 are also checked
here to have a non-decreasing lower bound (EM's monotonicity).

Floats are written with Python's repr, so they round-trip exactly.
"""

import json
import os
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test" / "fixtures" / "missing-em.json"
EPS10 = 10 * np.finfo(np.float64).eps
LOG_2PI = np.log(2 * np.pi)
N_ITER = 25
REG = 1e-6


# ----------------------------------------------------------------------------- data


def load(name):
    with open(ROOT / "data" / f"{name}.csv") as f:
        header = [h.strip().strip('"') for h in f.readline().split(",")]
    X = np.loadtxt(ROOT / "data" / f"{name}.csv", delimiter=",", skiprows=1)
    if name == "iris":
        X, header = X[:, :4], header[:4]
    return X, header


def remove_entries(X, rate, seed):
    """Removes exactly round(rate n d) entries in a seeded order, never a row's last observed value."""
    rng = np.random.RandomState(seed)
    n, d = X.shape
    target = int(round(rate * n * d))
    left = np.full(n, d)
    mask = np.zeros((n, d), dtype=bool)
    removed = 0
    for e in rng.permutation(n * d):
        if removed == target:
            break
        i, j = divmod(int(e), d)
        if left[i] == 1:
            continue
        mask[i, j] = True
        left[i] -= 1
        removed += 1
    assert removed == target
    Xm = X.copy()
    Xm[mask] = np.nan
    return Xm


def to_json_matrix(X):
    return [[None if np.isnan(v) else float(v) for v in row] for row in X]


# ----------------------------------------------------------------------------- model pieces


def dense_covs(cov_type, covs, K, d):
    """Every component's covariance as a dense d x d matrix."""
    if cov_type == "full":
        return [np.array(c) for c in covs]
    if cov_type == "tied":
        return [np.array(covs) for _ in range(K)]
    if cov_type == "diag":
        return [np.diag(v) for v in covs]
    return [s * np.eye(d) for s in covs]


def patterns(Xm):
    """Rows grouped by missingness pattern: list of (observed mask, row indices)."""
    miss = np.isnan(Xm)
    if miss.all(axis=1).any():
        raise ValueError("a row has no observed value")
    groups = {}
    for i, row in enumerate(miss):
        groups.setdefault(row.tobytes(), []).append(i)
    return [(~miss[rows[0]], np.array(rows)) for rows in groups.values()]


def logsumexp(a):
    m = a.max(axis=1)
    return m + np.log(np.exp(a - m[:, None]).sum(axis=1))


def e_step(Xm, pats, weights, means, sigmas):
    """log pi_k N(x_O; ...) (n x K), completed rows xhat (K x n x d), conditional covariances per (pattern, k)."""
    n, d = Xm.shape
    K = len(weights)
    logp = np.empty((n, K))
    xhat = np.empty((K, n, d))
    cond = {}
    for p, (o, rows) in enumerate(pats):
        m = ~o
        Xo = Xm[np.ix_(rows, o)]
        for k in range(K):
            S, mu = sigmas[k], means[k]
            Soo = S[np.ix_(o, o)]
            dev = Xo - mu[o]
            sol = np.linalg.solve(Soo, dev.T).T  # Soo^-1 (x_O - mu_O), one row per data row
            sign, logdet = np.linalg.slogdet(Soo)
            assert sign > 0
            maha = np.einsum("ij,ij->i", dev, sol)
            logp[rows, k] = np.log(weights[k]) - 0.5 * (o.sum() * LOG_2PI + logdet + maha)
            comp = Xm[rows].copy()
            if m.any():
                Smo = S[np.ix_(m, o)]
                comp[:, m] = mu[m] + sol @ Smo.T
                cond[p, k] = S[np.ix_(m, m)] - Smo @ np.linalg.solve(Soo, Smo.T)
            xhat[k, rows] = comp
    return logp, xhat, cond


def responsibilities(logp):
    lse = logsumexp(logp)
    return lse, np.exp(logp - lse[:, None])


def m_step(cov_type, Xm, w, pats, means, resp, xhat, cond, reg):
    n, d = Xm.shape
    K = resp.shape[1]
    nk1 = np.empty(K)
    new_means = np.empty((K, d))
    full = []  # unregularised full-formula covariance per component
    scat = []  # unnormalised centered scatter per component (for tied)
    for k in range(K):
        wr = w * resp[:, k]
        nk = wr.sum()
        dev = xhat[k] - means[k]
        sx = wr @ dev
        S = (dev * wr[:, None]).T @ dev
        for p, (o, rows) in enumerate(pats):
            if (p, k) in cond:
                m = ~o
                S[np.ix_(m, m)] += wr[rows].sum() * cond[p, k]
        nk1[k] = nk + EPS10
        delta = sx / nk1[k]
        new_means[k] = means[k] + delta
        f = 2 - nk / nk1[k]
        full.append(S / nk1[k] - f * np.outer(delta, delta))
        scat.append(S - f * nk1[k] * np.outer(delta, delta))
    weights = nk1 / nk1.sum()
    if cov_type == "full":
        covs = np.array([c + reg * np.eye(d) for c in full])
    elif cov_type == "tied":
        covs = sum(scat) / nk1.sum() + reg * np.eye(d)
    elif cov_type == "diag":
        covs = np.array([np.diag(c) + reg for c in full])
    else:
        covs = np.array([np.mean(np.diag(c) + reg) for c in full])
    return weights, new_means, covs


def prec_chol(cov_type, covs):
    """scikit-learn's precisions_cholesky_."""
    if cov_type in ("diag", "spherical"):
        return 1 / np.sqrt(covs)

    def one(S):
        L = np.linalg.cholesky(S)
        return np.linalg.inv(L).T  # upper-triangular, P P' = S^-1

    if cov_type == "tied":
        return one(covs)
    return np.array([one(S) for S in covs])


def n_parameters(cov_type, K, d):
    cov = {"full": K * d * (d + 1) / 2, "tied": d * (d + 1) / 2, "diag": K * d, "spherical": K}[cov_type]
    return int(cov + K * d + K - 1)


def impute(Xm, pats, resp, xhat):
    out = Xm.copy()
    for o, rows in pats:
        m = ~o
        if m.any():
            fill = np.zeros((len(rows), m.sum()))
            for k in range(resp.shape[1]):
                fill += resp[rows, k][:, None] * xhat[k][np.ix_(rows, m)]
            out[np.ix_(rows, m)] = fill
    return out


def fit(cov_type, Xm, w, start, reg, n_iter):
    n, d = Xm.shape
    K = len(start["weights"])
    pats = patterns(Xm)
    weights, means, covs = start["weights"], start["means"], start["covariances"]
    lbs = []
    for _ in range(n_iter):
        logp, xhat, cond = e_step(Xm, pats, weights, means, dense_covs(cov_type, covs, K, d))
        lse, resp = responsibilities(logp)
        lbs.append(float((w * lse).sum() / w.sum()))
        weights, means, covs = m_step(cov_type, Xm, w, pats, means, resp, xhat, cond, reg)
    logp, xhat, _ = e_step(Xm, pats, weights, means, dense_covs(cov_type, covs, K, d))
    lse, resp = responsibilities(logp)
    score = float(lse.mean())
    return {
        "weights": weights.tolist(),
        "means": means.tolist(),
        "covariances": np.asarray(covs).tolist(),
        "precisionsCholesky": prec_chol(cov_type, covs).tolist(),
        "lowerBounds": lbs,
        "lowerBound": lbs[-1],
        "nIter": n_iter,
        "score": score,
        "scoreSamples": lse.tolist(),
        "predictProba": resp.tolist(),
        "predict": [int(v) for v in resp.argmax(axis=1)],
        "bic": float(-2 * score * n + n_parameters(cov_type, K, d) * np.log(n)),
        "impute": impute(Xm, pats, resp, xhat).tolist(),
    }


# ----------------------------------------------------------------------------- plain EM (cross-check)


def plain_em(cov_type, X, w, start, reg, n_iter):
    """Ordinary EM on complete data, written as scikit-learn does it (precision Cholesky E-step)."""
    n, d = X.shape
    K = len(start["weights"])
    weights, means, covs = start["weights"], start["means"], start["covariances"]
    lbs = []
    for _ in range(n_iter + 1):
        P = prec_chol(cov_type, covs)
        logp = np.empty((n, K))
        for k in range(K):
            if cov_type in ("full", "tied"):
                Pk = P[k] if cov_type == "full" else P
                y = (X - means[k]) @ Pk
                logdet = np.log(np.diag(Pk)).sum()
            else:
                pk = P[k] * np.ones(d)
                y = (X - means[k]) * pk
                logdet = np.log(pk).sum()
            logp[:, k] = np.log(weights[k]) - 0.5 * (d * LOG_2PI + (y**2).sum(axis=1)) + logdet
        lse, resp = responsibilities(logp)
        if len(lbs) == n_iter:
            break
        lbs.append(float((w * lse).sum() / w.sum()))
        wr = resp * w[:, None]
        nk1 = wr.sum(axis=0) + EPS10
        weights = nk1 / nk1.sum()
        means = (wr.T @ X) / nk1[:, None]
        C = []
        for k in range(K):
            diff = X - means[k]
            C.append((wr[:, k][:, None] * diff).T @ diff)
        if cov_type == "full":
            covs = np.array([c / nk1[k] + reg * np.eye(d) for k, c in enumerate(C)])
        elif cov_type == "tied":
            covs = sum(C) / nk1.sum() + reg * np.eye(d)
        elif cov_type == "diag":
            covs = np.array([np.diag(c) / nk1[k] + reg for k, c in enumerate(C)])
        else:
            covs = np.array([np.mean(np.diag(c) / nk1[k] + reg) for k, c in enumerate(C)])
    return {"weights": weights, "means": means, "covariances": np.asarray(covs), "lowerBounds": lbs, "scoreSamples": lse}


def assert_close(a, b, rtol, what):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(np.abs(b).max(), 1e-300)
    err = np.abs(a - b) / np.maximum(np.abs(b), 1e-3 * scale)
    assert err.max() <= rtol, f"{what}: {err.max()}"


# ----------------------------------------------------------------------------- start


def start_params(cov_type, Xm, K, reg):
    complete = Xm[~np.isnan(Xm).any(axis=1)]
    d = Xm.shape[1]
    assert len(complete) >= K * (d + 2), "too few complete rows for a start"
    centered = complete - complete.mean(axis=0)
    evals, evecs = np.linalg.eigh(centered.T @ centered)
    proj = complete @ evecs[:, -1]
    order = np.argsort(proj, kind="stable")
    groups = np.array_split(order, K)
    weights = np.array([len(g) for g in groups], float) / len(complete)
    means = np.array([complete[g].mean(axis=0) for g in groups])
    covs = [np.cov(complete[g].T, bias=True) for g in groups]
    if cov_type == "full":
        cov = np.array([c + reg * np.eye(d) for c in covs])
        precisions = np.array([np.linalg.inv(c) for c in cov])
    elif cov_type == "tied":
        cov = sum(len(g) * c for g, c in zip(groups, covs)) / len(complete) + reg * np.eye(d)
        precisions = np.linalg.inv(cov)
    elif cov_type == "diag":
        cov = np.array([np.diag(c) + reg for c in covs])
        precisions = 1 / cov
    else:
        cov = np.array([np.mean(np.diag(c)) + reg for c in covs])
        precisions = 1 / cov
    return {
        "weights": weights,
        "means": means,
        "covariances": cov,
        "precisions": precisions,
    }


def start_json(s, cov_type):
    return {
        "weights": s["weights"].tolist(),
        "means": s["means"].tolist(),
        "covariances": np.asarray(s["covariances"]).tolist(),
        "precisions": np.asarray(s["precisions"]).tolist(),
        "precisionsCholesky": prec_chol(cov_type, s["covariances"]).tolist(),
    }


# ----------------------------------------------------------------------------- cases


SETS = {"faithful": (2, 11), "iris": (3, 12), "diabetes": (3, 13), "banknote": (2, 14)}  # K, seed base
RATES = (0.1, 0.2, 0.3)


def main():
    raw = {name: load(name) for name in SETS}
    datasets = {}
    masked = {}
    for name, (K, seed) in SETS.items():
        X, cols = raw[name]
        key = f"{name}-0"
        masked[key] = X
        datasets[key] = {"source": name, "rate": 0.0, "seed": None, "columns": cols, "X": to_json_matrix(X)}
        for i, rate in enumerate(RATES):
            s = seed * 100 + i
            Xm = remove_entries(X, rate, s)
            key = f"{name}-{int(rate * 100)}"
            masked[key] = Xm
            datasets[key] = {"source": name, "rate": rate, "seed": s, "columns": cols, "X": to_json_matrix(Xm)}

    specs = []  # (dataset key, covariance type, regCovar, weighted)
    for name in SETS:
        for rate in RATES:
            key = f"{name}-{int(rate * 100)}"
            specs += [(key, "full", REG, False), (key, "diag", REG, False)]
            if name in ("faithful", "iris"):
                specs += [(key, "tied", REG, False), (key, "spherical", REG, False)]
    specs += [
        ("iris-20", "full", REG, True),
        ("diabetes-20", "tied", REG, True),
        ("banknote-10", "diag", REG, True),
        ("faithful-30", "spherical", REG, True),
        ("diabetes-20", "full", 0.0, False),
        ("iris-30", "diag", 0.0, False),
        ("banknote-20", "full", 0.0, False),
        ("faithful-0", "full", REG, False),
        ("iris-0", "full", REG, False),
        ("iris-0", "diag", REG, True),
        ("banknote-0", "tied", REG, False),
        ("diabetes-0", "spherical", REG, False),
    ]

    cases = []
    for key, cov_type, reg, weighted in specs:
        Xm = masked[key]
        n, d = Xm.shape
        K = SETS[datasets[key]["source"]][0]
        w = np.ones(n)
        if weighted:
            w = np.random.RandomState(7).uniform(0.25, 2.0, n)
        start = start_params(cov_type, Xm, K, REG)
        expected = fit(cov_type, Xm, w, start, reg, N_ITER)
        lbs = np.array(expected["lowerBounds"])
        if reg == 0:
            drops = lbs[:-1] - lbs[1:]
            assert (drops <= 1e-12 * np.abs(lbs[1:])).all(), f"{key} {cov_type}: lower bound decreased"
        if datasets[key]["rate"] == 0:
            plain = plain_em(cov_type, Xm, w, start, reg, N_ITER)
            for field in ("weights", "means", "covariances", "lowerBounds", "scoreSamples"):
                assert_close(expected[field], plain[field], 1e-11, f"{key} {cov_type} plain EM {field}")
        name = f"{key}-{cov_type}" + ("-weighted" if weighted else "") + ("-reg0" if reg == 0 else "")
        cases.append({
            "name": name,
            "dataset": key,
            "covarianceType": cov_type,
            "nComponents": K,
            "regCovar": reg,
            "tol": 0,
            "maxIter": N_ITER,
            "sampleWeight": w.tolist() if weighted else None,
            "start": start_json(start, cov_type),
            "expected": expected,
        })
        print(f"{name:34s} lowerBound {expected['lowerBound']:.10g}  score {expected['score']:.10g}")

    # A row with no observed value: must be refused (no expected results).
    Xr = masked["iris-10"].copy()
    Xr[7, :] = np.nan
    try:
        patterns(Xr)
        raise AssertionError("the fully-missing row was accepted")
    except ValueError:
        pass
    refused = [{
        "name": "iris-10-row7-all-missing",
        "mustRefuse": True,
        "reason": "row 7 has no observed value",
        "row": 7,
        "covarianceType": "full",
        "nComponents": 3,
        "X": to_json_matrix(Xr),
        "start": start_json(start_params("full", masked["iris-10"], 3, REG), "full"),
    }]

    doc = {
        "generator": "scripts/generate-missing-fixtures.py",
        "numpy": np.__version__,
        "semantics": (
            "exact EM with missing values (NaN = missing at random), tol 0, nIter iterations from start.covariances; "
            "lowerBounds[t] = weighted mean observed-data log-likelihood under the parameters before M-step t+1; "
            "score/scoreSamples/predictProba/predict/bic/impute under the fitted parameters; see the script's header"
        ),
        "datasets": datasets,
        "cases": cases,
        "refused": refused,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
