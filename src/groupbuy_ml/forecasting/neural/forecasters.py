"""Neural forecasters on pytorch-forecasting: the Temporal Fusion Transformer and an LSTM.

The split of the architecture sketch: the *network* is pytorch-forecasting's LightningModule
(``TemporalFusionTransformer``, Lim, Arik, Loeff & Pfister 2021, "Temporal Fusion Transformers
for interpretable multi-horizon time series forecasting", IJF 37(4); ``DeepAR`` with an LSTM cell,
Salinas, Flunkert, Gasthaus & Januschowski 2020, "DeepAR: Probabilistic forecasting with
autoregressive recurrent networks", IJF 36(3)), the *training wrapper* is
:mod:`groupbuy_ml.forecasting.neural.training` and the *data module* is
:class:`~groupbuy_ml.forecasting.neural.datamodule.PanelDataModule`.

Both share the library's interface: ``fit(train)``, ``predict(history, future)`` returning
``prediction`` (= the median) and ``q0.1, q0.5, q0.9``, ``history_`` per epoch, picklable
(checkpoint bytes + dataset parameters), seeded and deterministic on CPU. Series of ``future``
with no history are forecast by :func:`~groupbuy_ml.forecasting.coldstart.similar_series_forecast`
and flagged ``cold_start = True``.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.coldstart import COLD_START, similar_series_forecast
from groupbuy_ml.forecasting.neural.datamodule import PanelDataModule
from groupbuy_ml.forecasting.neural.training import (
    fit_network,
    load_network,
    predict_network,
    quiet_lightning,
)
from groupbuy_ml.forecasting.series import PREDICTION, SERIES_KEYS, TIME, require_columns

__all__ = ["LSTMForecaster", "NeuralForecaster", "TFTForecaster"]


class NeuralForecaster:
    """Shared fit / predict / pickling of the pytorch-forecasting models (see module docstring).

    Args:
        horizon: periods forecast at once (decoder length).
        encoder_length: periods of history read.
        hidden_size: width of the network.
        learning_rate, dropout, gradient_clip_val: optimisation.
        max_epochs, patience: epochs and early-stopping patience on the validation loss.
        limit_train_batches: batches per epoch (int) or share of them (float): the training
            budget on a CPU.
        batch_size: samples per batch.
        validation_days: final training periods used for validation (default: horizon).
        quantiles: must contain 0.5 (the point forecast).
        seed, num_threads: reproducibility and torch threads.
        season_length: season of the cold-start fallback profile.
        static_reals, observed_reals, static_categoricals, known_reals: extra covariates
            (see :class:`~groupbuy_ml.forecasting.neural.datamodule.PanelDataModule`).
    """

    target_transformation: str | None = "relu"
    #: trained on windows before the last ``validation_days`` only (no refit): predicting the
    #: validation window from the dates before it is a genuine out-of-sample forecast
    fits_before_validation = True

    def __init__(
        self,
        horizon: int = 14,
        encoder_length: int = 28,
        hidden_size: int = 16,
        learning_rate: float = 0.01,
        dropout: float = 0.1,
        max_epochs: int = 10,
        patience: int = 3,
        limit_train_batches: int | float = 50,
        batch_size: int = 64,
        validation_days: int | None = None,
        quantiles: Sequence[float] = (0.1, 0.5, 0.9),
        seed: int = 0,
        num_threads: int = 1,
        gradient_clip_val: float = 0.1,
        season_length: int = 7,
        static_reals: Sequence[str] = (),
        observed_reals: Sequence[str] = (),
        static_categoricals: Sequence[str] = (),
        known_reals: Sequence[str] = (),
    ) -> None:
        qs = sorted(float(q) for q in quantiles)
        if 0.5 not in qs or any(not 0.0 < q < 1.0 for q in qs):
            raise ConfigError(f"quantiles must lie in (0, 1) and include 0.5, got {qs}")
        if horizon < 1 or encoder_length < 1 or max_epochs < 1:
            raise ConfigError("horizon, encoder_length and max_epochs must be >= 1")
        self.horizon, self.encoder_length = int(horizon), int(encoder_length)
        self.hidden_size, self.learning_rate, self.dropout = hidden_size, learning_rate, dropout
        self.max_epochs, self.patience = int(max_epochs), int(patience)
        self.limit_train_batches, self.batch_size = limit_train_batches, int(batch_size)
        self.validation_days, self.quantiles = validation_days, qs
        self.seed, self.num_threads = int(seed), int(num_threads)
        self.gradient_clip_val, self.season_length = gradient_clip_val, int(season_length)
        self.static_reals, self.observed_reals = list(static_reals), list(observed_reals)
        self.static_categoricals, self.known_reals = list(static_categoricals), list(known_reals)

    def get_params(self) -> dict[str, object]:
        """Constructor arguments (for experiment tracking)."""
        names = list(inspect.signature(NeuralForecaster.__init__).parameters)[1:]
        return {n: getattr(self, n) for n in names}

    def _network(self, training: Any) -> Any:  # the network of a subclass
        raise NotImplementedError

    @staticmethod
    def _network_class() -> type:
        raise NotImplementedError

    def _quantiles(self, network: Any, x: dict[str, Any]) -> Any:
        """``(batch, horizon, n_quantiles)`` forecasts of one batch in target units."""
        return network(x)["prediction"]

    def fit(self, train: pd.DataFrame) -> NeuralForecaster:
        """Fit encoders and normaliser, then train with early stopping on the validation window
        carved from the end of ``train``."""
        quiet_lightning()
        self.data_ = PanelDataModule(
            self.horizon, self.encoder_length, self.validation_days, self.batch_size,
            self.static_reals, self.observed_reals, self.static_categoricals, self.known_reals,
            self.target_transformation)
        training, validation = self.data_.setup(train)
        import lightning.pytorch as pl

        pl.seed_everything(self.seed, verbose=False)
        network = self._network(training)
        self.network_, self.checkpoint_, self.history_ = fit_network(
            network, training, validation, max_epochs=self.max_epochs,
            batch_size=self.batch_size, limit_train_batches=self.limit_train_batches,
            patience=self.patience, seed=self.seed, num_threads=self.num_threads,
            gradient_clip_val=self.gradient_clip_val)
        recent = train.groupby(SERIES_KEYS, sort=False).cumcount(ascending=False)
        self.recent_history_ = train.loc[recent.to_numpy() < self.encoder_length].reset_index(
            drop=True)  # the encoder window of every series: predict(future) for serving
        return self

    def predict(
        self, history: pd.DataFrame, future: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Forecast the rows of ``future`` from ``history`` (see the module docstring);
        ``predict(future)`` reads the encoder window kept from the training panel
        (``recent_history_``), the call a served model receives.

        Returns:
            ``location_id, product_id, date, prediction, q0.1, q0.5, q0.9, cold_start`` in
            ``future``'s row order; clipped at 0 and 0 on closed days (``is_open == 0``).
        """
        if not hasattr(self, "network_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(train) first")
        if future is None:
            history, future = self.recent_history_, history
        require_columns(future, [*SERIES_KEYS, TIME], "future")
        if future.empty:
            raise InvalidDataError("future is empty: nothing to forecast")
        rows = future.reset_index(drop=True)
        known = pd.MultiIndex.from_frame(history[SERIES_KEYS].drop_duplicates())
        warm = pd.MultiIndex.from_frame(rows[SERIES_KEYS]).isin(known)
        parts = []
        if warm.any():
            parts.append(self._predict_warm(history, rows.loc[warm]))
        if (~warm).any():
            parts.append(similar_series_forecast(
                history, rows.loc[~warm], self.data_.frequency_, self.season_length,
                self.quantiles))
        out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        out[COLD_START] = out[COLD_START].astype(bool)
        order = rows[[*SERIES_KEYS, TIME]].merge(out, on=[*SERIES_KEYS, TIME], how="left")
        return order

    def _predict_warm(self, history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        span = future.groupby(SERIES_KEYS, sort=False).size()
        if int(span.max()) > self.horizon:
            raise InvalidDataError(f"future covers more than horizon={self.horizon} periods for "
                                   f"{int((span > self.horizon).sum())} series")
        dataset = self.data_.prediction_dataset(history, future)
        import torch

        torch.manual_seed(self.seed)
        index, values = predict_network(self.network_, dataset, self.batch_size * 4,
                                        self._quantiles)
        steps = values.shape[1]
        keys = index.loc[index.index.repeat(steps), SERIES_KEYS].reset_index(drop=True)
        time_idx = (index["time_idx"].to_numpy()[:, None] + np.arange(steps)[None, :]).ravel()
        table = keys.assign(time_idx=time_idx)
        flat = values.reshape(-1, values.shape[2])
        rows = future[[*SERIES_KEYS, TIME]].copy()
        rows["time_idx"] = self.data_.time_index(future[TIME])
        for c in SERIES_KEYS:
            table[c] = table[c].astype(str)
        lookup = rows.assign(**{c: rows[c].astype(str) for c in SERIES_KEYS})
        pos = pd.MultiIndex.from_frame(table[[*SERIES_KEYS, "time_idx"]]).get_indexer(
            pd.MultiIndex.from_frame(lookup[[*SERIES_KEYS, "time_idx"]]))
        if (pos < 0).any():
            raise InvalidDataError(f"{int((pos < 0).sum())} future rows could not be forecast: "
                                   "each series needs consecutive future periods right after "
                                   "its history")
        qs = np.sort(np.clip(flat[pos], 0, None), axis=1)
        if "is_open" in future.columns:
            qs[future["is_open"].to_numpy() == 0] = 0.0
        out = rows.drop(columns="time_idx")
        out[PREDICTION] = qs[:, self.quantiles.index(0.5)]
        for j, q in enumerate(self.quantiles):
            out[f"q{q:g}"] = qs[:, j]
        out[COLD_START] = False
        return out.reset_index(drop=True)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("network_", None)  # rebuilt from the checkpoint bytes
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "checkpoint_" in state:
            quiet_lightning()
            self.network_ = load_network(self._network_class(), state["checkpoint_"])


class TFTForecaster(NeuralForecaster):
    """Temporal Fusion Transformer (Lim et al. 2021) with quantile outputs.

    Extra args: ``attention_head_size`` and ``hidden_continuous_size``.
    """

    def __init__(self, *args: Any, attention_head_size: int = 2,
                 hidden_continuous_size: int = 8, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attention_head_size = attention_head_size
        self.hidden_continuous_size = hidden_continuous_size

    def get_params(self) -> dict[str, object]:
        return {**super().get_params(), "attention_head_size": self.attention_head_size,
                "hidden_continuous_size": self.hidden_continuous_size}

    @staticmethod
    def _network_class() -> type:
        from pytorch_forecasting import TemporalFusionTransformer

        return TemporalFusionTransformer

    def _network(self, training: Any) -> Any:
        from pytorch_forecasting.metrics import QuantileLoss

        return self._network_class().from_dataset(
            training, hidden_size=self.hidden_size, learning_rate=self.learning_rate,
            attention_head_size=self.attention_head_size, dropout=self.dropout,
            hidden_continuous_size=self.hidden_continuous_size,
            loss=QuantileLoss(self.quantiles), log_interval=-1, reduce_on_plateau_patience=100)


class LSTMForecaster(NeuralForecaster):
    """DeepAR (Salinas et al. 2020): an autoregressive LSTM with a Gaussian output on the
    per-series standardised target, trained by likelihood; quantiles are empirical quantiles of
    ``n_samples`` sampled paths (seeded, so forecasts are reproducible).
    Extra args: ``rnn_layers``, ``n_samples``."""

    target_transformation = None  # standard scaling: the Gaussian's support includes 0

    def __init__(self, *args: Any, rnn_layers: int = 2, n_samples: int = 200,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.observed_reals:
            raise ConfigError("LSTMForecaster (DeepAR) reads no observed covariate besides the "
                              f"target; drop observed_reals={self.observed_reals} or use TFT")
        self.rnn_layers, self.n_samples = int(rnn_layers), int(n_samples)

    def get_params(self) -> dict[str, object]:
        return {**super().get_params(), "rnn_layers": self.rnn_layers,
                "n_samples": self.n_samples}

    @staticmethod
    def _network_class() -> type:
        from pytorch_forecasting import DeepAR

        return DeepAR

    def _network(self, training: Any) -> Any:
        from pytorch_forecasting.metrics import NormalDistributionLoss

        return self._network_class().from_dataset(
            training, cell_type="LSTM", hidden_size=self.hidden_size,
            rnn_layers=self.rnn_layers, dropout=self.dropout, learning_rate=self.learning_rate,
            loss=NormalDistributionLoss(), log_interval=-1, reduce_on_plateau_patience=100)

    def _quantiles(self, network: Any, x: dict[str, Any]) -> Any:
        import torch

        samples = network(x, n_samples=self.n_samples)["prediction"]  # batch x h x samples
        levels = torch.tensor(self.quantiles, dtype=samples.dtype)
        return torch.quantile(samples, levels, dim=-1).permute(1, 2, 0)
