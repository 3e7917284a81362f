"""Server strategies: Flower's FedAvg, FedProx and FedAdam, plus what a tracked run needs.

The aggregation itself is Flower's (:mod:`flwr.serverapp.strategy`):

- :class:`FedAvg`: McMahan et al. 2017, "Communication-Efficient Learning of Deep Networks from
  Decentralized Data" (AISTATS) - the mean of the clients' parameters weighted by num-examples.
- :class:`FedProx`: Li et al. 2020, "Federated Optimization in Heterogeneous Networks" (MLSys) -
  FedAvg's aggregation; the server sends ``proximal-mu`` and each client adds
  ``mu/2 ||w - w_global||^2`` to its local loss.
- :class:`FedAdam`: Reddi et al. 2021, "Adaptive Federated Optimization" (ICLR) - the FedAvg
  mean becomes a pseudo-gradient for a server-side Adam step.

The subclasses add two things Flower lacks: metric aggregation that keeps the privacy budget
honest (:func:`aggregate_client_metrics`: epsilon and delta are the maximum over clients, not a
weighted mean) and a strategy state that :mod:`.checkpoint` can save and restore (FedAdam's
moments).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from flwr.app import MetricRecord, RecordDict
from flwr.serverapp import strategy as flwr_strategy

from groupbuy_ml.errors import ConfigError, InvalidDataError

__all__ = [
    "MAX_METRICS",
    "FedAdam",
    "FedAvg",
    "FedProx",
    "aggregate_client_metrics",
    "build_strategy",
    "strategy_state",
    "load_strategy_state",
]

MAX_METRICS = ("epsilon", "epsilon_round", "delta")
"""Metrics aggregated by their maximum over clients (a privacy guarantee is the worst case)."""


def aggregate_client_metrics(records: list[RecordDict], weighted_by_key: str) -> MetricRecord:
    """Aggregate the clients' MetricRecords of one round.

    Every metric is the mean weighted by ``weighted_by_key`` (num-examples), except
    :data:`MAX_METRICS`, which take the maximum over clients. ``weighted_by_key`` itself becomes
    the total over clients, and ``num-clients`` counts the replies.
    """
    rows = [next(iter(r.metric_records.values())) for r in records]
    if not rows:
        return MetricRecord()
    weights = np.array([float(row[weighted_by_key]) for row in rows])
    total = float(weights.sum())
    if total <= 0:
        raise InvalidDataError(f"the clients' {weighted_by_key} sum to {total}; nothing to weight "
                               "by")
    out: dict[str, Any] = {weighted_by_key: int(total) if total.is_integer() else total,
                           "num-clients": len(rows)}
    keys = [k for k in rows[0] if k != weighted_by_key]
    for key in keys:
        values = [row[key] for row in rows if key in row]
        if any(isinstance(v, list) for v in values):
            continue
        array = np.array(values, dtype=float)
        if key in MAX_METRICS:
            out[key] = float(array.max())
        elif len(values) == len(rows):
            out[key] = float(np.dot(array, weights) / total)
    return MetricRecord(out)


class _TrackedStrategyMixin:
    """Defaults to :func:`aggregate_client_metrics` for train and evaluate metrics."""

    @staticmethod
    def _metric_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("train_metrics_aggr_fn", aggregate_client_metrics)
        kwargs.setdefault("evaluate_metrics_aggr_fn", aggregate_client_metrics)
        return kwargs

    def describe(self) -> dict[str, Any]:
        """The strategy's settings, for the run's params."""
        keys = ("fraction_train", "fraction_evaluate", "min_train_nodes", "min_evaluate_nodes",
                "min_available_nodes", "proximal_mu", "eta", "eta_l", "beta_1", "beta_2", "tau")
        return {"name": type(self).__name__,
                **{k: getattr(self, k) for k in keys if hasattr(self, k)}}


class FedAvg(_TrackedStrategyMixin, flwr_strategy.FedAvg):
    """Flower's FedAvg (McMahan et al. 2017) with max-epsilon metric aggregation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**self._metric_defaults(kwargs))


class FedProx(_TrackedStrategyMixin, flwr_strategy.FedProx):
    """Flower's FedProx (Li et al. 2020): FedAvg aggregation, ``proximal-mu`` in the config."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**self._metric_defaults(kwargs))


class FedAdam(_TrackedStrategyMixin, flwr_strategy.FedAdam):
    """Flower's FedAdam (Reddi et al. 2021); its moments are checkpointed with the run."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**self._metric_defaults(kwargs))


_STATE_ATTRIBUTES = ("m_t", "v_t")
"""Array dicts a FedOpt-family strategy carries from round to round."""


def strategy_state(strategy: Any) -> dict[str, np.ndarray]:
    """The strategy's state between rounds as flat ``{"m_t/<name>": array}`` (empty for
    stateless strategies such as FedAvg and FedProx)."""
    state: dict[str, np.ndarray] = {}
    for attribute in _STATE_ATTRIBUTES:
        arrays = getattr(strategy, attribute, None)
        for name, value in (arrays or {}).items():
            state[f"{attribute}/{name}"] = np.asarray(value)
    return state


def load_strategy_state(strategy: Any, state: dict[str, np.ndarray]) -> None:
    """Restore what :func:`strategy_state` saved (FedAdam continues with its moments)."""
    for attribute in _STATE_ATTRIBUTES:
        prefix = f"{attribute}/"
        arrays = {k[len(prefix):]: np.asarray(v) for k, v in state.items() if k.startswith(prefix)}
        if arrays:
            if not hasattr(strategy, attribute):
                raise ConfigError(
                    f"the checkpoint holds {attribute} but {type(strategy).__name__} has no such "
                    "state; resume with the strategy the run was started with"
                )
            setattr(strategy, attribute, arrays)


_BY_NAME = {"fedavg": FedAvg, "fedprox": FedProx, "fedadam": FedAdam}


def build_strategy(strategy: Any, num_clients: int | None = None) -> Any:
    """A strategy from an instance, a name (``fedavg``, ``fedprox``, ``fedadam``) or a Hydra
    config; with a name, the minimum node counts default to ``num_clients``."""
    from groupbuy_ml.federated.spec import build_object

    if isinstance(strategy, str):
        if strategy.lower() not in _BY_NAME:
            raise ConfigError(f"unknown strategy {strategy!r}; expected one of {sorted(_BY_NAME)}")
        kwargs: dict[str, Any] = {}
        if num_clients is not None:
            kwargs = {"min_train_nodes": num_clients, "min_evaluate_nodes": num_clients,
                      "min_available_nodes": num_clients}
        return _BY_NAME[strategy.lower()](**kwargs)
    built = build_object(strategy)
    if not callable(getattr(built, "configure_train", None)):
        raise TypeError(f"strategy must be a Flower message-API strategy, got {type(built)}")
    return built
