"""Real champions for the serving benchmark: simulate, train, track and promote.

Everything goes through the library's own experiment runner, the same path as
``groupbuy simulate``, ``groupbuy train experiment=forecast_lightgbm_market`` /
``experiment=recommend_scene_gfcf_market`` and ``groupbuy promote``, into a throw-away project
folder (``<root>/outputs/market`` and the SQLite MLflow store ``<root>/mlflow/mlflow.db``), so
the benchmark serves the same kind of champion a user would.

    python experiments/serving/setup_models.py --root /tmp/gb_serving
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

from hydra.utils import get_method

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.tracking import (
    Promotion,
    TrackingTarget,
    champion_info,
    promote,
    resolve_tracking,
)

FORECAST_EXPERIMENT = "forecast_lightgbm_market"
RECOMMEND_EXPERIMENT = "recommend_scene_gfcf_market"
FORECAST_MODEL = "forecast_market"
RECOMMEND_MODEL = "recommend_market"
# One market for both models: the forecasting experiment's city (recommend_scene_gfcf_market
# defaults to 60 days; 180 keeps the two on the same simulated folder without re-simulation).
MARKET = ("seed=7", "n_days=180", "n_pickup_points=30", "n_products=60")


@dataclass(frozen=True)
class Champions:
    """Where the benchmark's champions live and which versions the alias points at."""

    root: Path
    tracking: TrackingTarget
    market_dir: Path
    forecast_model: str
    recommend_model: str
    forecast_version: int
    recommend_version: int
    seconds: float


def _overrides(root: Path, experiment: str, market_key: str, extra: tuple[str, ...]) -> list[str]:
    market = [f"{market_key}.{item}" for item in MARKET]
    return [f"experiment={experiment}", f"paths.root_dir={root}", *market, *extra]


def train_forecaster(root: Path, *extra: str) -> dict[str, float]:
    """One tracked ``forecast_lightgbm_market`` run (extra Hydra overrides appended)."""
    cfg = compose_config("train", _overrides(root, FORECAST_EXPERIMENT, "data.simulation", extra))
    return get_method(cfg.pipeline)(cfg)


def train_recommender(root: Path, *extra: str) -> dict[str, float]:
    """One tracked ``recommend_scene_gfcf_market`` run on the same market."""
    cfg = compose_config(
        "train", _overrides(root, RECOMMEND_EXPERIMENT, "data.market.simulation", extra)
    )
    return get_method(cfg.pipeline)(cfg)


def promote_run(root: Path, kind: str, run_id: str | None = None) -> Promotion:
    """Move ``champion`` of the ``kind`` ("forecast" / "recommend") model to the best run, or to
    ``run_id`` when given (how the fault run moves the alias to a second version)."""
    target = resolve_tracking(None, root)
    run_filter = f"attributes.run_id = '{run_id}'" if run_id else ""
    if kind == "forecast":
        return promote(FORECAST_MODEL, "rmsse", target, mode="min", model_name=FORECAST_MODEL,
                       filter_string=run_filter)
    if kind == "recommend":
        return promote(RECOMMEND_MODEL, "recall_at_20", target, mode="max",
                       model_name=RECOMMEND_MODEL, filter_string=run_filter)
    raise ValueError(f"kind must be 'forecast' or 'recommend', not {kind!r}")


def setup_champions(root: Path | str, force: bool = False) -> Champions:
    """Simulate the market, train and promote both champions under ``root`` (reused when both
    aliases already exist there, unless ``force``)."""
    started = time.perf_counter()
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    target = resolve_tracking(None, root)
    forecast = champion_info(FORECAST_MODEL, target)
    recommend = champion_info(RECOMMEND_MODEL, target)
    if force or forecast is None:
        train_forecaster(root)
        promote_run(root, "forecast")
        forecast = champion_info(FORECAST_MODEL, target)
    if force or recommend is None:
        train_recommender(root)
        promote_run(root, "recommend")
        recommend = champion_info(RECOMMEND_MODEL, target)
    assert forecast is not None and recommend is not None
    return Champions(root, target, root / "outputs" / "market", FORECAST_MODEL, RECOMMEND_MODEL,
                     forecast.version, recommend.version, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/gb_serving"))
    parser.add_argument("--force", action="store_true", help="train and promote again")
    args = parser.parse_args()
    found = setup_champions(args.root, args.force)
    print(f"tracking {found.tracking.uri}\nmarket   {found.market_dir}\n"
          f"{found.forecast_model} v{found.forecast_version} and {found.recommend_model} "
          f"v{found.recommend_version} are champion ({found.seconds:.1f} s)")


if __name__ == "__main__":
    main()
