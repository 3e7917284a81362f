"""``groupbuy demo``: the main job end to end on the built-in simulated market.

Simulates a city, trains the forecasting floor (seasonal naive) and the first real baseline
(global LightGBM) through the experiment runner, logs both to MLflow, promotes the better one to
``champion`` and prints where to look.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hydra.utils import get_method
from rich.console import Console
from rich.table import Table

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.cli.promote import promote_command
from groupbuy_ml.cli.simulate import simulate_command

EXPERIMENTS = ("forecast_naive_market", "forecast_lightgbm_market")
SHOWN = ("rmsse", "wrmsse", "mase", "wape", "coverage_80", "fit_seconds")


def demo_command(overrides: Sequence[str] = ()) -> None:
    console = Console()
    console.rule("[bold]1. simulate the market")
    summary = simulate_command(list(overrides))
    console.rule("[bold]2. train and evaluate forecasters (tracked in MLflow)")
    results = {}
    for name in EXPERIMENTS:
        cfg = compose_config("train", [f"experiment={name}", *overrides])
        console.print(f"training [cyan]{name}[/] ...")
        results[name] = get_method(cfg.pipeline)(cfg)
    console.print(_metrics_table(results))
    console.rule("[bold]3. promote the best run to champion")
    promotion = promote_command([f"tracking.experiment={cfg.tracking.experiment}", "metric=rmsse",
                                 *overrides])
    root = Path(cfg.paths.root_dir).resolve()
    console.rule("[bold]where to look")
    console.print(
        f"market tables   {summary.out_dir}\n"
        f"MLflow store    {root / 'mlflow' / 'mlflow.db'}  "
        f"(experiment '{cfg.tracking.experiment}', "
        f"model '{promotion.model_name}' v{promotion.version} = champion)\n"
        "MLflow UI       make mlflow-ui   (then open http://127.0.0.1:5000)\n"
        "next            groupbuy train experiment=forecast_lightgbm_market model.num_leaves=31"
    )


def _metrics_table(results: dict[str, dict]) -> Table:
    table = Table(title="held-out 14 days, every pickup point x product")
    table.add_column("experiment")
    for metric in SHOWN:
        table.add_column(metric, justify="right")
    for name, metrics in results.items():
        label = name.removeprefix("forecast_").removesuffix("_market")
        table.add_row(label, *(f"{metrics[m]:.3f}" if m in metrics else "-" for m in SHOWN))
    return table
