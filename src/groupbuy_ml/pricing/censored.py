"""Poisson regression with right-censored counts: demand where a product sold out.

Where a product sold out, the recorded sales ``c`` are a lower bound of demand. The likelihood
of such a cell is ``P(Y >= c) = gammainc(c, mu)`` (the regularized lower incomplete gamma
function) instead of the Poisson mass at ``c`` -- the Tobit idea (Tobin 1958, Econometrica
26(1)) for counts (Terza 1985, Economics Letters 18). Fitted by L-BFGS on the exact gradient;
standard errors from the inverse of the Hessian (finite differences of the gradient).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

__all__ = ["CensoredPoissonFit", "fit_censored_poisson"]


class CensoredPoissonFit:
    """Coefficients ``params`` and standard errors ``bse`` (arrays in column order)."""

    def __init__(self, params: np.ndarray, bse: np.ndarray, converged: bool) -> None:
        self.params, self.bse, self.converged = params, bse, converged


def _nll_grad(beta: np.ndarray, x: np.ndarray, y: np.ndarray,
              censored: np.ndarray) -> tuple[float, np.ndarray]:
    eta = np.clip(x @ beta, -30, 30)
    mu = np.exp(eta)
    ll = np.where(censored, 0.0, y * eta - mu - special.gammaln(y + 1))
    score = np.where(censored, 0.0, y - mu)
    if censored.any():
        c, m = y[censored], mu[censored]
        pos = c > 0
        log_sf = np.where(pos, stats.poisson.logsf(np.maximum(c - 1, 0), m), 0.0)
        log_sf = np.maximum(log_sf, -700.0)
        # d log P(Y >= c) / d eta = mu * pmf(c - 1; mu) / P(Y >= c)
        log_ratio = np.log(m) + stats.poisson.logpmf(np.maximum(c - 1, 0), m) - log_sf
        ll[censored] = log_sf
        score[censored] = np.where(pos, np.exp(np.minimum(log_ratio, 30.0)), 0.0)
    return -float(ll.sum()), -(x.T @ score)


def fit_censored_poisson(x: np.ndarray, y: np.ndarray, censored: np.ndarray,
                         start: np.ndarray | None = None) -> CensoredPoissonFit:
    """Maximum likelihood of ``log E[Y] = x @ beta`` with ``censored`` rows known only as
    ``Y >= y``."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    censored = np.asarray(censored, bool)
    beta0 = np.zeros(x.shape[1]) if start is None else np.asarray(start, np.float64)
    res = optimize.minimize(_nll_grad, beta0, args=(x, y, censored), jac=True,
                            method="L-BFGS-B", options={"maxiter": 500})
    k = len(res.x)
    hess = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * max(1.0, abs(res.x[j]))
        up, down = res.x.copy(), res.x.copy()
        up[j] += h
        down[j] -= h
        hess[:, j] = (_nll_grad(up, x, y, censored)[1] - _nll_grad(down, x, y, censored)[1]) / (
            2 * h)
    hess = (hess + hess.T) / 2
    try:
        cov = np.linalg.pinv(hess)
        bse = np.sqrt(np.maximum(np.diag(cov), 0.0))
    except np.linalg.LinAlgError:
        bse = np.full(k, np.nan)
    return CensoredPoissonFit(res.x, bse, bool(res.success))
