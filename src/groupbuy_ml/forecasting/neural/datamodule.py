"""The data module of the neural forecasters: demand panel <-> pytorch-forecasting datasets.

It owns everything fitted on the training data that a forecast needs again: the time index
origin and frequency, the categorical encoders (``NaNLabelEncoder(add_nan=True)``, so unseen
pickup points, products or categories map to a reserved "unknown" level instead of failing) and
the per-series target normaliser (``GroupNormalizer``; unseen series get the average scale). They
live in ``parameters_`` (``TimeSeriesDataSet.get_parameters()``), which the forecaster pickles
with its weights; a forecast then calls ``TimeSeriesDataSet.from_parameters(..., predict=True)``
once on the encoder window + future rows of the asked series only: no encoder or normaliser is
fitted again and the training data is not needed (the stateless serving path).

Covariates follow Lim et al. 2021 (TFT, IJF 37(4)): static (ids, category, any constant
attributes), known future (price, discount, promo, holidays, opening, weather, calendar) and
observed (the target plus optional observed-only columns). A missing known covariate (the panel
allows a NaN price) is filled from the same series (previous, else next value), else with its
training median; NaN in static or observed covariates is an error naming the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.forecasting.features import KNOWN_COVARIATES
from groupbuy_ml.forecasting.periods import check_regular, infer_frequency, periods_between
from groupbuy_ml.forecasting.series import SERIES_KEYS, TARGET, TIME, require_columns, sort_panel

__all__ = ["PanelDataModule"]

TIME_IDX = "time_idx"
CALENDAR_CATS = ("day_of_week", "month")


@dataclass
class PanelDataModule:
    """Builds training / validation / prediction datasets of one demand panel.

    Args:
        horizon: decoder length (periods forecast at once).
        encoder_length: periods of history the network reads.
        validation_days: final training periods whose forecast is the validation loss (carved
            from train, never the test window).
        batch_size: samples per batch.
        static_reals: constant per-series numeric attributes (e.g. store size) to use.
        static_categoricals: constant per-series labels besides ids and ``category`` (e.g. the
            store type).
        known_reals: known-future numeric covariates besides the panel's standard ones
            (price, discount, promo, is_holiday, is_open, temperature_c, rain_mm).
        observed_reals: covariates known only up to the origin (besides the target).
        transformation: of the per-series normalised target (``"relu"``: identity on the way
            in, non-negative forecasts on the way out; None for DeepAR's Gaussian).
    """

    horizon: int
    encoder_length: int = 28
    validation_days: int | None = None
    batch_size: int = 64
    static_reals: Sequence[str] = ()
    observed_reals: Sequence[str] = ()
    static_categoricals: Sequence[str] = ()
    known_reals: Sequence[str] = ()
    transformation: str | None = "relu"
    parameters_: dict[str, Any] = field(default_factory=dict, repr=False)

    def time_index(self, dates: pd.Series) -> np.ndarray:
        """Periods since the first training date (pytorch-forecasting's ``time_idx``)."""
        return periods_between(np.full(len(dates), self.origin_, dtype="datetime64[ns]"),
                               dates.to_numpy(), self.frequency_)

    def _frame(self, panel: pd.DataFrame) -> pd.DataFrame:
        """The panel in pytorch-forecasting's shape: string ids, integer time index, calendar."""
        frame = panel.copy()
        for c in [*SERIES_KEYS, "category", *self.static_categoricals]:
            if c in frame:
                frame[c] = frame[c].astype(str)
        for c in SERIES_KEYS:  # id embeddings, apart from pytorch-forecasting's group index
            frame[f"{c}_static"] = frame[c]
        frame[TIME_IDX] = self.time_index(frame[TIME])
        frame["day_of_week"] = frame[TIME].dt.dayofweek.astype(str)
        frame["month"] = frame[TIME].dt.month.astype(str)
        frame[TARGET] = frame[TARGET].astype(np.float32)
        for c in [*self.known_reals_, *self.static_reals, *self.observed_reals]:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(np.float32)
        for c in self.known_reals_:  # e.g. no price on a day without sales (Stallion)
            if frame[c].isna().any():
                by_series = frame.groupby(SERIES_KEYS, sort=False)[c]
                frame[c] = by_series.ffill().fillna(by_series.bfill()).fillna(
                    self.fill_values_[c])
        return frame

    def setup(self, train: pd.DataFrame) -> tuple[Any, Any]:
        """Fit encoders and normaliser on ``train``; return (training, validation) datasets."""
        from pytorch_forecasting import TimeSeriesDataSet
        from pytorch_forecasting.data import GroupNormalizer, NaNLabelEncoder

        require_columns(train, [*SERIES_KEYS, TIME, TARGET], "train")
        panel = sort_panel(train)
        if panel[TARGET].isna().any() or (panel[TARGET] < 0).any():
            raise InvalidDataError("train: units must be non-negative and not NaN")
        self.frequency_ = infer_frequency(panel[TIME])
        check_regular(panel, self.frequency_, "train")
        self.origin_ = pd.Timestamp(panel[TIME].min())
        self.known_reals_ = [c for c in KNOWN_COVARIATES if c in panel.columns]
        self.known_reals_ += [c for c in self.known_reals if c not in self.known_reals_]
        require_columns(panel, [*self.static_reals, *self.observed_reals,
                                *self.static_categoricals, *self.known_reals], "train")
        nan_static = [c for c in [*self.static_reals, *self.observed_reals]
                      if panel[c].isna().any()]
        if nan_static:
            raise InvalidDataError(f"train: covariate(s) {nan_static} hold NaN; fill them first")
        self.fill_values_ = {c: float(pd.to_numeric(panel[c], errors="coerce").median())
                             for c in self.known_reals_}
        frame = self._frame(panel)
        # The ids enter as separate static columns with an "unknown" level; the group ids keep
        # pytorch-forecasting's own encoders, which its GroupNormalizer is keyed on (an
        # add_nan encoder on a group id shifts the codes and misaligns the target scales).
        statics = [c for c in [*(f"{k}_static" for k in SERIES_KEYS), "category",
                               *self.static_categoricals] if c in frame]
        val = self.validation_days or self.horizon
        cutoff = int(frame[TIME_IDX].max()) - val
        daily = self.frequency_.freqstr in ("D", "B")
        # a month never seen in training would be an untrained "unknown" level: use the month
        # only when the training part covers all twelve
        all_months = frame.loc[frame[TIME_IDX] <= cutoff, TIME].dt.month.nunique() == 12
        known_cats = [c for c in CALENDAR_CATS if (c != "day_of_week" or daily)
                      and (c != "month" or all_months)]
        longest = int(frame.groupby(SERIES_KEYS, sort=False).size().max())
        if longest <= val + self.horizon:  # shorter series only add what samples they can
            raise InvalidDataError(f"the longest training series has {longest} periods; the neural "
                                   f"models need more than validation {val} + horizon "
                                   f"{self.horizon}")
        encoders = {c: NaNLabelEncoder(add_nan=True) for c in [*statics, *known_cats]}
        training = TimeSeriesDataSet(
            frame[frame[TIME_IDX] <= cutoff], time_idx=TIME_IDX, target=TARGET,
            group_ids=list(SERIES_KEYS), max_encoder_length=self.encoder_length,
            min_encoder_length=1, max_prediction_length=self.horizon,
            min_prediction_length=self.horizon, static_categoricals=statics,
            static_reals=list(self.static_reals), time_varying_known_categoricals=known_cats,
            time_varying_known_reals=[TIME_IDX, *self.known_reals_],
            time_varying_unknown_reals=[TARGET, *self.observed_reals],
            target_normalizer=GroupNormalizer(groups=list(SERIES_KEYS),
                                              transformation=self.transformation),
            categorical_encoders=encoders, add_relative_time_idx=True,
            add_target_scales=True, add_encoder_length=True, allow_missing_timesteps=False,
        )
        validation = TimeSeriesDataSet.from_dataset(training, frame, predict=True,
                                                    stop_randomization=True)
        self.parameters_ = training.get_parameters()
        return training, validation

    def prediction_dataset(self, history: pd.DataFrame, future: pd.DataFrame) -> Any:
        """One dataset for every series of ``future`` that has history: its last
        ``encoder_length`` history periods then its future rows (target set to 0 there, as the
        decoder never reads it). Built from the fitted ``parameters_``: nothing is refitted."""
        from pytorch_forecasting import TimeSeriesDataSet

        if not self.parameters_:
            raise RuntimeError("the data module is not set up: fit the forecaster first")
        require_columns(future, [*SERIES_KEYS, TIME, *self.known_reals_], "future")
        require_columns(history, [*SERIES_KEYS, TIME, TARGET, *self.observed_reals], "history")
        fut = future.drop(columns=[TARGET], errors="ignore").copy()
        fill = [c for c in ("category", *self.static_categoricals, *self.static_reals,
                            *self.observed_reals)
                if c in history.columns and c not in fut.columns]
        if fill:
            last = history.groupby(SERIES_KEYS)[fill].last().reset_index()
            fut = fut.merge(last, on=SERIES_KEYS, how="left")
        fut[TARGET] = 0.0
        for c in self.observed_reals:  # unknown in the future: carry the last value
            fut[c] = fut[c].astype(np.float64)
        past = sort_panel(history)
        recent = past.groupby(SERIES_KEYS, sort=False).cumcount(ascending=False)
        past = past.loc[recent.to_numpy() < self.encoder_length]
        cols = [c for c in past.columns if c in fut.columns]
        frame = sort_panel(pd.concat([past[cols], fut[cols]], ignore_index=True))
        check_regular(frame, self.frequency_, "history + future")
        return TimeSeriesDataSet.from_parameters(self.parameters_, self._frame(frame),
                                                 predict=True, stop_randomization=True)
