#!/usr/bin/env python3
"""Generate scikit-learn BayesianGaussianMixture reference fixtures for gaussmix.

Writes ``test/fixtures/sklearn-bayesian.json``: variational Bayesian Gaussian
mixtures fitted by scikit-learn's ``BayesianGaussianMixture`` on the four data
sets in ``data/`` (faithful, iris without its species column, diabetes,
banknote), for both weight priors ('dirichlet_process',
'dirichlet_distribution') and all four covariance types, with default priors
(computed by scikit-learn from X) and with explicit ones.

Every fit starts from fixed hard responsibilities: ``FixedStartBGM`` overrides
the private ``_initialize_parameters`` so that, instead of running k-means,
the first M-step (``_initialize``) is taken from the one-hot responsibilities
of recorded labels (``initLabels``: k-means labels from a seeded
``sklearn.cluster.KMeans``, k-means labels that leave some components empty,
or seeded random labels). With ``tol=0`` exactly ``max_iter`` iterations of
(E-step, M-step, lower bound) run; a few cases use ``tol > 0`` and stop early
(``converged_``).

For each case the JSON records

* ``options``: the BayesianGaussianMixture arguments (camelCase; null = the
  scikit-learn default);
* ``priors``: the priors scikit-learn resolved (``weight_concentration_prior_``,
  ``mean_precision_prior_``, ``mean_prior_``, ``degrees_of_freedom_prior_``,
  ``covariance_prior_``);
* ``init``: the variational posterior after ``_initialize`` (one M-step from
  the labels' responsibilities);
* ``lowerBoundTrace``: ``_compute_lower_bound`` at every iteration (recorded by
  the subclass; the last one is ``lower_bound_``);
* ``expected``: the fitted attributes (weights_, means_, covariances_,
  precisions_cholesky_, weight_concentration_ -- both Beta parameter arrays for
  the Dirichlet process --, mean_precision_, degrees_of_freedom_, lower_bound_,
  n_iter_, converged_), score(X), score_samples(X), predict(X), and for the rows
  ``probaRows`` predict_proba, ``_estimate_weighted_log_prob`` and
  ``_estimate_log_weights`` (E[log pi]).

``centered`` (only for the banknote cases): ``init``, ``lowerBoundTrace`` and
``expected`` as above, fitted from the same start by ``CenteredBGM``, which is
scikit-learn's algorithm computed in centered form in both steps:

* M-step: scikit-learn 1.2.1 computes the 'tied', 'diag' and 'spherical'
  Gaussian covariances as E[x^2] - E[x]^2 (``X.T @ X - sum nk xbar xbar^T``,
  ``resp.T @ X**2 / nk - xbar**2``); CenteredBGM uses the centered scatter
  sum r (x - xbar)(x - xbar)^T plus the exact 10*eps correction term, which is
  the same quantity mathematically (see ``centered_gaussian_parameters``).
* E-step: scikit-learn expands the quadratic form for 'diag' and 'spherical'
  (sum m^2 p - 2 x.(m p) + x^2.p); CenteredBGM uses |(x - m) P|^2.

The banknote columns are ~100-215 with standard deviations down to ~0.4, so
x^2 / var ~ 3e5 and those subtractions lose ~5 digits: scikit-learn's own
result then differs from the centered computation by up to ~2e-8 relative
('tied'; ~1e-9 'diag', ~3e-10 'spherical'), and its lower bound decreases by
~2e-8 at one iteration of banknote-spherical-dp-k5-it30. An implementation that
accumulates centered statistics (as gaussmix does) is more accurate than
``expected`` there; ``centered`` is its exact reference
(``centeredDifference`` records how far ``expected`` is from it). At startup
of each other case the script asserts that CenteredBGM reproduces plain
scikit-learn to CENTERED_CHECK_RTOL (fitted arrays, lower-bound trace,
score_samples, predict_proba, and the E-step alone at identical parameters).

``normChecks`` holds scikit-learn's ``_log_dirichlet_norm`` and
``_log_wishart_norm`` on the inputs of test_bayesian_mixture.py's
test_log_dirichlet_norm / test_log_wishart_norm.

The data sets are stored once, under ``datasets``. Degrees of freedom are a
number for 'tied' (scikit-learn's scalar) and an array otherwise.

Requirements: Debian's scikit-learn 1.2 (``apt-get install -y
python3-sklearn``), run with the system interpreter, not a pyenv/venv python:

    /usr/bin/python3 scripts/generate-sklearn-bayesian-fixtures.py

The output is deterministic (fixed seeds, single-threaded BLAS). Floats are
written with Python's repr, so they round-trip exactly to IEEE doubles.
"""

