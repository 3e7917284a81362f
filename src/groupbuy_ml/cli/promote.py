"""``groupbuy promote``: register the best run by a validation metric and move the ``champion``
alias; it prints the runs it compared and why others were left out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.tracking import Promotion, promote, resolve_tracking


def promote_command(overrides: Sequence[str]) -> Promotion:
    cfg = compose_config("promote", overrides)
    target = resolve_tracking(cfg.tracking.uri, Path(cfg.paths.root_dir).resolve())
    result = promote(cfg.tracking.experiment, cfg.metric, target, mode=cfg.mode,
                     model_name=cfg.model_name, alias=cfg.alias,
                     validation_only=bool(cfg.get("validation_only", True)))
    console = Console()
    if result.compared:
        console.print(f"compared {len(result.compared)} comparable run(s) on {result.metric} "
                      f"(same data, horizon and protocol; {len(result.excluded)} left out):")
        for run_id, value in result.compared:
            console.print(f"  {run_id}  {result.metric}={value:.4f}")
        for run_id, why in result.excluded.items():
            console.print(f"  [dim]{run_id}  left out: {why}[/]")
    console.print(
        f"[bold]{result.model_name}[/] version {result.version} is now '{cfg.alias}' "
        f"({result.metric}={result.value:.4f}, run {result.run_id}; "
        f"previous version: {result.previous_version})"
    )
    return result
