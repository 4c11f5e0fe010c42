#!/usr/bin/python3
"""scikit-learn's GaussianMixture on a gaussmix benchmark case, in a fresh process (for an honest peak RSS).

    /usr/bin/python3 bench/sklearn_fit_once.py --x CASE.f64 --meta CASE.json --iters 5 [--no-warmup]

Reads the same raw float64 file and fixed start that bench/fit-once.mjs reads, fits
GaussianMixture(n_components=K, covariance_type='full', tol=0, max_iter=1+iters, weights_init, means_init,
precisions_init) with scikit-learn's default threading, and prints one JSON object on stdout.

Per-iteration time, measured the same way as for gaussmix: scikit-learn's EM loop (BaseMixture.fit_predict)
calls self._compute_lower_bound exactly once per iteration, right after the M-step. A subclass records a
perf_counter timestamp (and the lower bound) there; the gaps between consecutive timestamps are whole EM
iterations (E-step + M-step + loop overhead), the analogue of gaussmix's onIteration gaps. The first
iteration is the warm-up and is dropped (it has no start timestamp inside the loop anyway); the median of the
remaining `iters` gaps is reported. This adds nothing to the timed work, unlike timing fits of different
max_iter and subtracting, which would also need repeated initialisations.

init_params='random_from_data' because scikit-learn always computes initial responsibilities before applying
weights_init / means_init / precisions_init; that choice keeps the (discarded, untimed) pass cheap.

Memory (KiB): resource.getrusage(RUSAGE_SELF).ru_maxrss (high-water mark) and the current RSS (/proc/self/statm),
sampled after imports (coldBase), after a warm-up fit on the first rows and gc (runtimeBase), after loading X
(dataBase) and after the fit (peak) — the same points as bench/fit-once.mjs.
"""
import argparse
import gc
import json
import platform
import resource
import sys
import time
import warnings


def maxrss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_kib():
    try:
        with open('/proc/self/statm') as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize() // 1024
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--x', required=True)
    ap.add_argument('--meta', required=True)
    ap.add_argument('--iters', type=int, required=True)
    ap.add_argument('--no-warmup', action='store_true', help='skip the warm-up fit (smoke tests)')
    args = ap.parse_args()
    if args.iters < 1:
        raise SystemExit('--iters must be >= 1')

    import numpy as np
    import scipy
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    blas = []
    try:
        from threadpoolctl import threadpool_info
        blas = [{k: v for k, v in d.items() if k in ('user_api', 'internal_api', 'version', 'num_threads',
                                                      'threading_layer', 'architecture')}
                for d in threadpool_info()]
    except Exception as e:  # threadpoolctl is optional
        blas = [{'error': repr(e)}]

    cold_base = {'maxRSS': maxrss_kib(), 'rss': rss_kib()}

    with open(args.meta) as f:
        meta = json.load(f)
    n, d, k = meta['n'], meta['d'], meta['k']
    if sys.byteorder != 'little':
        raise SystemExit('bench data files are little-endian; this machine is not')
    weights_init = np.asarray(meta['weightsInit'], dtype=np.float64)
    means_init = np.asarray(meta['meansInit'], dtype=np.float64)
    precisions_init = np.asarray(meta['precisionsInit'], dtype=np.float64)

    def make(cls, max_iter):
        return cls(
            n_components=k, covariance_type='full', tol=0.0, reg_covar=1e-6, max_iter=max_iter, n_init=1,
            init_params='random_from_data', weights_init=weights_init, means_init=means_init,
            precisions_init=precisions_init, random_state=0,
        )

    # Warm-up on the first rows (as bench/fit-once.mjs does): imports resolved, allocator warmed; the RSS after it
    # is the runtime baseline that X and the fit's N-dependent memory are measured against.
    warmup = None
    if not args.no_warmup:
        m = min(n, max(2000, 4 * k * d))
        warm = np.fromfile(args.x, dtype='<f8', count=m * d).reshape(m, d)
        tw = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', ConvergenceWarning)
            make(GaussianMixture, 1 + args.iters).fit(warm)
        warmup = {'rows': m, 'seconds': time.perf_counter() - tw}
        del warm
        gc.collect()
    runtime_base = {'maxRSS': maxrss_kib(), 'rss': rss_kib()}

    X = np.fromfile(args.x, dtype='<f8')
    if X.size != n * d:
        raise SystemExit(f'{args.x}: expected {n * d} doubles, got {X.size}')
    X = X.reshape(n, d)
    data_base = {'maxRSS': maxrss_kib(), 'rss': rss_kib()}

    stamps = []
    cpu_stamps = []
    lower_bounds = []

    class TimedGaussianMixture(GaussianMixture):
        def _compute_lower_bound(self, log_resp, log_prob_norm):
            lb = super()._compute_lower_bound(log_resp, log_prob_norm)
            stamps.append(time.perf_counter())
            cpu_stamps.append(time.process_time())  # whole process, BLAS threads included
            lower_bounds.append(float(lb))
            return lb

    gm = make(TimedGaussianMixture, 1 + args.iters)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        gm.fit(X)
    t1 = time.perf_counter()
    peak = {'maxRSS': maxrss_kib(), 'rss': rss_kib()}

    gaps = [stamps[i] - stamps[i - 1] for i in range(1, len(stamps))]
    if len(stamps) != 1 + args.iters:
        raise SystemExit(f'expected {1 + args.iters} iterations, saw {len(stamps)}')
    lower_bound = float(gm.lower_bound_)
    mean_sum = float(gm.means_.sum())
    if not (np.isfinite(lower_bound) and np.isfinite(mean_sum)):
        raise SystemExit(f'non-finite result: lower bound {lower_bound}')

    out = {
        'ok': True,
        'engine': 'sklearn',
        'case': meta['id'], 'n': n, 'd': d, 'k': k,
        'xBytes': int(X.nbytes),
        'iters': args.iters,
        'nIter': int(gm.n_iter_),
        'timing': '_compute_lower_bound gaps',
        'iterSeconds': gaps,
        'medianSeconds': float(np.median(gaps)),
        # average number of cores kept busy during the timed iterations (see bench/fit-once.mjs)
        'cpuWall': (cpu_stamps[-1] - cpu_stamps[0]) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else None,
        'fitSeconds': t1 - t0,
        'lowerBound': lower_bound,
        'lowerBounds': lower_bounds,
        'meanSum': mean_sum,
        'warmup': warmup,
        'rssKiB': {'coldBase': cold_base, 'runtimeBase': runtime_base, 'dataBase': data_base, 'peak': peak},
        'versions': {'python': platform.python_version(), 'sklearn': sklearn.__version__,
                     'numpy': np.__version__, 'scipy': scipy.__version__},
        'threadpools': blas,
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
