"""Own-price elasticity from sales logs: a constant-elasticity demand model per group, with
controls, heteroskedasticity-robust standard errors and confidence intervals.

For every group (a product, or a category, crossed with a price-sensitivity segment when the
frame has one) the model is the log-log demand curve

    log E[units_st] = a_s - elasticity * log(price_st) + controls_t

with ``a_s`` a fixed effect per series ``s`` inside the group (a product, or a product at one
place), and controls for the weekday, holidays, the days before them, weather, the promotion flag
(so that a promotion's extra lift beyond its price cut is not read as elasticity) and a linear
trend. ``method="ppml"`` (the default) fits it as a Poisson pseudo-maximum-likelihood GLM, which
keeps the days with zero sales and is consistent under any heteroskedasticity (Santos Silva &
Tenreyro, 2006, "The log of gravity", REStat 88(4)); ``method="ols"`` is the textbook log-log OLS
on the days with positive sales. Standard errors are clustered by calendar week (or White /
HC1), the intervals normal at 90% and 95%.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from groupbuy_ml.errors import ConfigError, InvalidDataError

__all__ = ["CONTROLS", "ElasticityEstimator", "design"]

CONTROLS = ("weekday", "month", "is_holiday", "pre_holiday", "temperature_c", "rain_mm", "promo",
            "trend")
"""Controls the estimator knows; those missing from a frame are left out (and reported)."""

_Z90, _Z95 = stats.norm.ppf(0.95), stats.norm.ppf(0.975)


@dataclass(frozen=True)
class ElasticityEstimator:
    """Estimates own-price elasticity (demand ~ price ** -elasticity) per group.

    Args:
        by: columns that define a group, each fitted on its own (e.g. ``("category",
            "segment")`` or ``("product_id", "segment")``).
        series: columns of the fixed effect inside a group (``product_id``, or
            ``("location_id", "product_id")``).
        method: ``"ppml"`` (Poisson GLM, keeps zero days), ``"ols"`` (log units > 0) or
            ``"censored"`` (Poisson with the rows flagged in a ``censored`` column -- sold
            out -- known only as a lower bound: :mod:`~groupbuy_ml.pricing.censored`).
        controls: any of :data:`CONTROLS`; ``weekday``, ``month`` (dummies) and ``trend`` are
            derived from ``date`` (daily data: weekday; monthly data: month).
        min_rows: groups with fewer rows (or without price variation) are reported with a
            ``status`` and no estimate, never a guess.
        cov: ``"week"`` (default): standard errors clustered by calendar week, robust to
            heteroskedasticity, to shocks shared by a day's series and to serial correlation
            within a week (promotions last 1-3 days, households' repeat cycles); ``"HC1"``:
            White's heteroskedasticity-robust errors only.
    """

    by: Sequence[str] = ("category",)
    series: Sequence[str] = ("product_id",)
    method: Literal["ppml", "ols", "censored"] = "ppml"
    controls: Sequence[str] = ("weekday", "is_holiday", "pre_holiday", "temperature_c", "rain_mm",
                               "promo", "trend")
    min_rows: int = 30
    cov: Literal["HC1", "week"] = "week"

    def __post_init__(self) -> None:
        if self.cov not in ("HC1", "week"):
            raise ConfigError(f"cov: {self.cov!r} is not one of 'HC1', 'week'")
        if self.method not in ("ppml", "ols", "censored"):
            raise ConfigError(f"method: {self.method!r} is not one of 'ppml', 'ols', "
                              "'censored'")
        unknown = sorted(set(self.controls) - set(CONTROLS))
        if unknown:
            raise ConfigError(f"controls: {unknown[0]!r} is not one of {', '.join(CONTROLS)}")

    def fit(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per group: ``elasticity, se, ci90_low, ci90_high, ci95_low, ci95_high,
        n_rows, n_series, price_sd`` (sd of log price inside series), ``controls`` (those used)
        and ``status`` (``ok`` or why there is no estimate)."""
        check_frame(frame, [*self.by, *self.series,
                            *(["censored"] if self.method == "censored" else [])])
        rows = []
        groups = frame.groupby(list(self.by), sort=True, observed=True) if self.by \
            else [((), frame)]
        for key, part in groups:
            key = key if isinstance(key, tuple) else (key,)
            rows.append({**dict(zip(self.by, key, strict=True)), **self._fit_group(part)})
        return pd.DataFrame(rows)

    def _fit_group(self, part: pd.DataFrame) -> dict:
        if self.method == "ols":
            part = part[part["units"] > 0]
        x, used = design(part, self.series, self.controls)
        out = {"n_rows": len(part), "n_series": int(part.groupby(list(self.series)).ngroups),
               "controls": ",".join(used)}
        log_p = np.log(part["price"].to_numpy(np.float64))
        centred = log_p - part.groupby(list(self.series))["price"].transform(
            lambda s: np.log(s).mean()).to_numpy()
        out["price_sd"] = float(centred.std())
        nan = dict.fromkeys(("elasticity", "se", "ci90_low", "ci90_high", "ci95_low",
                             "ci95_high"), np.nan)
        if len(part) < self.min_rows:
            return {**out, **nan, "status": f"fewer than {self.min_rows} rows"}
        if out["price_sd"] < 1e-6:
            return {**out, **nan, "status": "no price variation"}
        y = part["units"].to_numpy(np.float64)
        cov: dict = {"cov_type": "HC1"}
        if self.cov == "week" and "date" in part:
            week = pd.to_datetime(part["date"]).dt.to_period("W").astype(str)
            groups = pd.factorize(week)[0]
            if groups.max() >= 4:
                cov = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rank-deficient dummies: the price column is kept
            if self.method in ("ppml", "censored") and y.sum() <= 0:
                return {**out, **nan, "status": "no sales"}
            if self.method == "censored":
                from groupbuy_ml.pricing.censored import fit_censored_poisson

                try:  # a starting point only: the uncensored Poisson fit
                    start = sm.GLM(y, x, family=sm.families.Poisson()).fit(
                        maxiter=50).params.to_numpy()
                except (ValueError, np.linalg.LinAlgError):
                    start = None
                fit = fit_censored_poisson(x.to_numpy(), y, part["censored"].to_numpy(bool),
                                           start=start)
                if not fit.converged:
                    return {**out, **nan, "status": "did not converge"}
                res = type("Fit", (), {"params": pd.Series(fit.params, index=x.columns),
                                       "bse": pd.Series(fit.bse, index=x.columns)})
            elif self.method == "ppml":
                res = sm.GLM(y, x, family=sm.families.Poisson()).fit(maxiter=100, **cov)
            else:
                res = sm.OLS(np.log(y), x).fit(**cov)
        beta, se = -float(res.params["log_price"]), float(res.bse["log_price"])
        if not np.isfinite(se):
            return {**out, **nan, "status": "singular design"}
        return {**out, "elasticity": beta, "se": se,
                "ci90_low": beta - _Z90 * se, "ci90_high": beta + _Z90 * se,
                "ci95_low": beta - _Z95 * se, "ci95_high": beta + _Z95 * se, "status": "ok"}


def design(part: pd.DataFrame, series: Sequence[str],
           controls: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """The regression matrix: ``log_price``, one dummy per series (no intercept) and the
    controls present in ``part`` (weekday dummies, Monday the base)."""
    cols: dict[str, np.ndarray] = {"log_price": np.log(part["price"].to_numpy(np.float64))}
    key = part[list(series)].astype(str).agg("|".join, axis=1) if len(series) > 1 \
        else part[series[0]].astype(str)
    fe = pd.get_dummies(key, prefix="fe", dtype=np.float64)
    used = []
    date = pd.to_datetime(part["date"]) if "date" in part else None
    for name in controls:
        if name == "weekday" and date is not None:
            wd = date.dt.weekday.to_numpy()
            for d in range(1, 7):
                if (wd == d).any():
                    cols[f"wd{d}"] = (wd == d).astype(np.float64)
            used.append(name)
        elif name == "month" and date is not None:
            month = date.dt.month.to_numpy()
            for m in range(2, 13):
                if (month == m).any():
                    cols[f"m{m}"] = (month == m).astype(np.float64)
            used.append(name)
        elif name == "trend" and date is not None:
            days = (date - date.min()).dt.days.to_numpy(np.float64)
            cols["trend"] = days / 365.0
            used.append(name)
        elif name in part:
            values = part[name].to_numpy(np.float64)
            if np.nanstd(values) > 0:
                cols[name] = values - np.nanmean(values) if name == "temperature_c" else values
                used.append(name)
    x = pd.concat([pd.DataFrame(cols, index=part.index), fe], axis=1)
    return x, used


def check_frame(frame: pd.DataFrame, keys: Sequence[str]) -> None:
    """Clear errors for a frame the estimator cannot use (the column and the fix)."""
    if frame.empty:
        raise InvalidDataError("sales frame: no rows; pass at least one product's price history")
    missing = [c for c in ("units", "price", *keys) if c not in frame]
    if missing:
        raise InvalidDataError(f"sales frame: column {missing[0]!r} is missing; the estimator "
                               f"needs units, price and {', '.join(keys)}")
    price = frame["price"].to_numpy(np.float64)
    bad = ~np.isfinite(price) | (price <= 0)
    if bad.any():
        raise InvalidDataError(f"price: {int(bad.sum())} rows are <= 0 or NaN (first at row "
                               f"{int(np.flatnonzero(bad)[0])}); drop them or fix the prices")
    units = frame["units"].to_numpy(np.float64)
    if (~np.isfinite(units) | (units < 0)).any():
        raise InvalidDataError("units: negative or NaN values; sales must be counts >= 0")
