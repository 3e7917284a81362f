"""`groupbuy twin`: every twin_* experiment config runs on a tiny city and is tracked in MLflow;
a run that fails midway keeps its logged days; bad config input is named before any day."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig

from groupbuy_ml.cli.hydra_app import compose_config, config_dir
from groupbuy_ml.twin import OrderDecision, PlatformState
from groupbuy_ml.twin.errors import ScenarioError, TwinConfigError
from groupbuy_ml.twin.experiment import build_spec, run_twin_experiment

EXPERIMENTS = sorted(p.stem for p in (config_dir() / "experiment").glob("twin_*.yaml"))
TINY = ["twin.market.n_pickup_points=4", "twin.market.n_products=14",
        "twin.market.n_suppliers=5", "twin.market.households_per_pickup_point=40",
        "twin.warm_up_days=8", "twin.burn_in_days=2", "twin.days=4", "twin.delivery.mode=off"]


@pytest.fixture(scope="module")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(f"sqlite:///{db}").search_experiments()
    return db


def tiny(name: str | None, root: Path, db: Path, *extra: str) -> DictConfig:
    chosen = [f"experiment={name}"] if name else []
    return compose_config("twin", [*chosen, *TINY, f"paths.root_dir={root}",
                                   f"tracking.uri=sqlite:///{db}", "out_dir=null", *extra])


def test_every_twin_experiment_is_found() -> None:
    assert {"twin_default", "twin_heatwave_delay", "twin_naive",
            "twin_perfect_foresight"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_config_smoke(name: str, tmp_path: Path, mlflow_template: Path) -> None:
    db = tmp_path / "mlflow.db"
    shutil.copy(mlflow_template, db)
    extra = ["scenario.heat_waves.0.start_day=1", "scenario.heat_waves.0.days=2",
             "scenario.supplier_delays.0.start_day=2", "scenario.supplier_delays.0.days=1"] \
        if "heatwave" in name else []
    cfg = tiny(name, tmp_path, db, *extra)
    if "forecaster" in cfg.policy.ordering:  # a few boosting rounds: this checks the wiring
        cfg.policy.ordering.forecaster.n_estimators = 5
    metrics = run_twin_experiment(cfg)
    assert metrics["days"] == 4 and 0 <= metrics["waste_rate"] <= 1
    client = MlflowClient(f"sqlite:///{db}")
    run = client.get_run(metrics["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.metrics["fill_rate"] == pytest.approx(metrics["fill_rate"])
    days = client.get_metric_history(run.info.run_id, "day.fill_rate")
    assert sorted(m.step for m in days) == [10, 11, 12, 13]
    arts = {a.path for a in client.list_artifacts(run.info.run_id, "twin")}
    assert {"twin/daily.csv", "twin/daily_kpis.png", "twin/waste_fill_tradeoff.png",
            "twin/warnings.csv"} <= arts


class FailsOnDay12:
    def order(self, state: PlatformState) -> OrderDecision:
        if state.day == 12:
            raise RuntimeError("policy bug on day 12")
        return OrderDecision(np.full(state.shape, 2))


def test_run_failing_midway_keeps_logged_days(tmp_path: Path, mlflow_template: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "mlflow.db"
    shutil.copy(mlflow_template, db)
    import groupbuy_ml.twin.experiment as experiment

    real = experiment.build_policies
    monkeypatch.setattr(experiment, "build_policies",
                        lambda node: type(real(node))(ordering=FailsOnDay12()))
    with pytest.raises(RuntimeError, match="day 12"):
        run_twin_experiment(tiny(None, tmp_path, db))
    client = MlflowClient(f"sqlite:///{db}")
    (run,) = client.search_runs([client.get_experiment_by_name("twin").experiment_id])
    assert run.info.status == "FAILED"
    days = client.get_metric_history(run.info.run_id, "day.waste_rate")
    assert sorted(m.step for m in days) == [10]  # day 11 settles on day 12's morning


@pytest.mark.parametrize(("override", "error", "message"), [
    ("twin.market.households_per_pickup_point=0", TwinConfigError,
     r"market.households_per_pickup_point: Input should be greater than 0"),
    ("+twin.shelf_life_days.vegetables=0", TwinConfigError,
     r"shelf_life_days.vegetables: 0 days; a shelf life must be at least 1 day"),
    ("twin.days=0", TwinConfigError, r"twin.days: Input should be greater than or equal to 1"),
    ("+scenario.demand_shocks=[{products:[999]}]", ScenarioError,
     r"demand_shocks\[0\].products: unknown product id\(s\) \[999\]"),
    ("+scenario.bogus=1", ScenarioError, r"scenario.bogus: Extra inputs are not permitted"),
    ("+policy.pricing={_target_:builtins.object}", TwinConfigError,
     r"policy.pricing: object has no price"),
])
def test_bad_config_is_named_before_any_day(tmp_path: Path, override: str,
                                            error: type[Exception], message: str) -> None:
    from groupbuy_ml.twin.run import build_world

    cfg = tiny(None, tmp_path, tmp_path / "unused.db", override)
    with pytest.raises(error, match=message):
        build_world(build_spec(cfg))
