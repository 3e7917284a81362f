"""Tracking: MLflow runs with reproducibility records, and the champion model registry.

Typical use::

    from groupbuy_ml.data.fingerprint import fingerprint_files
    from groupbuy_ml.tracking import promote, resolve_tracking, tracked_run

    target = resolve_tracking(cfg.tracking.uri)          # None -> ./mlflow/mlflow.db
    with tracked_run("forecasting", "tft", cfg, target,
                     data_fingerprints={"panel": fingerprint_files([panel_dir])}) as run:
        run.log_history(history)
        run.log_python_model(model)
    promote("forecasting", "val_wape", target, mode="min")
"""

from groupbuy_ml.tracking.library_model import LibraryModel
from groupbuy_ml.tracking.provenance import flatten_config, git_state
from groupbuy_ml.tracking.registry import (
    ChampionInfo,
    Promotion,
    champion_info,
    load_champion,
    promote,
)
from groupbuy_ml.tracking.run import RunLogger, tracked_run
from groupbuy_ml.tracking.uri import (
    TrackingTarget,
    activate,
    display_uri,
    ensure_experiment,
    resolve_tracking,
    tracking_client,
)

__all__ = [
    "ChampionInfo",
    "LibraryModel",
    "Promotion",
    "RunLogger",
    "TrackingTarget",
    "activate",
    "champion_info",
    "display_uri",
    "ensure_experiment",
    "flatten_config",
    "git_state",
    "load_champion",
    "promote",
    "resolve_tracking",
    "tracked_run",
    "tracking_client",
]
