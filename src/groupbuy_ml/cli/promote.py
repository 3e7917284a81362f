"""``groupbuy promote``: register the best run by a metric and move the ``champion`` alias."""

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
                     model_name=cfg.model_name, alias=cfg.alias)
    Console().print(
        f"[bold]{result.model_name}[/] version {result.version} is now '{cfg.alias}' "
        f"({result.metric}={result.value:.4f}, run {result.run_id}; "
        f"previous version: {result.previous_version})"
    )
    return result