import json
import os
import sys
import warnings
from pathlib import Path

# Single-threaded BLAS: multithreaded OpenBLAS may round sums differently from run to run.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import scipy
import sklearn
from scipy.special import digamma
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture
from sklearn.mixture._bayesian_mixture import _log_dirichlet_norm, _log_wishart_norm
from sklearn.mixture._gaussian_mixture import _compute_log_det_cholesky

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "test" / "fixtures" / "sklearn-bayesian.json"
GENERATOR = "scripts/generate-sklearn-bayesian-fixtures.py"
COV_TYPES = ["full", "tied", "diag", "spherical"]
PRIOR_TYPES = ["dirichlet_process", "dirichlet_distribution"]
PRIOR_ABBR = {"dirichlet_process": "dp", "dirichlet_distribution": "dir"}
MAX_BYTES = 4_000_000
# data sets whose cases also get a "centered" reference (see the docstring)
CENTERED_DATASETS = {"banknote"}
# CenteredBGM must reproduce plain scikit-learn to this relative accuracy (per fitted array, with the floor of
# max_rel_diff) on the other data sets, where the cancellation is harmless
CENTERED_CHECK_RTOL = 3e-10
# rows for which predict_proba / the weighted log-probabilities are recorded
N_PROBA_ROWS = 8


def load_csv(path, ncols):
    with open(path) as f:
        header = f.readline()
        rows = [line.strip().split(",") for line in f if line.strip()]
    assert header, path
    return np.array([[float(v) for v in r[:ncols]] for r in rows], dtype=np.float64)


def load_datasets():
    d = REPO / "data"
    sets = {
        "faithful": load_csv(d / "faithful.csv", 2),
        "iris": load_csv(d / "iris.csv", 4),  # drops the species column
        "diabetes": load_csv(d / "diabetes.csv", 3),
        "banknote": load_csv(d / "banknote.csv", 6),
    }
    shapes = {"faithful": (272, 2), "iris": (150, 4), "diabetes": (145, 3), "banknote": (200, 6)}
    for name, X in sets.items():
        assert X.shape == shapes[name], (name, X.shape)
        assert np.all(np.isfinite(X)), name
    return sets


def tolist(a):
    return np.asarray(a, dtype=np.float64).tolist()


def num_or_list(a):
    a = np.asarray(a, dtype=np.float64)
    return float(a) if a.ndim == 0 else a.tolist()


def posterior_fields(m):
    """The variational posterior (the parameters _get_parameters returns)."""
    wc = m.weight_concentration_
    if m.weight_concentration_prior_type == "dirichlet_process":
        wc = [tolist(wc[0]), tolist(wc[1])]
    else:
        wc = tolist(wc)
    return {
        "weightConcentration": wc,
        "meanPrecision": tolist(m.mean_precision_),
        "means": tolist(m.means_),
        "degreesOfFreedom": num_or_list(m.degrees_of_freedom_),
        "covariances": num_or_list(m.covariances_),
        "precisionsCholesky": num_or_list(m.precisions_cholesky_),
    }


