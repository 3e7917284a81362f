"""The twin's group-buy log: one row per launched group buy, collected from a run's day outcomes
(:func:`~groupbuy_ml.twin.run.run_twin` ``on_outcome``), with its launch features, how many
participants had joined by each checkpoint of the day and whether it formed at 23:00."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from groupbuy_ml.groups.features import launch_features

__all__ = ["CHECKPOINTS", "GroupLogger"]

CHECKPOINTS = (12 * 60, 18 * 60, 21 * 60)
"""Minutes of the day at which the sequential model updates a group's chance (12:00, 18:00,
21:00); the cut-off is 23:00."""


@dataclass
class GroupLogger:
    """Collects city-wide group buys (one threshold per product) of the closed-loop days."""

    catalogue: pd.DataFrame
    start: pd.Timestamp
    calendar: pd.DataFrame
    days: list[dict] = field(default_factory=list)

    def __call__(self, day, morning) -> None:  # (DayOutcome, Morning)
        if not day.closed:
            return
        threshold = np.asarray(day.decisions.threshold)
        if threshold.ndim != 1:
            return
        offered = day.decisions.offered
        o = day.orders
        ok = day.accepted_qty > 0
        n_i = offered.shape[1]
        by = {m: np.bincount(o.product[ok & (o.minute < m)], minlength=n_i) for m in CHECKPOINTS}
        lst = self.catalogue["base_price"].to_numpy(np.float64)
        price = np.where(offered, day.decisions.price, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a product offered nowhere
            ratio = np.nanmean(price, axis=0) / lst
        self.days.append({"t": day.t, "units": day.accepted.sum(axis=0),
                          "participants": day.participants.sum(axis=0),
                          "launched": offered.any(axis=0), "formed": np.asarray(day.formed),
                          "threshold": threshold, "price_ratio": np.nan_to_num(ratio, nan=1.0),
                          "n_points": offered.sum(axis=0), "by": by})

    def table(self) -> pd.DataFrame:
        """Launch features, ``participants_by_<minute>``, ``participants``, ``units`` (accepted),
        ``threshold`` and ``formed``."""
        if not self.days:
            return pd.DataFrame()
        stack = {k: np.stack([d[k] for d in self.days]) for k in
                 ("units", "launched", "formed", "threshold", "price_ratio", "n_points",
                  "participants")}
        ts = np.array([d["t"] for d in self.days])
        dates = self.start + pd.to_timedelta(ts, "D")
        cal = self.calendar.set_index("date").reindex(dates)
        launch = pd.to_datetime(self.catalogue["launch_date"]).to_numpy()
        age = (dates.to_numpy()[:, None] - launch[None, :]) / np.timedelta64(1, "D")
        codes = pd.Categorical(self.catalogue["category"]).codes
        frame = launch_features(stack["units"], stack["launched"], stack["formed"],
                                stack["threshold"], stack["price_ratio"], age,
                                dates.weekday.to_numpy(), cal["is_holiday"].to_numpy(bool),
                                codes, stack["n_points"], np.arange(len(ts)))
        d, i = frame["day"].to_numpy(), frame["product_id"].to_numpy()
        for m in CHECKPOINTS:
            by = np.stack([x["by"][m] for x in self.days])
            frame[f"participants_by_{m}"] = by[d, i]
        frame["participants"] = stack["participants"][d, i]
        frame["units"] = stack["units"][d, i]
        frame["threshold"] = stack["threshold"][d, i]
        frame["formed"] = stack["formed"][d, i].astype(int)
        frame["day"] = ts[d]
        return frame
