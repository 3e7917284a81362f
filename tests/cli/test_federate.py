"""`groupbuy federate`: every federate_* experiment config runs end to end on a tiny CPU setting
(clients in turn in this process: ``federated.mode=local``), and bad input is one clear line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig, open_dict

from groupbuy_ml.cli.hydra_app import compose_config, config_dir
from groupbuy_ml.federated.experiment import run_federated_experiment

EXPERIMENTS = sorted(p.stem for p in (config_dir() / "experiment").glob("federate_*.yaml"))
TINY_MARKET = {"n_pickup_points": 4, "n_products": 6, "n_days": 90}
GROUPBUY = str(Path(sys.executable).with_name("groupbuy"))


@pytest.fixture(scope="module")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(f"sqlite:///{db}").search_experiments()
    return db


def smoke_config(name: str, root: Path, db: Path) -> DictConfig:
    cfg = compose_config("federate", [
        f"experiment={name}", "federated.mode=local", "federated.rounds=1",
        "federated.task.num_clients=2", "federated.training.max_steps=1",
        f"paths.root_dir={root}", f"tracking.uri=sqlite:///{db}",
        f"tracking.log_model={name == 'federate_fedavg_market'}"])
    with open_dict(cfg):
        task = cfg.federated.task
        source = task.get("source") or task.get("market")
        if source._target_.endswith("MarketSource"):
            source.simulation = {**source.simulation, **TINY_MARKET}
        if source._target_.endswith("RossmannSource"):
            source.stores = [1, 2, 3, 4, 5, 6, 7, 8]
    return cfg


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_config_smoke(name: str, tmp_path: Path, mlflow_template: Path) -> None:
    db = tmp_path / "mlflow.db"
    shutil.copy(mlflow_template, db)
    cfg = smoke_config(name, tmp_path, db)
    metrics = run_federated_experiment(cfg)
    assert metrics["rounds"] == 1 and metrics["excluded_clients"] == 0
    assert metrics["train_num-clients"] == 2 and metrics["eval_num-clients"] == 2
    assert metrics["bytes_up_total"] > 0
    client = MlflowClient(f"sqlite:///{db}")
    run = client.get_run(metrics["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params["federated.rounds"] == "1"
    assert "train.num-examples" in run.data.metrics
    if cfg.federated.privacy:
        assert 0 < metrics["epsilon_total"] <= cfg.federated.privacy.target_epsilon
        assert "train.epsilon" in run.data.metrics
    if name == "federate_fedavg_market":  # the global model as the library's forecaster
        models = client.search_logged_models([run.info.experiment_id],
                                             filter_string="name = 'model'")
        assert [m.source_run_id for m in models] == [run.info.run_id]
        assert "federated/global_model.pt" in {
            a.path for a in client.list_artifacts(run.info.run_id, "federated")}


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "GROUPBUY_ROOT": str(tmp_path)}
    out = subprocess.run([GROUPBUY, "federate", "federated.mode=ray"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1] == (
        "groupbuy federate: federated.mode must be one of ('simulation', 'deployment', "
        "'local'), got 'ray'")
    assert "Traceback" not in out.stderr