class FixedStartBGM(BayesianGaussianMixture):
    """BayesianGaussianMixture started from the hard responsibilities of ``self._init_labels``.

    Records the posterior after the initial M-step (``_init_snapshot``) and the
    lower bound at every iteration (``_lb_trace``). Everything else is
    scikit-learn's own code.
    """

    def _initialize_parameters(self, X, random_state):
        n = X.shape[0]
        resp = np.zeros((n, self.n_components))
        resp[np.arange(n), self._init_labels] = 1.0
        self._initialize(X, resp)
        self._init_snapshot = posterior_fields(self)
        self._lb_trace = []

    def _compute_lower_bound(self, log_resp, log_prob_norm):
        lb = super()._compute_lower_bound(log_resp, log_prob_norm)
        self._lb_trace.append(float(lb))
        return lb


def centered_gaussian_parameters(X, resp, reg_covar, covariance_type):
    """scikit-learn's _estimate_gaussian_parameters with every covariance from centered scatter.

    nk and the means are computed as scikit-learn does. With a = resp.sum(0) and e = nk - a (the 10 eps),
    scikit-learn's 'tied' (X^T X - sum_k nk_k xbar_k xbar_k^T) / sum nk and 'diag' sum r x^2 / nk - xbar^2 equal
    (sum_k C_k + sum_k e_k xbar_k xbar_k^T) / sum nk and (diag C_k + e_k xbar_k^2) / nk, C_k the scatter
    sum_n r_nk (x_n - xbar_k)(x_n - xbar_k)^T; 'full' is already C_k / nk.
    """
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    e = nk - resp.sum(axis=0)
    means = np.dot(resp.T, X) / nk[:, np.newaxis]
    K, D = means.shape
    C = np.empty((K, D, D))
    for k in range(K):
        diff = X - means[k]
        C[k] = np.dot(resp[:, k] * diff.T, diff)
    if covariance_type == "full":
        cov = C / nk[:, np.newaxis, np.newaxis]
        for k in range(K):
            cov[k].flat[:: D + 1] += reg_covar
    elif covariance_type == "tied":
        cov = (C.sum(axis=0) + np.einsum("k,ki,kj->ij", e, means, means)) / nk.sum()
        cov.flat[:: D + 1] += reg_covar
    else:
        diag = np.array([np.diag(c) for c in C])
        cov = (diag + e[:, np.newaxis] * means**2) / nk[:, np.newaxis] + reg_covar
        if covariance_type == "spherical":
            cov = cov.mean(axis=1)
    return nk, means, cov


class CenteredBGM(FixedStartBGM):
    """FixedStartBGM computed in centered form (the reference for data far from the origin).

    * M-step (and _initialize): covariances from centered scatter (centered_gaussian_parameters), then
      scikit-learn's own _estimate_weights / _estimate_means / _estimate_precisions.
    * E-step: _estimate_log_prob as scikit-learn's BayesianGaussianMixture writes it, but with the Gaussian
      quadratic form |(x - m_k) P_k|^2 for every covariance type (scikit-learn expands it for 'diag' and
      'spherical': sum m^2 p - 2 x.(m p) + x^2.p; for 'full'/'tied' it uses X P - m P, which differs by rounding).
    """

    def _initialize(self, X, resp):
        nk, xk, sk = centered_gaussian_parameters(X, resp, self.reg_covar, self.covariance_type)
        self._estimate_weights(nk)
        self._estimate_means(nk, xk)
        self._estimate_precisions(nk, xk, sk)

    def _m_step(self, X, log_resp):
        self._initialize(X, np.exp(log_resp))

    def _estimate_log_prob(self, X):
        _, n_features = X.shape
        ct = self.covariance_type
        pc = self.precisions_cholesky_
        K = self.means_.shape[0]
        log_det = _compute_log_det_cholesky(pc, ct, n_features)
        sq = np.empty((X.shape[0], K))
        for k in range(K):
            diff = X - self.means_[k]
            y = np.dot(diff, pc[k]) if ct == "full" else np.dot(diff, pc) if ct == "tied" else diff * pc[k]
            sq[:, k] = np.sum(np.square(y), axis=1)
        log_gauss = (-0.5 * (n_features * np.log(2 * np.pi) + sq) + log_det
                     - 0.5 * n_features * np.log(self.degrees_of_freedom_))
        log_lambda = n_features * np.log(2.0) + np.sum(
            digamma(0.5 * (self.degrees_of_freedom_ - np.arange(0, n_features)[:, np.newaxis])), 0)
        return log_gauss + 0.5 * (log_lambda - n_features / self.mean_precision_)


