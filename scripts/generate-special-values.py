#!/usr/bin/env python3
"""Reference values for src/model/special.ts (log Γ, digamma, log B).

Writes ``test/fixtures/special-values.json``: for a fixed list of arguments
(tiny, around the roots of log Γ at 1 and 2, around the positive root x0 of
digamma, half-integers as the Wishart terms ½(ν − i) produce, large values,
negative non-integers, and log-uniform random points from a fixed seed) the
values of log|Γ(x)| and ψ(x) computed by mpmath at 60 significant digits and
rounded to the nearest double, next to scipy.special's gammaln / digamma (what
scikit-learn calls), and log B(a, b) for pairs of arguments (mpmath and
scipy.special.betaln).

``--tables`` instead prints the coefficient tables that special.ts embeds
(Taylor coefficients of log Γ about 1, 1.5 and 2 and of ψ about its positive
root x0, and x0 as a double-double), so they can be regenerated and checked.

Requirements: Debian's python3-mpmath and python3-scipy, run with the system
interpreter:

    /usr/bin/python3 scripts/generate-special-values.py
    /usr/bin/python3 scripts/generate-special-values.py --tables

Floats are written with Python's repr, so they round-trip exactly.
"""

import json
import sys
from pathlib import Path

import mpmath
import numpy as np
import scipy
from scipy import special

mpmath.mp.dps = 60

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "test" / "fixtures" / "special-values.json"

# Number of Taylor coefficients per table (see special.ts for the windows they cover).
N_LGAMMA_1 = 30
N_LGAMMA_15 = 24
N_LGAMMA_2 = 22
N_DIGAMMA_ROOT = 40


def x0():
    return mpmath.findroot(mpmath.digamma, mpmath.mpf("1.46"))


def lgamma_taylor(center, n):
    """t_k with log Γ(center + z) = Σ_k t_k z^k, k = 0..n-1 (t_k = ψ^(k-1)(c)/k!)."""
    c = mpmath.mpf(center)
    out = [mpmath.loggamma(c), mpmath.digamma(c)]
    for k in range(2, n):
        out.append(mpmath.polygamma(k - 1, c) / mpmath.factorial(k))
    return out


def digamma_taylor_root(n):
    """c_k with ψ(x0 + z) = Σ_k c_k z^k, k = 1..n (c_k = ψ^(k)(x0)/k!)."""
    r = x0()
    return [mpmath.polygamma(k, r) / mpmath.factorial(k) for k in range(1, n + 1)]


def fmt(v):
    return repr(float(v))


def print_tables():
    r = x0()
    hi = float(r)
    lo = float(r - mpmath.mpf(hi))
    print(f"// digamma's positive root x0 = {mpmath.nstr(r, 30)} as hi + lo")
    print(f"const X0_HI = {hi!r};")
    print(f"const X0_LO = {lo!r};")
    print(f"// lgamma(x0) = {fmt(mpmath.loggamma(r))}")
    for name, center, n in (("LG1", 1, N_LGAMMA_1), ("LG15", 1.5, N_LGAMMA_15), ("LG2", 2, N_LGAMMA_2)):
        t = lgamma_taylor(center, n)
        print(f"// log Γ({center} + z) = Σ {name}[k]·z^k")
        print(f"const {name} = [")
        for v in t:
            print(f"  {fmt(v)},")
        print("];")
    c = digamma_taylor_root(N_DIGAMMA_ROOT)
    print("// ψ(x0 + z) = Σ PSI0[k]·z^(k+1)")
    print("const PSI0 = [")
    for v in c:
        print(f"  {fmt(v)},")
    print("];")


