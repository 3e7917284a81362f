"""``groupbuy twin``: a closed-loop run of the digital twin (configs/twin.yaml) as a Hydra app."""

from __future__ import annotations

from collections.abc import Sequence

from omegaconf import DictConfig

from groupbuy_ml.cli.hydra_app import run_hydra
from groupbuy_ml.cli.train import run_pipeline


def run_twin_app(cfg: DictConfig) -> float | None:
    """Call ``cfg.pipeline``; print the run's metrics; return the one a sweeper optimises."""
    return run_pipeline(cfg, "twin")


def twin_command(args: Sequence[str]) -> None:
    """Run ``groupbuy twin [key=value ...]`` (``-m`` sweeps, ``--cfg job`` to inspect)."""
    run_hydra("twin", run_twin_app, args)
