"""``groupbuy backtest``: rolling-origin backtest of library forecasters on any CSV.

Every model is fitted afresh at each origin on the history before it and scored on the next
``horizon`` periods; the table at the end has each model's metrics averaged over the origins
and its fit and predict time.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf
from rich.console import Console
from rich.table import Table

from groupbuy_ml.cli.backtest_progress import BacktestProgress
from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.errors import ConfigError

SHOWN = ("n_origins", "rmsse", "wrmsse", "mase", "wape", "rmspe", "pinball_mean",
         "coverage_80", "fit_seconds", "predict_seconds")


def backtest_table(summary: pd.DataFrame, title: str = "backtest") -> Table:
    """The summary of :func:`~groupbuy_ml.forecasting.backtest.backtest` as a rich table."""
    table = Table(title=title)
    table.add_column("model")
    cols = [c for c in SHOWN if c in summary.columns]
    for c in cols:
        table.add_column(c, justify="right")
    for row in summary.itertuples(index=False):
        values = row._asdict()
        table.add_row(str(values["model"]), *[
            "-" if pd.isna(values[c]) else (f"{values[c]:.4f}" if c != "n_origins"
                                            else str(int(values[c]))) for c in cols])
    return table


def backtest_command(args: Sequence[str]) -> None:
    """Compose ``configs/backtest.yaml`` with ``args`` (Hydra overrides), run the backtest with
    a progress display on stderr and print the table (and write it when ``output`` is set)."""
    from groupbuy_ml.forecasting.backtest import backtest

    cfg = compose_config("backtest", args)
    if OmegaConf.is_missing(cfg.data, "path"):
        raise ConfigError("data.path is required: groupbuy backtest data.path=sales.csv ...")
    columns = OmegaConf.to_container(cfg.data.columns, resolve=True)
    min_length = cfg.data.get("min_length")
    with BacktestProgress(len(cfg.models)) as progress:
        summary = backtest(Path(str(cfg.data.path)), columns, horizon=int(cfg.horizon),
                           models=list(cfg.models), n_origins=int(cfg.n_origins),
                           step=None if cfg.step is None else int(cfg.step),
                           season_length=None if cfg.season_length is None
                           else int(cfg.season_length),
                           open_days_only=bool(cfg.open_days_only),
                           gaps=str(cfg.data.get("gaps", "raise")),
                           min_length=None if min_length is None else int(min_length),
                           progress=progress)
    console = Console() if sys.stdout.isatty() else Console(width=160)
    report = summary.attrs.get("gap_report")
    if report is not None and (report.n_series_with_gaps or report.n_series_too_short):
        console.print(f"data: {report.summary()}", highlight=False)
    console.print(backtest_table(summary, f"backtest of {cfg.data.path}"))
    if cfg.output:
        out = Path(str(cfg.output))
        out.parent.mkdir(parents=True, exist_ok=True)
        summary.to_csv(out, index=False)
        summary.attrs["folds"].to_csv(out.with_suffix(".folds.csv"), index=False)
        console.print(f"wrote {out}")
