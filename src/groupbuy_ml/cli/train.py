"""``groupbuy train``: run the pipeline a config names, as a Hydra app (multirun with ``-m``)."""

from __future__ import annotations

from collections.abc import Sequence

from hydra.utils import get_method
from omegaconf import DictConfig

from groupbuy_ml.cli.hydra_app import run_hydra


def run_pipeline(cfg: DictConfig) -> float | None:
    """Call ``cfg.pipeline`` with the config; return the metric a sweeper would optimise."""
    result = get_method(cfg.pipeline)(cfg)
    metric = cfg.get("optimized_metric")
    if metric and isinstance(result, dict):
        return result.get(metric)
    return None


def train_command(args: Sequence[str]) -> None:
    run_hydra("train", run_pipeline, args)
