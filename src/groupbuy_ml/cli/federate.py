"""``groupbuy federate``: a federated experiment (configs/federate.yaml) as a Hydra app."""

from __future__ import annotations

from collections.abc import Sequence

from omegaconf import DictConfig

from groupbuy_ml.cli.hydra_app import run_hydra
from groupbuy_ml.cli.train import run_pipeline


def run_federation(cfg: DictConfig) -> float | None:
    """Call ``cfg.pipeline``; print the run's metrics; return the one a sweeper optimises."""
    return run_pipeline(cfg, "federate")


def federate_command(args: Sequence[str]) -> None:
    """Run ``groupbuy federate [key=value ...]`` (``-m`` sweeps, ``--cfg job`` to inspect)."""
    run_hydra("federate", run_federation, args)
