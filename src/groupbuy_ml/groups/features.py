"""Features of a group buy at launch (and during its day), from what the platform records.

Every feature of a launch on day ``d`` uses days before ``d`` only: the product's city-wide
accepted units over the last ``window`` days it was launched, how often its group formed then,
the threshold and today's price relative to list, the product's age (new products are the hard
case), weekday, holiday and category. The same function serves the offline benchmark (arrays
collected from the twin's day outcomes) and the threshold policy (the morning's
:class:`~groupbuy_ml.twin.state.PlatformState` records).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FEATURES", "NEW_PRODUCT_DAYS", "launch_features"]

FEATURES = ("log_units_per_threshold", "log_threshold", "recent_formed", "n_recent",
            "price_ratio", "age_days", "is_new", "weekday", "is_holiday", "category_code",
            "n_points")
NEW_PRODUCT_DAYS = 28
"""A product launched fewer than this many days ago counts as new."""


def launch_features(units: np.ndarray, launched: np.ndarray, formed: np.ndarray,
                    threshold: np.ndarray, price_ratio: np.ndarray, age: np.ndarray,
                    weekday: np.ndarray, holiday: np.ndarray, category_code: np.ndarray,
                    n_points: np.ndarray, days: np.ndarray, window: int = 7) -> pd.DataFrame:
    """One row per (day in ``days``, product launched that day).

    Args:
        units, launched, formed: (D, I) city-wide accepted units, launched flags and group
            outcomes of the recorded days (row ``d`` is day ``d``).
        threshold, price_ratio, age, n_points: (D, I) the day's values (known at launch).
        weekday, holiday: (D,); category_code: (I,).
        days: which rows to build (each looks back at most ``window`` days).
    """
    rows = []
    for d in days:
        live = np.flatnonzero(launched[d])
        if not len(live):
            continue
        lo = max(0, d - window)
        past = launched[lo:d][:, live]
        n = past.sum(axis=0)
        mean_units = np.where(past, units[lo:d][:, live], 0).sum(axis=0) / np.maximum(n, 1)
        rate = np.where(past, formed[lo:d][:, live], 0).sum(axis=0) / np.maximum(n, 1)
        k = threshold[d, live].astype(np.float64)
        rows.append(pd.DataFrame({
            "day": d, "product_id": live,
            "log_units_per_threshold": np.log((mean_units + 1.0) / k),
            "log_threshold": np.log(k), "recent_formed": np.where(n > 0, rate, np.nan),
            "n_recent": n, "price_ratio": price_ratio[d, live],
            "age_days": np.minimum(age[d, live], 365), "is_new": age[d, live] < NEW_PRODUCT_DAYS,
            "weekday": weekday[d], "is_holiday": holiday[d], "category_code": category_code[live],
            "n_points": n_points[d, live],
        }))
    if not rows:
        return pd.DataFrame(columns=["day", "product_id", *FEATURES])
    return pd.concat(rows, ignore_index=True)
