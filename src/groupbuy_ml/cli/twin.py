"""``groupbuy twin``: a closed-loop run of the digital twin (configs/twin.yaml) as a Hydra app."""

from __future__ import annotations

from collections.abc import Sequence

from hydra.utils import get_method
from omegaconf import DictConfig
from rich.console import Console

from groupbuy_ml.cli.hydra_app import run_hydra
from groupbuy_ml.cli.train import metrics_table


def run_twin_app(cfg: DictConfig) -> float | None:
    """Call ``cfg.pipeline``; print the run's KPIs; return the one a sweeper optimises."""
    from groupbuy_ml.cli.failures import user_message

    try:
        metrics = get_method(cfg.pipeline)(cfg)
    except Exception as error:  # one line for input errors (Hydra would print a traceback)
        message = user_message(error)
        if message is None:
            raise  # a bug: `groupbuy` prints the traceback and asks for a report
        raise SystemExit(f"groupbuy twin: {message}") from None
    Console().print(metrics_table(metrics))
    metric = cfg.get("optimized_metric")
    return metrics.get(metric) if metric else None


def twin_command(args: Sequence[str]) -> None:
    """Run ``groupbuy twin [key=value ...]`` (``-m`` sweeps, ``--cfg job`` to inspect)."""
    run_hydra("twin", run_twin_app, args)
