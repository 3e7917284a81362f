"""Honest baselines every forecasting benchmark includes: naive and seasonal naive.

The seasonal naive forecast repeats the last observed season: ``y_hat(T + k) = y(T + k - m *
ceil(k / m))`` (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., 5.2);
it is the benchmark of the M5 competition (Makridakis et al. 2022, IJF 38(4)) and the denominator
of the seasonal MASE (Hyndman & Koehler 2006). ``Naive`` is the special case ``m = 1``.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.periods import (
    check_regular,
    future_dates,
    infer_frequency,
    periods_between,
)
from groupbuy_ml.forecasting.series import (
    PREDICTION,
    SERIES_KEYS,
    TARGET,
    TIME,
    describe_series,
    group_starts,
    require_columns,
    series_codes,
    sort_panel,
)

__all__ = ["Naive", "SeasonalNaive"]


class SeasonalNaive:
    """Repeat each series' last ``season_length`` values.

    A series with fewer than ``season_length`` observations falls back to repeating its last
    value (a naive forecast). A series absent from the training panel has no history: asking
    for it raises ``ValueError`` naming it (cold-start series need a global model).

    Every series must hold one row per period (see
    :func:`groupbuy_ml.forecasting.periods.check_regular`); the period is inferred at fit.

    Args:
        season_length: the seasonal period m in panel periods (7 for weekly seasonality of
            daily data).
    """

    def __init__(self, season_length: int = 7) -> None:
        if season_length < 1:
            raise ConfigError(f"season_length must be >= 1, got {season_length}")
        self.season_length = season_length

    def fit(self, train: pd.DataFrame) -> SeasonalNaive:
        """Store the last season of every series of the demand panel ``train``."""
        require_columns(train, [*SERIES_KEYS, TIME, TARGET], "train")
        if train.empty:
            raise InvalidDataError("train is empty")
        panel = sort_panel(train[[*SERIES_KEYS, TIME, TARGET]])
        self.frequency_ = infer_frequency(panel[TIME])
        check_regular(panel, self.frequency_, "train")
        codes = series_codes(panel)
        starts = group_starts(codes)
        ends = np.flatnonzero(np.r_[codes[1:] != codes[:-1], True])
        y = panel[TARGET].to_numpy(np.float64)
        m = self.season_length
        idx = ends[:, None] - (m - 1 - np.arange(m))[None, :]
        short = idx[:, 0] < starts[ends]
        idx[short] = ends[short, None]
        self.seasons_ = y[idx]
        self.series_ = pd.MultiIndex.from_frame(panel.loc[ends, SERIES_KEYS])
        self.last_dates_ = panel[TIME].to_numpy()[ends]
        self.end_ = pd.Timestamp(panel[TIME].max())
        return self

    def predict(
        self, horizon: int | pd.DataFrame, future: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Forecast ``horizon`` periods after the training end for every fitted series, or the
        rows of a future frame (``location_id, product_id, date``; other columns ignored).

        ``predict(history, future)``, the call of
        :meth:`~groupbuy_ml.forecasting.gbm.LightGBMForecaster.predict`, forecasts ``future``
        from the last season of ``history`` instead (``fit(history).predict(future)`` on a
        copy), so baselines and global models are interchangeable in a backtest.

        Returns:
            ``location_id, product_id, date, prediction``: sorted by series and date for an
            integer horizon, in the future frame's row order otherwise.

        Raises:
            ValueError: for a series unseen at fit, or a date not after its series' history.
        """
        if future is not None:
            if not isinstance(horizon, pd.DataFrame):
                raise TypeError("predict(history, future) needs the history panel first")
            return copy.copy(self).fit(horizon).predict(future)
        if not hasattr(self, "seasons_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(train) first")
        if isinstance(horizon, pd.DataFrame):
            require_columns(horizon, [*SERIES_KEYS, TIME], "future")
            rows = horizon[[*SERIES_KEYS, TIME]].reset_index(drop=True)
        else:
            if int(horizon) < 1:
                raise ConfigError(f"horizon must be >= 1, got {horizon}")
            dates = future_dates(self.end_, int(horizon), self.frequency_)
            keys = self.series_.to_frame(index=False)
            rows = keys.loc[keys.index.repeat(len(dates))].reset_index(drop=True)
            rows[TIME] = np.tile(dates.to_numpy(), len(keys))
        pos = self.series_.get_indexer(pd.MultiIndex.from_frame(rows[SERIES_KEYS]))
        if (pos < 0).any():
            new = rows.loc[pos < 0, SERIES_KEYS].drop_duplicates().itertuples(index=False)
            raise InvalidDataError(f"no history for {describe_series(new)}; fit on them first")
        steps = periods_between(self.last_dates_[pos], rows[TIME].to_numpy(), self.frequency_)
        if (steps < 1).any():
            raise InvalidDataError(
                f"{int((steps < 1).sum())} future row(s) are dated at or before the end of "
                "their series' history"
            )
        rows[PREDICTION] = self.seasons_[pos, (steps - 1) % self.season_length]
        return rows


class Naive(SeasonalNaive):
    """Repeat each series' last value (the random-walk forecast, ``SeasonalNaive(1)``)."""

    def __init__(self) -> None:
        super().__init__(season_length=1)
