"""AutoETS per series (statsforecast): the statistical peer of every benchmark.

Exponential smoothing in its state-space form with automatic selection of the error, trend and
season components by AICc (Hyndman, Koehler, Snyder & Grose 2002, "A state space framework for
automatic forecasting using exponential smoothing methods", IJF 18(3); Hyndman et al. 2008,
"Forecasting with Exponential Smoothing"), as implemented by Nixtla's ``statsforecast``.
Quantiles come from the model's Gaussian prediction intervals: the ``q`` and ``1 - q`` quantiles
are the bounds of the ``100 (1 - 2q)`` % interval and ``q0.5`` is the point forecast.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.periods import check_regular, infer_frequency, periods_between
from groupbuy_ml.forecasting.series import (
    PREDICTION,
    SERIES_KEYS,
    TARGET,
    TIME,
    describe_series,
    require_columns,
    series_codes,
    sort_panel,
)

__all__ = ["AutoETSForecaster"]
log = logging.getLogger(__name__)


class AutoETSForecaster:
    """One AutoETS model per (location, product) series, with quantiles.

    ``fit(train)`` only checks and stores the panel (ETS is fitted per series at forecast time,
    as statsforecast does); ``predict(history, future)`` fits every series of ``history`` that
    ``future`` asks for and forecasts up to the last future date. Like
    :class:`~groupbuy_ml.forecasting.SeasonalNaive`, a series without history raises
    ``ValueError`` naming it (cold start needs a global model). Days with ``is_open == 0`` in the
    future are forecast 0; forecasts are clipped at 0.

    Args:
        season_length: seasonal period (7 daily, 12 monthly); 1 = no season.
        model: ETS specification string (``"ZZZ"`` = select all three components).
        damped: force (True) or forbid (False) a damped trend; None lets AICc decide.
        quantiles: quantile levels returned as ``q0.1``... (0.5 is the point forecast).
        n_jobs: statsforecast processes (1 on a shared 2-core machine).
    """

    def __init__(
        self,
        season_length: int = 7,
        model: str = "ZZZ",
        damped: bool | None = None,
        quantiles: Sequence[float] | None = (0.1, 0.5, 0.9),
        n_jobs: int = 1,
    ) -> None:
        if season_length < 1:
            raise ConfigError(f"season_length must be >= 1, got {season_length}")
        qs = sorted(float(q) for q in (quantiles or []))
        if any(not 0.0 < q < 1.0 for q in qs):
            raise ConfigError(f"quantiles must lie in (0, 1), got {qs}")
        self.season_length = int(season_length)
        self.model = model
        self.damped = damped
        self.quantiles = qs
        self.n_jobs = int(n_jobs)

    def get_params(self) -> dict[str, object]:
        """Constructor arguments (for experiment tracking)."""
        return {"season_length": self.season_length, "model": self.model,
                "damped": self.damped, "quantiles": self.quantiles, "n_jobs": self.n_jobs}

    def fit(self, train: pd.DataFrame) -> AutoETSForecaster:
        """Check and keep the training panel (one row per period per series)."""
        require_columns(train, [*SERIES_KEYS, TIME, TARGET], "train")
        if train.empty:
            raise InvalidDataError("train is empty")
        panel = sort_panel(train[[*SERIES_KEYS, TIME, TARGET]])
        if panel[TARGET].isna().any():
            raise InvalidDataError("train: units holds NaN; fill or drop those rows first")
        self.frequency_ = infer_frequency(panel[TIME])
        check_regular(panel, self.frequency_, "train")
        self.train_ = panel
        return self

    def predict(
        self, history: pd.DataFrame | int, future: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Forecast the rows of ``future`` (``location_id, product_id, date``) from ``history``;
        ``predict(horizon)`` forecasts ``horizon`` periods of every training series.

        Returns:
            ``location_id, product_id, date, prediction`` and ``q0.1``... in ``future``'s order.
        """
        if not hasattr(self, "train_"):
            raise RuntimeError("AutoETSForecaster is not fitted: call fit(train) first")
        if future is None:
            if isinstance(history, pd.DataFrame):
                return self.predict(self.train_, history)
            return self._predict_horizon(int(history))
        if not isinstance(history, pd.DataFrame):
            raise TypeError("predict(history, future) needs the history panel first")
        fitted = self if history is self.train_ else copy.copy(self).fit(history)
        return fitted._predict_rows(future)

    def _predict_horizon(self, horizon: int) -> pd.DataFrame:
        if horizon < 1:
            raise ConfigError(f"horizon must be >= 1, got {horizon}")
        last = self.train_.groupby(SERIES_KEYS, sort=False)[TIME].max().reset_index()
        steps = pd.DataFrame({"_k": np.arange(1, horizon + 1)})
        rows = last.merge(steps, how="cross")
        rows[TIME] = [d + k * self.frequency_ for d, k in zip(rows[TIME], rows["_k"], strict=True)]
        return self._predict_rows(rows.drop(columns="_k"))

    def _predict_rows(self, future: pd.DataFrame) -> pd.DataFrame:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS

        require_columns(future, [*SERIES_KEYS, TIME], "future")
        rows = future.reset_index(drop=True)
        hist = self.train_
        keys = pd.MultiIndex.from_frame(hist[SERIES_KEYS].drop_duplicates())
        wanted = pd.MultiIndex.from_frame(rows[SERIES_KEYS])
        unknown = ~wanted.isin(keys)
        if unknown.any():
            new = rows.loc[unknown, SERIES_KEYS].drop_duplicates().itertuples(index=False)
            raise InvalidDataError(f"no history for {describe_series(new)}; fit on them first")
        hist = hist.loc[pd.MultiIndex.from_frame(hist[SERIES_KEYS]).isin(wanted)]
        hist = hist.reset_index(drop=True)
        codes = series_codes(hist)
        last = hist.groupby(codes)[TIME].max()
        uid = pd.Series(codes.astype(str))
        code_of = pd.Series(np.unique(codes), index=pd.MultiIndex.from_frame(
            hist.loc[np.r_[True, codes[1:] != codes[:-1]], SERIES_KEYS]))
        row_code = code_of.reindex(wanted).to_numpy()
        steps = periods_between(last.to_numpy()[row_code], rows[TIME].to_numpy(), self.frequency_)
        if (steps < 1).any():
            raise InvalidDataError(f"{int((steps < 1).sum())} future row(s) are dated at or before "
                                   "the end of their series' history")
        h = int(steps.max())
        levels = sorted({round(100 * (1 - 2 * min(q, 1 - q))) for q in self.quantiles
                         if abs(q - 0.5) > 1e-9})
        season = self.season_length if len(last) and _shortest(codes) > 2 * self.season_length \
            else 1
        model = AutoETS(season_length=season, model=self.model, damped=self.damped)
        frame = pd.DataFrame({"unique_id": uid, "ds": hist[TIME], "y": hist[TARGET]})
        sf = StatsForecast(models=[model], freq=self.frequency_, n_jobs=self.n_jobs)
        out = sf.forecast(df=frame, h=h, level=levels or None)
        out["unique_id"] = out["unique_id"].astype(np.int64)
        out["_k"] = out.groupby("unique_id").cumcount() + 1
        out = out.set_index(["unique_id", "_k"])
        at = pd.MultiIndex.from_arrays([row_code, steps])
        result = rows[[*SERIES_KEYS, TIME]].copy()
        closed = rows["is_open"].to_numpy() == 0 if "is_open" in rows else np.zeros(len(rows), bool)
        point = out["AutoETS"].reindex(at).to_numpy(np.float64)
        result[PREDICTION] = np.where(closed, 0.0, np.clip(point, 0, None))
        qcols = []
        for q in self.quantiles:
            if abs(q - 0.5) < 1e-9:
                values = point
            else:
                level = round(100 * (1 - 2 * min(q, 1 - q)))
                side = "lo" if q < 0.5 else "hi"
                values = out[f"AutoETS-{side}-{level}"].reindex(at).to_numpy(np.float64)
            qcols.append(np.where(closed, 0.0, np.clip(values, 0, None)))
        if qcols:
            qs = np.sort(np.column_stack(qcols), axis=1)
            for j, q in enumerate(self.quantiles):
                result[f"q{q:g}"] = qs[:, j]
        return result


def _shortest(codes: np.ndarray) -> int:
    return int(np.bincount(codes).min()) if len(codes) else 0