def arguments():
    r = float(x0())
    xs = [
        1e-307, 1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5,
        0.6, 0.7, 0.74, 0.75, 0.76, 0.8, 0.9, 0.95, 0.99, 0.999, 1 - 1e-8, 1.0, 1 + 1e-12, 1 + 1e-8,
        1.001, 1.01, 1.1, 1.2, 1.24, 1.25, 1.26, 1.3, 1.4, 1.45, r - 1e-3, r - 1e-9, r, r + 1e-12,
        r + 1e-6, 1.47, 1.5, 1.6, 1.7, 1.74, 1.75, 1.76, 1.8, 1.9, 1.95, 1.96, 1.97, 1.99, 2 - 1e-9,
        2.0, 2 + 1e-10, 2.01, 2.1, 2.2, 2.24, 2.25, 2.26, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.5, 9.0,
        9.99, 10.0, 10.01, 12.5, 20.0, 33.3, 50.0, 100.0, 136.5, 272.5, 1000.0, 12345.678, 1e5, 1e6,
        1e8, 1e10, 1e15, 1e20, 1e50, 1e100, 1e300,
        -0.5, -1.5, -2.5, -0.1, -0.9, -1.2, -3.7, -10.1, -100.25,
    ]
    # half-integers and ν-like values as the Wishart terms ½(ν − i) produce
    xs += [0.5 * v for v in range(1, 60)]
    xs += [0.5 * (2.0 + 1e-3 - i) for i in range(2)] + [0.5 * (6.0 - 5 + 1e-9)]
    rng = np.random.RandomState(20240601)
    xs += list(np.exp(rng.uniform(np.log(1e-6), np.log(1e6), 300)))
    xs += list(rng.uniform(0.0, 12.0, 200))
    # dedupe, keep order
    seen = set()
    out = []
    for v in xs:
        v = float(v)
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


def beta_pairs():
    pairs = [
        (1.0, 1.0), (0.5, 0.5), (1e-3, 2.0), (2.0, 1e-3), (1.5, 272.0), (1.0 + 1e-15, 0.2),
        (101.0, 171.0), (1000.0, 1000.0), (1.0, 1e6), (3.5, 1e6 + 0.25), (1e6, 1e6), (0.25, 1e10),
        (12.0, 9.0), (10.0, 10.0), (9.99, 0.01), (50.5, 0.125), (1e-10, 1e-10), (30.0, 1e-300),
    ]
    rng = np.random.RandomState(7)
    for _ in range(150):
        a, b = np.exp(rng.uniform(np.log(1e-3), np.log(1e5), 2))
        pairs.append((float(a), float(b)))
    return pairs


def main():
    if "--tables" in sys.argv:
        print_tables()
        return
    xs = arguments()
    lg = []
    dg = []
    for x in xs:
        m = mpmath.mpf(x)
        lgv = mpmath.log(abs(mpmath.gamma(m))) if x < 0 else mpmath.loggamma(m)
        lg.append(float(mpmath.re(lgv)))
        dg.append(float(mpmath.digamma(m)))
    pairs = beta_pairs()
    bl = [float(mpmath.log(mpmath.beta(mpmath.mpf(a), mpmath.mpf(b)))) for a, b in pairs]
    doc = {
        "generator": "scripts/generate-special-values.py",
        "mpmathVersion": mpmath.__version__,
        "mpmathDigits": mpmath.mp.dps,
        "scipyVersion": scipy.__version__,
        "numpyVersion": np.__version__,
        "python": sys.version.split()[0],
        "x": xs,
        "lgamma": lg,
        "digamma": dg,
        "scipyGammaln": [float(v) for v in special.gammaln(np.array(xs))],
        "scipyDigamma": [float(v) for v in special.digamma(np.array(xs))],
        "betaPairs": [[a, b] for a, b in pairs],
        "betaln": bl,
        "scipyBetaln": [float(special.betaln(a, b)) for a, b in pairs],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w") as f:
        f.write(json.dumps(doc, allow_nan=False, separators=(",", ":")))
        f.write("\n")

    def worst(ref, got):
        ref = np.array(ref)
        got = np.array(got)
        ok = np.isfinite(ref) & (ref != 0)
        return float(np.max(np.abs(got[ok] - ref[ok]) / np.abs(ref[ok])))

    print(f"mpmath {mpmath.__version__} ({mpmath.mp.dps} digits), scipy {scipy.__version__}")
    print(f"{len(xs)} arguments, {len(pairs)} beta pairs -> {OUT.relative_to(REPO)}")
    print(f"scipy vs mpmath, worst relative error: gammaln {worst(lg, doc['scipyGammaln']):.2e}, "
          f"digamma {worst(dg, doc['scipyDigamma']):.2e}, betaln {worst(bl, doc['scipyBetaln']):.2e}")


if __name__ == "__main__":
    main()
