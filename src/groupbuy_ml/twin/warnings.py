"""Stock-out early warnings: did the forecasts see a stock-out coming, and how many days ahead?

An ordering policy that forecasts may expose ``stockout_risk_``: after its ``order`` call, an
(H, P, I) array of the probability that each pickup point runs out of each product on order
days ``today .. today + H - 1`` (its forecast against the stock it expects to have). A cell is
*warned* for a day when that probability reached ``threshold`` on some morning before or on it;
the lead of the warning is the number of days between the first such morning and the day.

:meth:`WarningLog.table` gives one row per product and scored day with stock-outs: the pickup
points that ran out, the units lost, how many of those points were warned and the mean lead.
Policies without forecasts warn of nothing (``warned_points`` 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["date", "day", "product_id", "points_sold_out", "lost_units", "warned_points",
           "mean_warning_days", "max_warning_days"]


class WarningLog:
    """First warning morning per (day, pickup point, product), and the realised stock-outs."""

    def __init__(self, policy: object, first_scored: int, dates: pd.DatetimeIndex,
                 threshold: float = 0.5) -> None:
        self.policy, self.first_scored, self.threshold = policy, first_scored, threshold
        self.dates = dates
        self._first: dict[int, np.ndarray] = {}  # day -> (P, I) first warning morning or -1
        self.rows: list[dict] = []

    def look_ahead(self, t: int, loop: object) -> None:
        risk = getattr(self.policy, "stockout_risk_", None)
        if risk is None or t < self.first_scored - 14:
            return
        risk = np.asarray(risk)
        for h in range(risk.shape[0]):
            day = t + h
            warned = risk[h] >= self.threshold
            first = self._first.setdefault(day, np.full(warned.shape, -1, np.int64))
            first[(first < 0) & warned] = t

    def observe(self, day: object) -> None:
        """Record the stock-outs of a scored :class:`~groupbuy_ml.twin.engine.DayOutcome`."""
        lost = day.demand - day.accepted
        out = lost > 0
        first = self._first.pop(day.t, None)
        for stale in [d for d in self._first if d < day.t]:
            del self._first[stale]
        if not out.any():
            return
        date = self.dates[day.t]
        for i in np.flatnonzero(out.any(axis=0)):
            cells = out[:, i]
            row = {"date": date, "day": day.t, "product_id": int(i),
                   "points_sold_out": int(cells.sum()), "lost_units": int(lost[cells, i].sum()),
                   "warned_points": 0, "mean_warning_days": np.nan, "max_warning_days": np.nan}
            if first is not None:
                lead = day.t - first[cells, i]
                warned = first[cells, i] >= 0
                if warned.any():
                    row.update(warned_points=int(warned.sum()),
                               mean_warning_days=float(lead[warned].mean()),
                               max_warning_days=float(lead[warned].max()))
            self.rows.append(row)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=COLUMNS)