def max_rel_diff(a, b):
    """max |a - b| / max(|b|, 1e-3 max|b|), elementwise (what the TypeScript test measures)."""
    a = np.ravel(np.asarray(a, dtype=np.float64))
    b = np.ravel(np.asarray(b, dtype=np.float64))
    floor = 1e-3 * np.max(np.abs(b))
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(b), floor), np.finfo(float).tiny)))


def fit_difference(m, ref, X):
    """Worst max_rel_diff over the fitted arrays, the lower-bound trace and score_samples."""
    return max(
        max_rel_diff(m.weights_, ref.weights_),
        max_rel_diff(m.means_, ref.means_),
        max_rel_diff(m.covariances_, ref.covariances_),
        max_rel_diff(m.precisions_cholesky_, ref.precisions_cholesky_),
        max_rel_diff(m._lb_trace, ref._lb_trace),
        max_rel_diff(m.score_samples(X), ref.score_samples(X)),
        max_rel_diff(m.predict_proba(X), ref.predict_proba(X)),
    )


def kmeans_labels(X, k, seed):
    return KMeans(n_clusters=k, n_init=1, random_state=seed).fit(X).labels_.astype(int)


def explicit_priors(X, cov_type, prior_type, dof_offset=1.5):
    """A set of non-default priors (all five), shaped for cov_type."""
    n, d = X.shape
    var = X.var(axis=0, ddof=1)
    cov = np.atleast_2d(np.cov(X.T))
    if cov_type in ("full", "tied"):
        cp = 0.5 * cov + 0.1 * np.diag(var)
    elif cov_type == "diag":
        cp = 0.7 * var
    else:
        cp = float(0.4 * var.mean())
    return {
        "weight_concentration_prior": 0.05 if prior_type == "dirichlet_process" else 2.5,
        "mean_precision_prior": 0.3,
        "mean_prior": X.mean(axis=0) + 0.5 * X.std(axis=0),
        "degrees_of_freedom_prior": d + dof_offset,
        "covariance_prior": cp,
    }


