#!/usr/bin/env python3
"""Generate scikit-learn's ``precisions_`` for gaussmix's ``gmm.precisions`` getter.

Writes ``test/fixtures/sklearn-precisions.json``: for Old Faithful (K = 2) and the four measurements of iris (K = 3)
in ``data/`` and each covariance type, ``sklearn.mixture.GaussianMixture`` is fitted from an explicit start
(uniform weights, ``means_init`` = rows 0, N/K, 2N/K, … of the data, ``precisions_init`` = the inverse of the data's
covariance in the type's shape) with ``tol=0`` and ``max_iter=10``, so exactly ten EM iterations run and no random
choice is involved. The fixture holds the start, the options and the fitted ``covariances_``,
``precisions_cholesky_`` and ``precisions_``; the test fits gaussmix from the same start on the same rows (read from
the same CSV files) and compares.

Requirements: Debian's scikit-learn (``apt-get install -y python3-sklearn``), run with the system interpreter:

    /usr/bin/python3 scripts/generate-precisions-fixtures.py

Deterministic: no randomness; floats are written with Python's repr, so they round-trip exactly.
"""

import json
import os
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "test" / "fixtures" / "sklearn-precisions.json"
COV_TYPES = ["full", "tied", "diag", "spherical"]
MAX_ITER = 10
REG_COVAR = 1e-6
DATASETS = [("faithful", "data/faithful.csv", 2, 2), ("iris", "data/iris.csv", 4, 3)]


def load(path, ncols):
    with open(REPO / path) as f:
        f.readline()  # header
        rows = [line.strip().split(",") for line in f if line.strip()]
    return np.array([[float(v) for v in r[:ncols]] for r in rows], dtype=np.float64)


def start(X, k, cov_type):
    n, d = X.shape
    means = X[[(i * n) // k for i in range(k)]]
    prec = np.linalg.inv(np.cov(X.T, bias=True))
    if cov_type == "full":
        p = np.stack([prec] * k)
    elif cov_type == "tied":
        p = prec
    elif cov_type == "diag":
        p = np.stack([np.diag(prec)] * k)
    else:
        p = np.full(k, np.mean(np.diag(prec)))
    return np.full(k, 1.0 / k), means, p


def main():
    cases = []
    for name, path, ncols, k in DATASETS:
        X = load(path, ncols)
        for cov_type in COV_TYPES:
            w, m, p = start(X, k, cov_type)
            gm = GaussianMixture(
                n_components=k,
                covariance_type=cov_type,
                tol=0.0,
                max_iter=MAX_ITER,
                reg_covar=REG_COVAR,
                weights_init=w,
                means_init=m,
                precisions_init=p,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                gm.fit(X)
            cases.append(
                {
                    "name": f"{name}-{cov_type}",
                    "data": path,
                    "columns": ncols,
                    "options": {
                        "nComponents": k,
                        "covarianceType": cov_type,
                        "tol": 0,
                        "maxIter": MAX_ITER,
                        "regCovar": REG_COVAR,
                        "weightsInit": w.tolist(),
                        "meansInit": m.tolist(),
                        "precisionsInit": p.tolist(),
                    },
                    "expected": {
                        "covariances": gm.covariances_.tolist(),
                        "precisionsCholesky": gm.precisions_cholesky_.tolist(),
                        "precisions": gm.precisions_.tolist(),
                    },
                }
            )
    doc = {
        "generator": "scripts/generate-precisions-fixtures.py",
        "sklearnVersion": sklearn.__version__,
        "numpyVersion": np.__version__,
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc) + "\n")
    print(f"wrote {OUT.relative_to(REPO)}: {len(cases)} cases")


if __name__ == "__main__":
    main()
