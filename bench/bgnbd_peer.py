"""The model suite's peer (bench/model-bench.ts): a BG/NBD fit with NumPy and SciPy, done the way the
`lifetimes` package (BetaGeoFitter) does it: the same negative log-likelihood (Fader, Hardie & Lee
2005, eq. 6, in the form of Fader & Hardie's Excel note), vectorised over one row per client, time
scaled so that the largest T is 10, minimised on the log-parameters from all ones with
scipy.optimize.minimize(method='Nelder-Mead').

Usage: python3 bench/bgnbd_peer.py ROWS.csv, where each line of ROWS.csv is `x,tx,T`. Prints one JSON
object: seconds (the fit only, not the start-up or the file read), r, alpha, a, b, logLikelihood
(the total, in the file's time unit), converged, iterations, evaluations.
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln


def negative_log_likelihood(log_params, x, tx, T):
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(tx + alpha)
    # log(e^a3 + δ e^a4) as a log-sum-exp, as lifetimes' later versions do.
    with np.errstate(divide="ignore"):
        a4 = np.where(x > 0, a4, -np.inf)
    ll = a1 + a2 + np.logaddexp(a3, a4)
    value = -ll.mean()
    return value if np.isfinite(value) else np.inf


def main():
    rows = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
    x, tx, T = rows[:, 0], rows[:, 1], rows[:, 2]
    started = time.perf_counter()
    scale = 10.0 / T.max()
    result = minimize(
        negative_log_likelihood,
        np.zeros(4),
        args=(x, tx * scale, T * scale),
        method="Nelder-Mead",
        # Tolerances as tight as Kamerton's own, so that both reach the same digits.
        options={"xatol": 1e-7, "fatol": 1e-11, "maxiter": 20000, "maxfev": 40000},
    )
    seconds = time.perf_counter() - started
    r, alpha, a, b = np.exp(result.x)
    alpha /= scale
    ll = -negative_log_likelihood(np.log([r, alpha, a, b]), x, tx, T) * len(x)
    print(json.dumps({
        "seconds": seconds,
        "r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b),
        "logLikelihood": float(ll),
        "converged": bool(result.success),
        "iterations": int(result.nit),
        "evaluations": int(result.nfev),
    }))


if __name__ == "__main__":
    main()
