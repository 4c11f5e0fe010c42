#!/usr/bin/python3
"""scikit-learn's side of the end-to-end benchmark (bench/e2e.mjs), in a fresh process:

    /usr/bin/python3 bench/sklearn_e2e_once.py --x X.f64 --meta X.json [--seeds 0,1,2,3] [--reps 3]

A `fit` case: GaussianMixture(n_components=K, random_state=seed).fit(X), every other option at its default. The
`select` case: the loop a scikit-learn user writes for a BIC sweep — for each covariance type and K, fit, then
bic(X); the lowest wins. After one untimed warm-up fit on the first 20 000 rows, each seed is fitted `reps` times;
its time is the median. Prints one JSON object (per seed: seconds, score = mean log-likelihood of X, n_iter_).
Threading and BLAS are whatever the environment gives (bench/e2e.mjs runs it with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset: OpenBLAS then picks its fastest kernels on this CPU).
"""
import argparse
import json
import time
import warnings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--x', required=True)
    ap.add_argument('--meta', required=True)
    ap.add_argument('--seeds', default='0,1,2,3')
    ap.add_argument('--reps', type=int, default=3)
    args = ap.parse_args()
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    warnings.simplefilter('ignore', ConvergenceWarning)
    with open(args.meta) as f:
        meta = json.load(f)
    X = np.fromfile(args.x, dtype='<f8').reshape(meta['n'], meta['d'])

    def run(data, seed):
        if meta['ks']:
            best = None
            for cov in ('full', 'tied', 'diag', 'spherical'):
                for k in meta['ks']:
                    g = GaussianMixture(n_components=k, covariance_type=cov, random_state=seed).fit(data)
                    b = g.bic(data)
                    if best is None or b < best[0]:
                        best = (b, k, cov, g)
            return best
        return GaussianMixture(n_components=meta['k'], random_state=seed).fit(data)

    run(X[:20000], 0)
    out = []
    for seed in [int(s) for s in args.seeds.split(',')]:
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            r = run(X, seed)
            times.append(time.perf_counter() - t0)
        if meta['ks']:
            b, k, cov, g = r
            out.append({'seed': seed, 'seconds': float(np.median(times)), 'best': f'{k} {cov}', 'bic': float(b),
                        'score': float(g.score(X))})
        else:
            out.append({'seed': seed, 'seconds': float(np.median(times)), 'score': float(r.score(X)),
                        'nIter': int(r.n_iter_)})
    print(json.dumps({'ok': True, 'case': meta['id'], 'seeds': out}))


if __name__ == '__main__':
    main()