def case_specs(data):
    """(name, dataset, K, cov_type, prior_type, max_iter, tol, reg_covar, labels, label_source, priors)."""
    specs = []
    base_k = {"faithful": 3, "iris": 4, "diabetes": 3, "banknote": 5}

    def add(name, ds, k, ct, pt, max_iter, labels, source, tol=0.0, reg=1e-6, priors=None):
        specs.append(dict(name=name, dataset=ds, k=k, ct=ct, pt=pt, max_iter=max_iter, tol=tol,
                          reg=reg, labels=np.asarray(labels, dtype=int), source=source,
                          priors=priors or {}))

    # 1. the grid: 4 data sets x 4 covariance types x 2 weight priors, default priors, 30 iterations
    for di, (ds, X) in enumerate(data.items()):
        for pi, pt in enumerate(PRIOR_TYPES):
            k = base_k[ds] + pi  # K = 3..6
            seed = 10 + 2 * di + pi
            labels = kmeans_labels(X, k, seed)
            for ct in COV_TYPES:
                add(f"{ds}-{ct}-{PRIOR_ABBR[pt]}-k{k}-it30", ds, k, ct, pt, 30, labels,
                    f"KMeans(n_clusters={k}, n_init=1, random_state={seed})")

    # 2. one and five iterations (the fitted model after the first / fifth M-step)
    for ds in ("faithful", "iris"):
        X = data[ds]
        for ct in COV_TYPES:
            for pt, it in (("dirichlet_process", 1), ("dirichlet_distribution", 5)):
                k = 4
                labels = kmeans_labels(X, k, 40)
                add(f"{ds}-{ct}-{PRIOR_ABBR[pt]}-k{k}-it{it}", ds, k, ct, pt, it, labels,
                    f"KMeans(n_clusters={k}, n_init=1, random_state=40)")

    # 3. a generous K = 8: two components empty from the start (k-means with 6 clusters), and k-means with 8
    for ds, k_used in (("faithful", 6), ("diabetes", 8), ("iris", 6), ("banknote", 8)):
        X = data[ds]
        labels = kmeans_labels(X, k_used, 50)
        for ct in COV_TYPES:
            pt = "dirichlet_process" if (ct in ("full", "diag")) == (ds in ("faithful", "iris")) else "dirichlet_distribution"
            add(f"{ds}-{ct}-{PRIOR_ABBR[pt]}-k8-from{k_used}-it30", ds, 8, ct, pt, 30, labels,
                f"KMeans(n_clusters={k_used}, n_init=1, random_state=50)")

    # 4. explicit priors (all five) for every covariance type and both weight priors
    for ds in ("iris", "banknote"):
        X = data[ds]
        for pt in PRIOR_TYPES:
            k = 4
            labels = kmeans_labels(X, k, 60)
            for ct in COV_TYPES:
                add(f"{ds}-{ct}-{PRIOR_ABBR[pt]}-k{k}-priors-it30", ds, k, ct, pt, 30, labels,
                    f"KMeans(n_clusters={k}, n_init=1, random_state=60)",
                    priors=explicit_priors(X, ct, pt))
    # degrees of freedom just above the bound D - 1 (Wishart terms ψ(½(ν − i)) at small arguments)
    for ct in COV_TYPES:
        X = data["diabetes"]
        labels = kmeans_labels(X, 3, 61)
        add(f"diabetes-{ct}-dp-k3-dof-it30", "diabetes", 3, ct, "dirichlet_process", 30, labels,
            "KMeans(n_clusters=3, n_init=1, random_state=61)",
            priors={"degrees_of_freedom_prior": X.shape[1] - 1 + 0.25})

    # 5. random labels (an uninformative start)
    for ds, ct, pt in (("faithful", "full", "dirichlet_process"), ("iris", "tied", "dirichlet_distribution"),
                       ("diabetes", "diag", "dirichlet_process"), ("banknote", "spherical", "dirichlet_distribution")):
        X = data[ds]
        rng = np.random.RandomState(70)
        labels = rng.randint(0, 4, X.shape[0])
        add(f"{ds}-{ct}-{PRIOR_ABBR[pt]}-k4-random-it30", ds, 4, ct, pt, 30, labels,
            "np.random.RandomState(70).randint(0, 4, n)")

    # 6. tol > 0: stops when |change of the lower bound| < tol (converged_, n_iter_ < max_iter)
    for ds, ct, pt in (("faithful", "full", "dirichlet_process"), ("iris", "diag", "dirichlet_distribution"),
                       ("diabetes", "tied", "dirichlet_distribution"), ("banknote", "spherical", "dirichlet_process")):
        X = data[ds]
        labels = kmeans_labels(X, 3, 80)
        add(f"{ds}-{ct}-{PRIOR_ABBR[pt]}-k3-tol-1e-3", ds, 3, ct, pt, 500, labels,
            "KMeans(n_clusters=3, n_init=1, random_state=80)", tol=1e-3)

    # 7. reg_covar = 0
    for ds, ct, pt in (("faithful", "tied", "dirichlet_process"), ("iris", "spherical", "dirichlet_distribution")):
        X = data[ds]
        labels = kmeans_labels(X, 3, 90)
        add(f"{ds}-{ct}-{PRIOR_ABBR[pt]}-k3-reg0-it30", ds, 3, ct, pt, 30, labels,
            "KMeans(n_clusters=3, n_init=1, random_state=90)", reg=0.0)
    return specs


