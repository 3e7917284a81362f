"""``groupbuy train``: run the pipeline a config names, as a Hydra app (multirun with ``-m``)."""

from __future__ import annotations

from collections.abc import Sequence

from hydra.utils import get_method
from omegaconf import DictConfig
from rich.console import Console
from rich.table import Table

from groupbuy_ml.cli.hydra_app import run_hydra


def run_pipeline(cfg: DictConfig, command: str = "train") -> float | None:
    """Call ``cfg.pipeline`` with the config; print its metrics; return the metric a sweeper
    would optimise. Input errors end ``groupbuy COMMAND`` with one line; bugs keep their
    traceback."""
    from groupbuy_ml.cli.failures import user_message

    try:
        result = get_method(cfg.pipeline)(cfg)
    except Exception as error:  # one line for input errors (Hydra would print a traceback)
        message = user_message(error)
        if message is None:
            raise  # a bug: `groupbuy` prints the traceback and asks for a report
        raise SystemExit(f"groupbuy {command}: {message}") from None
    if isinstance(result, dict):
        Console().print(metrics_table(result))
    metric = cfg.get("optimized_metric")
    if metric and isinstance(result, dict):
        return result.get(metric)
    return None


def metrics_table(metrics: dict) -> Table:
    """The run's numeric metrics, one per row."""
    table = Table(title=f"run {metrics.get('run_id', '')}", caption_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in sorted(metrics.items()):
        if isinstance(value, float | int):
            table.add_row(name, f"{value:.4f}")
    return table


def train_command(args: Sequence[str]) -> None:
    run_hydra("train", run_pipeline, args)
