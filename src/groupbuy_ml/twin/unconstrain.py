"""Demand unconstraining: estimating what sold-out days would have sold, from the sales alone.

Where a product sold out, the platform's records hold the units it had, not the units asked for:
a lower bound of demand. A forecaster trained on them learns the stock it had (the "spiral
down" of revenue management: Cooper, Homem-de-Mello & Kleywegt 2006, Management Science 52(11)).
:func:`unconstrain_panel` replaces each sold-out day's units by ``E[D | D >= units]`` under a
normal demand per series, with the series' mean and standard deviation estimated by the
expectation-maximisation of Salch (1997) / Weatherford & Pölt (2002, "Better unconstraining of
airline demand data in revenue management systems", J. Revenue & Pricing Management 1(3)):
start from the uncensored days, impute the censored ones, re-estimate, repeat. Only the
platform's censored records are used, never the twin's truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["unconstrain_panel"]


def unconstrain_panel(panel: pd.DataFrame, iterations: int = 20, min_sd: float = 0.5,
                      column: str = "units") -> pd.DataFrame:
    """A copy of ``panel`` with ``column`` on ``sold_out`` rows raised to ``E[D | D >= units]``.

    Args:
        panel: a demand panel with ``location_id, product_id, units, sold_out`` (as
            :meth:`groupbuy_ml.twin.state.History.panel` builds it).
        iterations: EM steps.
        min_sd: floor of each series' standard deviation (units), so a series that always sold
            the same still gets some room above its sales.

    Returns:
        the panel, with ``units_recorded`` holding the censored units it started from.
    """
    out = panel.copy()
    out["units_recorded"] = out[column]
    censored = out["sold_out"].to_numpy(bool)
    if not censored.any():
        return out
    codes = out.groupby(["location_id", "product_id"], sort=False).ngroup().to_numpy()
    n = int(codes.max()) + 1
    y = out[column].to_numpy(np.float64)
    count = np.bincount(codes, minlength=n).astype(np.float64)
    z = y.copy()
    extra = np.zeros_like(y)  # Var[D | D >= units] on censored rows (0 elsewhere)
    mean = np.bincount(codes, y, n) / count
    var = np.bincount(codes, (y - mean[codes]) ** 2, n) / np.maximum(count - 1, 1)
    for _ in range(iterations):
        sd = np.maximum(np.sqrt(var), min_sd)
        mu, s = mean[codes[censored]], sd[codes[censored]]
        alpha = (y[censored] - mu) / s
        hazard = norm.pdf(alpha) / np.clip(norm.sf(alpha), 1e-12, None)
        z[censored] = np.maximum(y[censored], mu + s * hazard)
        extra[censored] = s**2 * np.clip(1 + alpha * hazard - hazard**2, 0, None)
        mean = np.bincount(codes, z, n) / count
        var = np.bincount(codes, (z - mean[codes]) ** 2 + extra, n) / count
    out[column] = z
    return out
