"""Which runs may compete for promotion: validation metrics only, comparable runs only.

A champion is chosen on the validation window (the test window is reported, never chosen on:
Cawley & Talbot 2010, "On over-fitting in model selection and subsequent selection bias in
performance evaluation", JMLR 11). Runs compete only with runs scored alike: the same data
fingerprint, horizon and evaluation protocol (the ``protocol.id`` tag of
:mod:`groupbuy_ml.forecasting.protocol`); smoke runs (``smoke`` tag) never compete.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mlflow.entities import Run

from groupbuy_ml.errors import ConfigError

__all__ = ["Selection", "comparable_key", "select_runs", "validation_metric"]

VALIDATION_PREFIX = "val_"
TEST_PREFIX = "test_"


def validation_metric(metric: str) -> str:
    """The validation metric to rank on: ``rmsse`` -> ``val_rmsse``; ``val_*`` unchanged.

    Raises:
        ConfigError: ``metric`` is a test-window metric (``test_*``).
    """
    if metric.startswith(TEST_PREFIX):
        raise ConfigError(
            f"metric={metric}: test-window metrics are reported, never used to choose; rank "
            f"on the validation window: metric={VALIDATION_PREFIX}{metric[len(TEST_PREFIX):]}")
    return metric if metric.startswith(VALIDATION_PREFIX) else VALIDATION_PREFIX + metric


def comparable_key(run: Run) -> tuple[str, ...]:
    """What two runs must share to be compared: data fingerprints, horizon, protocol."""
    tags = run.data.tags
    fingerprints = sorted(f"{k}={v}" for k, v in tags.items()
                          if k.startswith("data.fingerprint."))
    return (*fingerprints, f"horizon={tags.get('protocol.horizon', '?')}",
            f"protocol={tags.get('protocol.id', '?')}")


@dataclass(frozen=True)
class Selection:
    """The runs a promotion compared (``compared``, best first) and why the others were left
    out (``excluded``: run id -> reason)."""

    metric: str
    compared: list[Run]
    excluded: dict[str, str]


def select_runs(runs: Sequence[Run], metric: str, with_model: set[str],
                mode: str = "min") -> Selection:
    """The comparable, non-smoke runs with a model and a finite ``metric``, best first.

    Runs are grouped by :func:`comparable_key`; the group of the newest qualifying run
    competes (a newer protocol or data version supersedes older runs), the others are listed
    as excluded.

    Raises:
        ConfigError: no run qualifies (the message says why and what to run).
    """
    excluded: dict[str, str] = {}
    qualified: list[Run] = []
    for run in runs:
        rid = run.info.run_id
        value = run.data.metrics.get(metric)
        if run.data.tags.get("smoke") == "true":
            excluded[rid] = "smoke run"
        elif rid not in with_model:
            excluded[rid] = "no logged model"
        elif value is None or math.isnan(value):
            excluded[rid] = f"no {metric}"
        else:
            qualified.append(run)
    if not qualified:
        reasons = sorted(set(excluded.values())) or ["no finished run"]
        raise ConfigError(
            f"no run can be promoted on {metric} ({', '.join(reasons)}): train one with a "
            "validation window, e.g. `groupbuy train experiment=... trainer.validation_days=14` "
            "(not trainer=smoke), then promote again")
    newest = max(qualified, key=lambda r: r.info.start_time)
    group = comparable_key(newest)
    compared = []
    for run in qualified:
        if comparable_key(run) == group:
            compared.append(run)
        else:
            excluded[run.info.run_id] = "other data, horizon or protocol than the newest run"
    sign = 1.0 if mode == "min" else -1.0
    compared.sort(key=lambda r: (sign * r.data.metrics[metric], r.info.start_time))
    return Selection(metric, compared, excluded)
