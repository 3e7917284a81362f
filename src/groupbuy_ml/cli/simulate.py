"""``groupbuy simulate``: write a simulated market and print what was written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omegaconf import OmegaConf
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.data.simulate import MarketSummary, market_config, simulate_market


def simulate_command(overrides: Sequence[str]) -> MarketSummary:
    cfg = compose_config("simulate", overrides)
    market = market_config(OmegaConf.to_container(cfg.market, resolve=True), "market")
    out_dir = Path(cfg.out_dir).resolve()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"simulating {market.n_days} days", total=None)
        summary = simulate_market(
            market, out_dir, on_chunk=lambda done, total: progress.update(
                task, completed=done, total=total)
        )
    Console().print(summary_table(summary))
    return summary


def summary_table(summary: MarketSummary) -> Table:
    """A readable table of what a simulation wrote."""
    table = Table(title=f"simulated market -> {summary.out_dir}", show_header=True,
                  caption_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    table.caption = (
        f"{summary.units_ordered:,} units ordered, {summary.units_delivered:,} delivered; "
        f"{summary.group_formation_rate:.1%} of group buys formed; "
        f"{summary.bytes_written / 1e6:,.1f} MB in {summary.seconds:.1f} s"
    )
    return table