def options_json(s):
    p = s["priors"]

    def opt(key):
        v = p.get(key)
        return None if v is None else num_or_list(v)

    return {
        "nComponents": s["k"],
        "covarianceType": s["ct"],
        "weightConcentrationPriorType": s["pt"],
        "tol": s["tol"],
        "maxIter": s["max_iter"],
        "regCovar": s["reg"],
        "weightConcentrationPrior": opt("weight_concentration_prior"),
        "meanPrecisionPrior": opt("mean_precision_prior"),
        "meanPrior": opt("mean_prior"),
        "degreesOfFreedomPrior": opt("degrees_of_freedom_prior"),
        "covariancePrior": opt("covariance_prior"),
    }


def proba_rows(n):
    return sorted(set([0, 1, n // 7, n // 3, n // 2, (2 * n) // 3, n - 2, n - 1]))[:N_PROBA_ROWS]


def run_case(s, X, cls=FixedStartBGM):
    m = cls(
        n_components=s["k"],
        covariance_type=s["ct"],
        weight_concentration_prior_type=s["pt"],
        tol=s["tol"],
        max_iter=s["max_iter"],
        reg_covar=s["reg"],
        random_state=0,
        **s["priors"],
    )
    m._init_labels = s["labels"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit(X)
    trace = m._lb_trace
    assert len(trace) == m.n_iter_, (s["name"], len(trace), m.n_iter_)
    assert trace[-1] == m.lower_bound_, s["name"]
    rows = proba_rows(X.shape[0])
    Xr = X[rows]
    expected = {
        "weights": tolist(m.weights_),
        **posterior_fields(m),
        "lowerBound": float(m.lower_bound_),
        "nIter": int(m.n_iter_),
        "converged": bool(m.converged_),
        "score": float(m.score(X)),
        "scoreSamples": tolist(m.score_samples(X)),
        "predict": [int(v) for v in m.predict(X)],
        "probaRows": rows,
        "predictProba": tolist(m.predict_proba(Xr)),
        "weightedLogProb": tolist(m._estimate_weighted_log_prob(Xr)),
        "logWeights": tolist(m._estimate_log_weights()),
    }
    priors = {
        "weightConcentrationPrior": float(m.weight_concentration_prior_),
        "meanPrecisionPrior": float(m.mean_precision_prior_),
        "meanPrior": tolist(m.mean_prior_),
        "degreesOfFreedomPrior": float(m.degrees_of_freedom_prior_),
        "covariancePrior": num_or_list(m.covariance_prior_),
    }
    fitted = {"init": m._init_snapshot, "lowerBoundTrace": trace, "expected": expected}
    case = {
        "name": s["name"],
        "dataset": s["dataset"],
        "options": options_json(s),
        "initLabels": [int(v) for v in s["labels"]],
        "initLabelSource": s["source"],
        "priors": priors,
        **fitted,
    }
    return case, m


def norm_checks():
    """The normalisation terms on test_bayesian_mixture.py's inputs (test_log_dirichlet_norm, test_log_wishart_norm)."""
    rng = np.random.RandomState(0)
    concentration = rng.rand(2)
    rng = np.random.RandomState(0)
    n_components, n_features = 5, 2
    dof = np.abs(rng.rand(n_components)) + 1.0
    log_det_chol = n_features * np.log(range(2, 2 + n_components))
    return {
        "dirichletConcentration": tolist(concentration),
        "logDirichletNorm": float(_log_dirichlet_norm(concentration)),
        "nFeatures": n_features,
        "degreesOfFreedom": tolist(dof),
        "logDetPrecisionsChol": tolist(log_det_chol),
        "logWishartNorm": tolist(_log_wishart_norm(dof, log_det_chol, n_features)),
    }


def main():
    data = load_datasets()
    specs = case_specs(data)
    names = [s["name"] for s in specs]
    assert len(set(names)) == len(names), "duplicate case names"

    cases = []
    notes = []
    worst_check = 0.0
    worst_name = None
    for s in specs:
        X = data[s["dataset"]]
        case, m = run_case(s, X)
        cc, mc = run_case(s, X, CenteredBGM)
        diff = fit_difference(mc, m, X)
        assert mc.n_iter_ == m.n_iter_ and mc.converged_ == m.converged_, s["name"]
        if s["dataset"] in CENTERED_DATASETS:
            case["centered"] = {key: cc[key] for key in ("init", "lowerBoundTrace", "expected")}
            case["centeredDifference"] = diff
        else:
            # the E-step alone, at identical parameters (the fitted scikit-learn model's)
            d_estep = max_rel_diff(CenteredBGM._estimate_log_prob(m, X),
                                   BayesianGaussianMixture._estimate_log_prob(m, X))
            diff = max(diff, d_estep)
            assert diff <= CENTERED_CHECK_RTOL, (
                f"CenteredBGM vs scikit-learn on {s['name']}: differs by {diff:.3e} relative")
            if diff >= worst_check:
                worst_check, worst_name = diff, s["name"]
        trace = case["lowerBoundTrace"]
        drops = [(i + 2, trace[i + 1] - trace[i]) for i in range(len(trace) - 1) if trace[i + 1] < trace[i]]
        if drops:
            worst = min(d for _, d in drops)
            notes.append(f"{s['name']}: lower bound decreased at {len(drops)} iteration(s), worst change "
                         f"{worst:.3e} (relative {worst / abs(trace[-1]):.1e})")
        used = np.bincount(m.predict(X), minlength=s["k"])
        if used.min() == 0 or m.weights_.min() < 1e-3:
            notes.append(f"{s['name']}: weights {np.round(m.weights_, 6).tolist()}, "
                         f"predicted counts {used.tolist()}")
        if s["tol"] > 0:
            notes.append(f"{s['name']}: converged={m.converged_} after {m.n_iter_} iterations; last change "
                         f"{trace[-1] - trace[-2]:.3e} (tol {s['tol']:g})")
        cases.append(case)

    doc = {
        "generator": GENERATOR,
        "sklearnVersion": sklearn.__version__,
        "numpyVersion": np.__version__,
        "scipyVersion": scipy.__version__,
        "python": sys.version.split()[0],
        "description": "BayesianGaussianMixture fits from fixed hard responsibilities; see the generator's docstring",
        "normChecks": norm_checks(),
        "datasets": {name: {"source": f"data/{name}.csv", "X": tolist(X)} for name, X in data.items()},
        "cases": cases,
    }
    text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
    size = len(text.encode())
    assert size <= MAX_BYTES, f"fixture is {size} bytes (limit {MAX_BYTES})"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
        f.write("\n")

    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"python {doc['python']}")
    print(f"CenteredBGM reproduces scikit-learn to {worst_check:.2e} relative ({worst_name}) on the "
          f"{sum(c['dataset'] not in CENTERED_DATASETS for c in cases)} cases outside {sorted(CENTERED_DATASETS)} "
          f"(tolerance {CENTERED_CHECK_RTOL:g})")
    diffs = [c["centeredDifference"] for c in cases if "centeredDifference" in c]
    print(f"on {sorted(CENTERED_DATASETS)} scikit-learn and CenteredBGM differ by up to {max(diffs):.2e} relative "
          f"({len(diffs)} cases, recorded as 'centered')")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT, REPO)} ({OUT.stat().st_size} bytes)")
    for n in notes:
        print("note:", n)


if __name__ == "__main__":
    main()
