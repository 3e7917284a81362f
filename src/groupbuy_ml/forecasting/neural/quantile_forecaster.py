"""The library's DP-ready neural forecaster: MQ-RNN quantiles for every (location, product).

:class:`QuantileRNNForecaster` wraps :class:`~.quantile_rnn.QuantileRNN` (Wen et al. 2017,
"A Multi-Horizon Quantile Recurrent Forecaster") behind the interface of the other forecasters
(:class:`~groupbuy_ml.forecasting.gbm.LightGBMForecaster`): ``fit(train)``,
``predict(history, future)`` and ``history_``. It is plain torch with an Opacus ``DPLSTM``
encoder, so the same network trains centrally here, federated
(:mod:`groupbuy_ml.federated.forecast_task`) and with DP-SGD; :meth:`from_state_dict` wraps the
weights of a federated run into a forecaster.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.neural.quantile_rnn import QuantileRNN
from groupbuy_ml.forecasting.neural.quantile_training import (
    evaluate_loss,
    origin_loader,
    predict_windows,
    train_steps,
)
from groupbuy_ml.forecasting.neural.windows import (
    PanelWindows,
    check_covariates,
    known_covariates,
)
from groupbuy_ml.forecasting.periods import check_regular, infer_frequency
from groupbuy_ml.forecasting.series import (
    PREDICTION,
    SERIES_KEYS,
    TARGET,
    TIME,
    describe_series,
    require_columns,
    sort_panel,
)

__all__ = ["QuantileRNNForecaster"]


class QuantileRNNForecaster:
    """MQ-RNN global forecaster (one network for all series), P10/P50/P90 by default.

    **Fit.** Windows of ``encoder_length`` periods + ``horizon`` periods are cut every
    ``origin_stride`` periods of each series (latest first). With ``validation_days > 0`` the
    windows whose targets reach into the last ``validation_days`` dates are held out, one
    window per series ending on the last date is the validation set, and the weights of the
    epoch with the lowest validation pinball loss are kept (early stopping after ``patience``
    epochs without improvement). ``history_`` holds ``{"epoch", "train_loss", "val_loss"}``.

    **Predict.** From the last ``encoder_length`` history periods of each series (shorter
    histories repeat their first period); ``prediction`` is the median. Quantiles are sorted
    per row, clipped at 0 and set to 0 where ``is_open == 0``.

    Args:
        horizon: periods forecast at once.
        encoder_length: history periods the encoder reads.
        hidden_size, num_layers, context_size, decoder_hidden, dropout: the network.
        quantiles: quantile levels; must contain 0.5 (the point forecast).
        learning_rate, batch_size, max_epochs: Adam training.
        batches_per_epoch: cap on optimiser steps per epoch (None: full passes).
        origin_stride: periods between consecutive window origins of a series.
        validation_days, patience: early stopping (see above); 0 trains ``max_epochs``.
        min_encoder_length: fewest real history periods of a training window (None: all
            ``encoder_length``); shorter encoders repeat the series' first period, as at
            prediction, so young series (a pickup point opened recently) still train.
        covariates: known covariates to use (None: every supported one in the training panel).
        seed, num_threads: torch seed and intra-op threads during fit and predict.
    """

    #: validation windows are held out of training (no refit), see the class docstring
    fits_before_validation = True

    def __init__(self, horizon: int = 14, encoder_length: int = 28, hidden_size: int = 32,
                 num_layers: int = 1, context_size: int = 8, decoder_hidden: int = 32,
                 dropout: float = 0.0, quantiles: Sequence[float] = (0.1, 0.5, 0.9),
                 learning_rate: float = 3e-3, batch_size: int = 128, max_epochs: int = 10,
                 batches_per_epoch: int | None = None, origin_stride: int = 1,
                 validation_days: int = 14, patience: int = 3,
                 min_encoder_length: int | None = None,
                 covariates: Sequence[str] | None = None, seed: int = 0,
                 num_threads: int = 1) -> None:
        quantiles = sorted(float(q) for q in quantiles)
        if 0.5 not in quantiles or any(not 0.0 < q < 1.0 for q in quantiles):
            raise ConfigError(f"quantiles must lie in (0, 1) and contain 0.5, got {quantiles}")
        if horizon < 1 or encoder_length < 1 or max_epochs < 1 or batch_size < 1:
            raise ConfigError("horizon, encoder_length, max_epochs, batch_size must be >= 1")
        if validation_days < 0 or origin_stride < 1:
            raise ConfigError("validation_days must be >= 0 and origin_stride >= 1")
        self.horizon, self.encoder_length = int(horizon), int(encoder_length)
        self.hidden_size, self.num_layers = int(hidden_size), int(num_layers)
        self.context_size, self.decoder_hidden = int(context_size), int(decoder_hidden)
        self.dropout, self.quantiles = float(dropout), quantiles
        self.learning_rate, self.batch_size = float(learning_rate), int(batch_size)
        self.max_epochs = int(max_epochs)
        self.batches_per_epoch = None if batches_per_epoch is None else int(batches_per_epoch)
        self.origin_stride, self.validation_days = int(origin_stride), int(validation_days)
        self.patience = int(patience)
        self.min_encoder_length = None if min_encoder_length is None else int(min_encoder_length)
        self.covariates = None if covariates is None else tuple(covariates)
        self.seed, self.num_threads = int(seed), int(num_threads)

    def get_params(self) -> dict[str, object]:
        """Constructor arguments (for experiment tracking)."""
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        return {n: getattr(self, n) for n in names}

    def build_network(self, covariates: Sequence[str]) -> QuantileRNN:
        """A freshly initialised network for these covariates (seeded by ``seed``)."""
        torch.manual_seed(self.seed)
        enc, dec = PanelWindows.feature_sizes(len(covariates))
        return QuantileRNN(enc, dec, self.horizon, self.quantiles, self.hidden_size,
                           self.num_layers, self.context_size, self.decoder_hidden, self.dropout)

    @classmethod
    def from_state_dict(cls, state_dict: Mapping[str, torch.Tensor], covariates: Sequence[str],
                        **params: object) -> QuantileRNNForecaster:
        """A fitted forecaster from trained weights (e.g. a federated global model).

        ``params`` are the constructor arguments the weights were trained with.
        """
        model = cls(covariates=covariates, **params)  # type: ignore[arg-type]
        model.covariates_ = tuple(covariates)
        model.net_ = model.build_network(model.covariates_)
        model.net_.load_state_dict(dict(state_dict))
        model.frequency_ = None
        model.history_ = []
        return model

    def fit(self, train: pd.DataFrame) -> QuantileRNNForecaster:
        """Fit on a demand panel (one row per period per series; see the class docstring)."""
        require_columns(train, [*SERIES_KEYS, TIME, TARGET], "train")
        panel = sort_panel(train)
        self.frequency_ = infer_frequency(panel[TIME])
        check_regular(panel, self.frequency_, "train")
        self.covariates_ = self.covariates or known_covariates(panel)
        windows = PanelWindows(panel, self.covariates_, self.encoder_length, self.horizon)
        origins = windows.training_origins(self.validation_days, self.origin_stride,
                                           self.min_encoder_length)
        if len(origins) == 0:
            raise InvalidDataError(
                f"no training window: every series is shorter than encoder_length "
                f"{self.encoder_length} (min_encoder_length {self.min_encoder_length}) + "
                f"horizon {self.horizon} + validation_days {self.validation_days}; lower them"
            )
        val = windows.last_origins() if self.validation_days else np.zeros(0, np.int64)
        threads = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            self.net_ = self.build_network(self.covariates_)
            optimizer = torch.optim.Adam(self.net_.parameters(), lr=self.learning_rate)
            loader = origin_loader(origins, self.batch_size, self.seed)
            self.history_: list[dict[str, float]] = []
            best, best_state, waited = np.inf, None, 0
            for epoch in range(1, self.max_epochs + 1):
                loss, _ = train_steps(self.net_, windows, loader, optimizer,
                                      max_steps=self.batches_per_epoch)
                row = {"epoch": epoch, "train_loss": loss}
                if len(val):
                    row["val_loss"] = evaluate_loss(self.net_, windows, val)
                    if row["val_loss"] < best:
                        best, best_state, waited = row["val_loss"], None, 0
                        best_state = copy.deepcopy(self.net_.state_dict())
                    else:
                        waited += 1
                self.history_.append(row)
                if len(val) and waited >= self.patience:
                    break
            if best_state is not None:
                self.net_.load_state_dict(best_state)
        finally:
            torch.set_num_threads(threads)
        return self

    def predict(self, history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        """Forecast the rows of ``future`` (``location_id, product_id, date`` + the covariates
        seen at fit, at most ``horizon`` periods right after each series' history) from
        ``history``; returns ``location_id, product_id, date, prediction, q0.1, ...``."""
        if not hasattr(self, "net_"):
            raise RuntimeError("QuantileRNNForecaster is not fitted: call fit(train) first")
        frame = self._stack(history, future)
        windows = PanelWindows(frame, self.covariates_, self.encoder_length, self.horizon)
        is_future = frame["_future"].to_numpy()
        first = windows.series_first
        n_past = np.add.reduceat(~is_future, first) if len(first) else first
        n_ahead = np.add.reduceat(is_future, first) if len(first) else first
        series = np.repeat(np.arange(len(first)), np.diff(np.r_[first, len(frame)]))
        back = np.zeros(len(first), dtype=bool)
        np.logical_or.at(back, series[1:], (series[1:] == series[:-1]) & is_future[:-1]
                         & ~is_future[1:])
        if (n_ahead > self.horizon).any() or (n_past == 0).any() or back.any():
            bad_rows = first[(n_ahead > self.horizon) | (n_past == 0) | back]
            bad = frame.loc[bad_rows, SERIES_KEYS].itertuples(index=False)
            raise InvalidDataError(f"future must cover 1..horizon={self.horizon} periods right "
                                   "after the history of each series; not so for "
                                   f"{describe_series(bad)}")
        threads = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            quantiles, _ = predict_windows(self.net_, windows, first + n_past - 1)
        finally:
            torch.set_num_threads(threads)
        steps = np.arange(len(frame)) - np.repeat(first + n_past, n_past + n_ahead)
        rows = np.flatnonzero(is_future)
        series = series[rows]
        q = np.sort(np.clip(quantiles[series, steps[rows]], 0.0, None), axis=1)
        if "is_open" in frame:
            q[(frame["is_open"].to_numpy()[rows] == 0)] = 0.0
        out = frame.loc[rows, [*SERIES_KEYS, TIME]].reset_index(drop=True)
        out[PREDICTION] = q[:, self.quantiles.index(0.5)]
        for j, level in enumerate(self.quantiles):
            out[f"q{level:g}"] = q[:, j]
        return out

    def _stack(self, history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        require_columns(history, [*SERIES_KEYS, TIME, TARGET], "history")
        require_columns(future, [*SERIES_KEYS, TIME], "future")
        check_covariates(history, self.covariates_, "history")
        check_covariates(future, self.covariates_, "future")
        if future.empty:
            raise InvalidDataError("future is empty: nothing to forecast")
        cols = [*SERIES_KEYS, TIME, *self.covariates_]
        past = sort_panel(history[[*cols, TARGET]])
        recent = past.groupby(SERIES_KEYS, sort=False).cumcount(ascending=False).to_numpy()
        wanted = future[SERIES_KEYS].drop_duplicates()
        past = past.loc[recent < self.encoder_length].merge(wanted, on=SERIES_KEYS)
        ahead = future[cols].assign(**{TARGET: np.nan, "_future": True})
        if "is_open" in future and "is_open" not in cols:  # closed days sell nothing
            ahead["is_open"] = future["is_open"].to_numpy()
            past = past.assign(is_open=1)
        frame = sort_panel(pd.concat([past.assign(_future=False), ahead], ignore_index=True))
        frequency = self.frequency_ or infer_frequency(frame[TIME])
        check_regular(frame, frequency, "history + future")
        return frame
