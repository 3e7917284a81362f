"""The platform's own records, kept for the last ``days`` order days: what policies learn from.

Accepted units are censored demand: where a product sold out, households who found it gone are
not in them (their demand is in the twin's truth log, never here). The demand panel built from
the records has the columns the library's forecasters expect (``location_id, product_id, date,
units`` + known covariates), plus ``sold_out`` so a forecaster can treat censored days apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.twin.state import History, frozen

FIELDS = ("accepted", "delivered", "sold_out", "offered", "price")
DTYPES = {"accepted": np.int32, "delivered": np.int32, "sold_out": bool, "offered": bool,
          "price": np.float32}


class RecordBook:
    """Ring buffers of (days, P, I) records plus the calendar, catalogue and price schedule."""

    def __init__(self, days: int, n_points: int, n_products: int, calendar: pd.DataFrame,
                 catalogue: pd.DataFrame, discount: np.ndarray) -> None:
        self.days = days
        self.shape = (n_points, n_products)
        self.arrays = {k: np.zeros((days, n_points, n_products), DTYPES[k]) for k in FIELDS}
        self.formed = np.zeros((days, n_products), bool)
        self.point_formed: np.ndarray | None = None
        self.n = 0  # days recorded
        self.calendar = calendar.set_index("date")
        self.dates = pd.DatetimeIndex(calendar["date"])
        self.category = catalogue["category"].to_numpy()
        self.discount = discount  # (T, I) scheduled discount (promotion calendar)
        self._panel_cache: dict[tuple[int, int | None], pd.DataFrame] = {}

    def record(self, t: int, formed: np.ndarray, **values: np.ndarray) -> None:
        """Store order day ``t`` (days must be recorded in order)."""
        if t != self.n:
            raise RuntimeError(f"records must be kept day by day: expected day {self.n}, got {t}")
        slot = t % self.days
        for name in FIELDS:
            self.arrays[name][slot] = values[name]
        formed = np.asarray(formed)
        if formed.ndim == 1:
            self.formed[slot] = formed
        else:
            if self.point_formed is None:
                self.point_formed = np.zeros((self.days, *self.shape), bool)
            self.point_formed[slot] = formed
            self.formed[slot] = formed.any(axis=0)
        self.n += 1
        self._panel_cache.clear()

    def _order(self) -> np.ndarray:
        n = min(self.n, self.days)
        return (np.arange(self.n - n, self.n) % self.days) if n else np.zeros(0, np.int64)

    def view(self) -> History:
        """The records up to yesterday as a read-only :class:`History`."""
        order = self._order()
        first = self.n - len(order)
        formed = self.formed[order] if self.point_formed is None else self.point_formed[order]
        return History(
            dates=self.dates[first:self.n],
            **{k: frozen(self.arrays[k][order]) for k in FIELDS},
            formed=frozen(formed),
            panel_builder=self.panel,
        )

    def panel(self, days: int | None = None) -> pd.DataFrame:
        """Demand panel of accepted units over the last ``days`` recorded days (see module)."""
        key = (self.n, days)
        if key in self._panel_cache:
            return self._panel_cache[key]
        order = self._order()
        if days is not None:
            order = order[-days:]
        first = self.n - len(order)
        n_p, n_i = self.shape
        n_d = len(order)
        offered = self.arrays["offered"][order]
        # A series starts on its first offered day and keeps every day after it (regular).
        started = np.maximum.accumulate(offered, axis=0)
        d_idx, p_idx, i_idx = np.nonzero(started)
        dates = self.dates[first:self.n]
        day_dates = dates[d_idx]
        cal = self.calendar.loc[dates]
        frame = pd.DataFrame({
            "location_id": p_idx.astype(np.int64),
            "product_id": i_idx.astype(np.int64),
            "date": day_dates.to_numpy(),
            "units": self.arrays["accepted"][order][d_idx, p_idx, i_idx].astype(np.float64),
            "price": self.arrays["price"][order][d_idx, p_idx, i_idx].astype(np.float64),
            "discount": self.discount[first + d_idx, i_idx].astype(np.float64),
            "is_holiday": cal["is_holiday"].to_numpy()[d_idx].astype(np.int8),
            "temperature_c": cal["temperature_c"].to_numpy()[d_idx],
            "rain_mm": cal["rain_mm"].to_numpy()[d_idx],
            "category": self.category[i_idx],
            "sold_out": self.arrays["sold_out"][order][d_idx, p_idx, i_idx],
        })
        frame["promo"] = (frame["discount"] > 0).astype(np.int8)
        frame = frame.sort_values(["location_id", "product_id", "date"], ignore_index=True)
        del n_d, n_p, n_i
        self._panel_cache = {key: frame}
        return frame
