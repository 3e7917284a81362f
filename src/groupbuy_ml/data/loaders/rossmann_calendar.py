"""Rossmann's store attributes turned into daily covariates (known for every future day).

``store.csv`` says *since when* a store runs the recurring "Promo2" coupon campaign, in which
months it restarts (``PromoInterval``) and since when a competitor is open. What a model can use
is the state on each day: is a Promo2 round running, for how long the campaign has run, how long
the competitor has been open. Column names follow :mod:`groupbuy_ml.data.loaders.rossmann`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["add_store_calendar"]

_MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8,
           "Sept": 9, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}


def add_store_calendar(panel: pd.DataFrame) -> pd.DataFrame:
    """``panel`` with ``promo2_active`` (int8: a Promo2 round restarts this month and the
    campaign has begun), ``promo2_weeks`` (weeks since the campaign began, NaN without one) and
    ``competition_open_months`` (months since the nearest competitor opened; negative before,
    NaN when unknown)."""
    date = pd.DatetimeIndex(panel["date"])
    iso = date.isocalendar()
    week_index = (iso["year"].to_numpy(np.float64) * 52 + iso["week"].to_numpy(np.float64))
    since = (panel["promo2_since_year"].to_numpy(np.float64) * 52
             + panel["promo2_since_week"].to_numpy(np.float64))
    weeks = np.where(panel["promo2"].to_numpy() == 1, week_index - since, np.nan)
    month = date.month.to_numpy()
    intervals = panel["promo_interval"].fillna("").astype(str)
    in_interval = np.zeros(len(panel), dtype=bool)
    for text, rows in intervals.groupby(intervals).groups.items():
        months = [_MONTHS[m] for m in str(text).split(",") if m in _MONTHS]
        positions = panel.index.get_indexer(rows)
        in_interval[positions] = np.isin(month[positions], months)
    months_open = ((date.year.to_numpy() - panel["competition_open_since_year"].to_numpy())
                   * 12 + month - panel["competition_open_since_month"].to_numpy())
    return panel.assign(
        promo2_active=(in_interval & (weeks >= 0)).astype(np.int8),
        promo2_weeks=weeks,
        competition_open_months=months_open.astype(np.float64),
    )
