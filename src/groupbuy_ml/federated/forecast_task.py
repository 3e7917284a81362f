"""Federated demand forecasting: the library's MQ-RNN trained across stores / pickup points.

Each client holds the series of its locations (:mod:`~groupbuy_ml.federated.partitions`) and
trains :class:`~groupbuy_ml.forecasting.neural.quantile_rnn.QuantileRNN` (Wen et al. 2017) on
its own windows: FedAvg local epochs (McMahan et al. 2017, AISTATS), FedProx's proximal term
when ``proximal_mu > 0`` (Li et al. 2020, MLSys) and client-level DP-SGD through Opacus when a
:class:`~.task.PrivacySettings` is given (Abadi et al. 2016). The network's shape depends only on
the config (covariates, horizon, sizes), never on a client's data.

**Windows.** The last ``exclude_last_days`` dates of the source (a benchmark's test window) are
dropped before anything else and never seen. Of the rest, a client's evaluation window is its
last ``horizon`` dates (one window per series); its training windows end before them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET, TIME
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.partitions import assign_clients, client_panel
from groupbuy_ml.federated.privacy import make_private, steps_per_round
from groupbuy_ml.federated.task import (
    EmptyClientError,
    FederatedTask,
    LocalTraining,
    PrivacySettings,
)
from groupbuy_ml.forecasting.metrics import pinball_loss, rmsse, wape
from groupbuy_ml.forecasting.neural.quantile_forecaster import QuantileRNNForecaster
from groupbuy_ml.forecasting.neural.quantile_training import (
    origin_loader,
    predict_windows,
    train_steps,
)
from groupbuy_ml.forecasting.neural.windows import (
    CovariateMismatchError,
    PanelWindows,
    check_covariates,
)
from groupbuy_ml.forecasting.series import PREDICTION, sort_panel

__all__ = ["CovariateMismatchError", "ForecastClientData", "ForecastTask"]

_PANELS: dict[str, pd.DataFrame] = {}  # loaded sources, per process (clients share them)


@dataclass
class ForecastClientData:
    """One client's windows: training origins, one evaluation origin per series, and the
    history before the evaluation window (the RMSSE scale)."""

    client_id: int
    windows: PanelWindows
    panel: pd.DataFrame
    train_origins: np.ndarray
    eval_origins: np.ndarray
    history: pd.DataFrame

    @property
    def num_train_examples(self) -> int:
        return len(self.train_origins)

    @property
    def num_eval_examples(self) -> int:
        return len(self.eval_origins)


def _source_key(source: Any) -> str | None:
    """A key for sources described by plain values (None: not cacheable across tasks)."""
    plain = (str, int, float, bool, type(None), Path, list, tuple, dict, pd.Timestamp)
    fields = {k: v for k, v in vars(source).items() if not k.endswith("_")}  # not results
    if not all(isinstance(v, plain) for v in fields.values()):
        return None
    return json.dumps([type(source).__qualname__, {k: str(v) for k, v in sorted(fields.items())}])


class ForecastTask(FederatedTask):
    """MQ-RNN forecaster across clients (see the module docstring).

    Args:
        source: a panel source of :mod:`groupbuy_ml.data.sources` (or its Hydra config).
        covariates: known covariates every client must have (they fix the network's inputs).
        num_clients: clients of the partition; ``load_client`` must be called with it.
        scheme, group_by, skew_by, alpha, partition_seed: see
            :func:`~groupbuy_ml.federated.partitions.assign_clients`. ``group_by`` columns
            absent from the panel are read from the market's ``pickup_points.parquet``
            (e.g. ``community_id``) when the source is a simulated market.
        horizon, exclude_last_days: see the module docstring.
        encoder_length, hidden_size, num_layers, context_size, decoder_hidden, dropout,
            quantiles, origin_stride, min_encoder_length: the forecaster
            (:class:`QuantileRNNForecaster`).
        seed: initialisation seed of the global model.
        num_threads: torch intra-op threads of the process building the task (1: several
            simulated clients share a small machine; None leaves torch's setting alone).
    """

    name = "forecast"

    def __init__(self, source: Any, covariates: Sequence[str] = (), num_clients: int = 10,
                 scheme: str = "location", group_by: Sequence[str] = (),
                 skew_by: str = "quantity", alpha: float = 0.5, partition_seed: int = 0,
                 horizon: int = 14, exclude_last_days: int = 0, encoder_length: int = 28,
                 hidden_size: int = 32, num_layers: int = 1, context_size: int = 8,
                 decoder_hidden: int = 32, dropout: float = 0.0,
                 quantiles: Sequence[float] = (0.1, 0.5, 0.9), origin_stride: int = 1,
                 min_encoder_length: int | None = None, seed: int = 0,
                 num_threads: int | None = 1) -> None:
        if isinstance(source, Mapping):
            from hydra.utils import instantiate

            source = instantiate(dict(source))
        if exclude_last_days < 0:
            raise ConfigError(f"exclude_last_days must be >= 0, got {exclude_last_days}")
        self.source, self.covariates = source, tuple(covariates)
        self.num_clients, self.scheme = int(num_clients), scheme
        self.group_by, self.skew_by = tuple(group_by), skew_by
        self.alpha, self.partition_seed = float(alpha), int(partition_seed)
        self.exclude_last_days = int(exclude_last_days)
        self.forecaster = QuantileRNNForecaster(
            horizon=horizon, encoder_length=encoder_length, hidden_size=hidden_size,
            num_layers=num_layers, context_size=context_size, decoder_hidden=decoder_hidden,
            dropout=dropout, quantiles=quantiles, origin_stride=origin_stride,
            min_encoder_length=min_encoder_length, covariates=self.covariates, seed=seed)
        self._assignment: pd.DataFrame | None = None
        self._panel: pd.DataFrame | None = None
        self.num_threads = num_threads
        if num_threads is not None:
            torch.set_num_threads(int(num_threads))

    @property
    def horizon(self) -> int:
        return self.forecaster.horizon

    def describe(self) -> dict[str, Any]:
        params = {k: v for k, v in self.forecaster.get_params().items()
                  if k not in ("learning_rate", "batch_size", "max_epochs", "batches_per_epoch",
                               "validation_days", "patience", "num_threads")}
        return {"task": self.name, "source": getattr(self.source, "name", "?"),
                "num_clients": self.num_clients, "scheme": self.scheme,
                "group_by": list(self.group_by), "exclude_last_days": self.exclude_last_days,
                **{k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}}

    def build_model(self) -> torch.nn.Module:
        return self.forecaster.build_network(self.covariates)

    def forecaster_from(self, state_dict: Mapping[str, torch.Tensor]) -> QuantileRNNForecaster:
        """A :class:`QuantileRNNForecaster` holding trained (e.g. global) weights."""
        params = self.forecaster.get_params()
        params.pop("covariates")
        return QuantileRNNForecaster.from_state_dict(state_dict, self.covariates, **params)

    def panel(self) -> pd.DataFrame:
        """The source's panel without its last ``exclude_last_days`` dates (cached)."""
        if self._panel is not None:
            return self._panel
        source_key = _source_key(self.source)
        key = f"{source_key}|{self.exclude_last_days}|{self.group_by}"
        if source_key is None or key not in _PANELS:
            panel = self._with_location_attributes(self.source.load())
            if self.exclude_last_days:
                dates = np.sort(panel[TIME].unique())
                if len(dates) <= self.exclude_last_days:
                    raise ConfigError(f"exclude_last_days={self.exclude_last_days} leaves no "
                                      f"dates of {len(dates)}")
                panel = panel.loc[panel[TIME] < dates[-self.exclude_last_days]]
            self._panel = sort_panel(panel)
            if source_key is not None:
                _PANELS[key] = self._panel
        self._panel = _PANELS.get(key, self._panel)
        return self._panel

    def _with_location_attributes(self, panel: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.group_by if c not in panel.columns]
        market_dir = getattr(self.source, "market_dir", None)
        if not missing or market_dir is None:
            return panel
        points = pd.read_parquet(Path(market_dir) / "pickup_points.parquet")
        points = points.rename(columns={"pickup_point_id": "location_id"})
        absent = [c for c in missing if c not in points.columns]
        if absent:
            raise ConfigError(f"group_by column(s) {absent} are neither panel columns nor "
                              f"pickup point attributes ({list(points.columns)})")
        points = points[["location_id", *missing]].astype({"location_id": panel[
            "location_id"].dtype})
        return panel.merge(points, on="location_id", how="left")

    def assignment(self) -> pd.DataFrame:
        """The client of every series (:func:`~groupbuy_ml.federated.partitions.assign_clients`)."""
        if self._assignment is None:
            self._assignment = assign_clients(
                self.panel(), self.num_clients, self.scheme, self.group_by, self.skew_by,
                self.alpha, self.partition_seed)
        return self._assignment

    def load_client(self, client_id: int, num_clients: int) -> ForecastClientData:
        if num_clients != self.num_clients:
            raise ConfigError(f"the task is partitioned for num_clients={self.num_clients}, the "
                              f"run has {num_clients}; set the task's num_clients to match")
        rows = sort_panel(client_panel(self.panel(), self.assignment(), client_id))
        check_covariates(rows, self.covariates, f"client {client_id}'s data")
        f = self.forecaster
        windows = PanelWindows(rows, self.covariates, f.encoder_length, f.horizon)
        train = windows.training_origins(f.horizon, f.origin_stride, f.min_encoder_length)
        evaluation = windows.last_origins(0)
        if len(train) == 0 or len(evaluation) == 0:
            raise EmptyClientError(
                f"client {client_id} has no training window: its series are shorter than "
                f"encoder_length {f.encoder_length} (min_encoder_length "
                f"{f.min_encoder_length}) + 2 x horizon {f.horizon}; lower them")
        eval_start = rows[TIME].iloc[evaluation + 1].min()
        history = rows.loc[rows[TIME] < eval_start]
        return ForecastClientData(client_id, windows, rows, train, evaluation, history)

    def train(self, model: torch.nn.Module, data: ForecastClientData, training: LocalTraining,
              privacy: PrivacySettings | None, state: dict[str, float]) -> dict[str, float]:
        if privacy is not None and training.proximal_mu > 0:
            raise ConfigError("proximal_mu > 0 with DP-SGD is not supported: Opacus replaces the "
                              "gradient by the noised per-example one, dropping the proximal "
                              "term; set proximal_mu=0 for private runs")
        seed = training.seed * 1_000_003 + data.client_id * 1_009 + training.server_round
        torch.manual_seed(seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=training.lr)
        loader = origin_loader(data.train_origins, training.batch_size, seed)
        private = None
        if privacy is not None:
            steps = steps_per_round(len(data.train_origins), training.batch_size,
                                    training.epochs, training.max_steps)
            private = make_private(model, optimizer, loader, privacy, steps, state, seed)
            optimizer, loader = private.optimizer, private.loader
        loss, steps = train_steps(model, data.windows, loader, optimizer, training.epochs,
                                  training.max_steps, training.proximal_mu)
        metrics = {"train_loss": loss, "num-examples": float(len(data.train_origins)),
                   "local_steps": float(steps)}
        if private is not None:
            metrics["epsilon"] = private.finish(state, privacy.target_delta)
            metrics["delta"] = privacy.target_delta
        return metrics

    def forecast_frame(self, model: torch.nn.Module, data: ForecastClientData) -> pd.DataFrame:
        """Forecast (median + quantiles) and actuals of the client's evaluation window."""
        quantiles, _ = predict_windows(model, data.windows, data.eval_origins)
        rows = (data.eval_origins[:, None] + np.arange(1, self.horizon + 1)).ravel()
        frame = data.panel.iloc[rows].reset_index(drop=True)
        q = np.sort(np.clip(quantiles.reshape(len(rows), -1), 0.0, None), axis=1)
        if "is_open" in frame:
            q[frame["is_open"].to_numpy() == 0] = 0.0
        levels = self.forecaster.quantiles
        out = frame[[*SERIES_KEYS, TIME, TARGET]].copy()
        out[PREDICTION] = q[:, levels.index(0.5)]
        for j, level in enumerate(levels):
            out[f"q{level:g}"] = q[:, j]
        if "is_open" in frame:
            out = out.loc[frame["is_open"].to_numpy() == 1].reset_index(drop=True)
        return out

    def evaluate(self, model: torch.nn.Module, data: ForecastClientData) -> dict[str, float]:
        scored = self.forecast_frame(model, data)
        y = scored[TARGET].to_numpy(np.float64)
        levels = self.forecaster.quantiles
        pinball = float(np.mean([pinball_loss(y, scored[f"q{q:g}"], q) for q in levels]))
        out = {"loss": pinball, "pinball_mean": pinball,
               "num-examples": float(len(data.eval_origins))}
        scores = rmsse(data.history, scored)
        if not scores.per_series.empty:
            out["rmsse"] = scores.value
        if np.abs(y).sum() > 0:
            out["wape"] = wape(y, scored[PREDICTION])
        return out
