"""The `groupbuy` console script, run as a user runs it (a subprocess)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from groupbuy_ml.tracking import resolve_tracking

GROUPBUY = str(Path(sys.executable).with_name("groupbuy"))
MARKET = ["market.n_pickup_points=3", "market.n_products=8", "market.n_days=40"]
SIM = ["data.simulation.n_pickup_points=3", "data.simulation.n_products=8",
       "data.simulation.n_days=60"]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GROUPBUY_ROOT": str(cwd)}
    return subprocess.run([GROUPBUY, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_help_lists_commands(tmp_path: Path) -> None:
    out = run(["--help"], tmp_path)
    assert out.returncode == 0
    for command in ("simulate", "train", "promote", "demo"):
        assert command in out.stdout


def test_simulate_writes_a_market(tmp_path: Path) -> None:
    out = run(["simulate", *MARKET, f"out_dir={tmp_path / 'm'}"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "m" / "market.json").exists()
    assert "daily_demand" in out.stdout


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    out = run(["simulate", "market.n_days=0"], tmp_path)
    assert out.returncode != 0
    assert "n_days" in out.stderr and "Traceback" not in out.stderr
    out = run(["train", "data=csv", f"data.path={tmp_path / 'missing.csv'}"], tmp_path)
    assert out.returncode != 0
    assert "missing.csv" in out.stderr and "Traceback" not in out.stderr
    out = run(["nonsense"], tmp_path)
    assert out.returncode != 0 and "unknown command" in out.stderr


def test_multirun_sweep_then_promote(tmp_path: Path) -> None:
    out = run(["train", "-m", "experiment=forecast_naive_market", *SIM,
               "model.season_length=1,7"], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    client = MlflowClient(resolve_tracking(None, tmp_path).uri)
    experiment = client.get_experiment_by_name("forecast_market")
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.data.params["model.season_length"] for r in runs) == ["1", "7"]
    best = min(runs, key=lambda r: r.data.metrics["val_rmsse"])

    out = run(["promote", "tracking.experiment=forecast_market", "metric=rmsse"], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    version = client.get_model_version_by_alias("forecast_market", "champion")
    assert version.run_id == best.info.run_id


@pytest.mark.parametrize("args", [["promote", "tracking.experiment=nothing_here"]])
def test_promote_without_runs_says_why(tmp_path: Path, args: list[str]) -> None:
    out = run(args, tmp_path)
    assert out.returncode != 0
    assert "nothing_here" in out.stderr and "Traceback" not in out.stderr
