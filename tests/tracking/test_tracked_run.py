"""What a tracked run records, and how it ends."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
import yaml
from mlflow.tracking import MlflowClient
from omegaconf import OmegaConf

from groupbuy_ml.tracking import TrackingTarget, flatten_config, tracked_run, tracking_client

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CONFIG = {
    "seed": 7,
    "model": {"name": "tft", "hidden": 16, "lr": 0.001, "layers": [64, 32]},
    "data": {"path": Path("data/panel"), "notes": "x" * 7000},
}


def _client(target: TrackingTarget) -> MlflowClient:
    return tracking_client(target)


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_flatten_config_uses_dotted_keys_and_truncates() -> None:
    flat = flatten_config({"a": {"b": {"c": 1}, "d": [1, 2]}, "e": None, "f": "y" * 7000})
    assert flat == {"a.b.c": "1", "a.d": "[1, 2]", "e": "None", "f": "y" * 6000}


def test_run_records_config_params_fingerprints_versions_and_seed(
    target: TrackingTarget, tmp_path: Path
) -> None:
    with tracked_run(
        "forecasting",
        "tft-small",
        OmegaConf.create({**CONFIG, "data": {**CONFIG["data"], "path": "data/panel"}}),
        target,
        data_fingerprints={"panel": "ab" * 32},
        tags={"owner": "tests"},
    ) as run:
        run_id = run.run_id
    client = _client(target)
    finished = client.get_run(run_id)
    assert finished.info.status == "FINISHED"
    assert finished.info.run_name == "tft-small"

    config_file = client.download_artifacts(run_id, "config.yaml", str(tmp_path))
    logged = yaml.safe_load(Path(config_file).read_text())
    assert logged["model"] == CONFIG["model"] and logged["seed"] == 7

    params = finished.data.params
    assert params["model.lr"] == "0.001"
    assert params["model.layers"] == "[64, 32]"
    assert params["data.notes"] == "x" * 6000
    assert params["data.fingerprint.panel"] == "ab" * 32

    tags = finished.data.tags
    assert tags["data.fingerprint.panel"] == "ab" * 32
    assert tags["seed"] == "7"
    assert tags["owner"] == "tests"
    assert tags["version.python"].startswith("3.")
    assert {"version.groupbuy_ml", "version.mlflow", "version.pandas"} <= tags.keys()
    experiment = client.get_experiment(finished.info.experiment_id)
    assert experiment.name == "forecasting"
    assert finished.info.artifact_uri.startswith((target.artifact_root or Path()).as_uri())
    assert "MLFLOW_TRACKING_URI" not in os.environ


def test_git_tags_outside_a_repository(target: TrackingTarget) -> None:
    with tracked_run("git", None, {}, target) as run:
        pass
    tags = _client(target).get_run(run.run_id).data.tags
    assert (tags["git.commit"], tags["git.dirty"]) == ("unknown", "unknown")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_and_dirty_flag(target: TrackingTarget, isolated: Path) -> None:
    # The project store lives in ./project; keep git from seeing it as untracked content.
    (isolated / ".gitignore").write_text("project/\n")
    (isolated / "train.py").write_text("print('v1')\n")
    _git(isolated, "init", "-q")
    _git(isolated, "add", ".")
    _git(isolated, "commit", "-q", "-m", "v1")
    sha = _git(isolated, "rev-parse", "HEAD")
    with tracked_run("git", "clean", {}, target) as clean:
        pass
    (isolated / "train.py").write_text("print('v2')\n")
    with tracked_run("git", "dirty", {}, target) as dirty:
        pass
    client = _client(target)
    clean_tags = client.get_run(clean.run_id).data.tags
    dirty_tags = client.get_run(dirty.run_id).data.tags
    assert clean_tags["git.commit"] == dirty_tags["git.commit"] == sha
    assert (clean_tags["git.dirty"], dirty_tags["git.dirty"]) == ("false", "true")


def test_history_is_logged_per_epoch_in_one_batch(
    target: TrackingTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = [
        {"train_loss": 1.0, "val_loss": 1.5},
        {"train_loss": 0.6, "val_loss": None},
        {"train_loss": 0.4, "val_loss": 0.9},
    ]
    with tracked_run("history", None, {}, target) as run:
        calls: list[int] = []
        original = run.client.log_batch

        def counting(run_id: str, metrics=(), params=(), tags=(), synchronous=None):
            calls.append(len(metrics))
            return original(run_id, metrics=metrics, params=params, tags=tags)

        monkeypatch.setattr(run.client, "log_batch", counting)
        run.log_history(history)
        assert calls == [5]
        run.log_history([{"epoch": 10, "lr": 0.1}])
    client = _client(target)
    train = client.get_metric_history(run.run_id, "train_loss")
    assert [(m.step, m.value) for m in train] == [(0, 1.0), (1, 0.6), (2, 0.4)]
    val = client.get_metric_history(run.run_id, "val_loss")
    assert [(m.step, m.value) for m in val] == [(0, 1.5), (2, 0.9)]
    assert [(m.step, m.value) for m in client.get_metric_history(run.run_id, "lr")] == [(10, 0.1)]
    assert "epoch" not in client.get_run(run.run_id).data.metrics


def test_long_history_is_split_at_the_batch_limit(target: TrackingTarget) -> None:
    history = [{"a": float(i), "b": float(-i)} for i in range(700)]  # 1400 metrics
    with tracked_run("history", "long", {}, target) as run:
        run.log_history(history)
    points = _client(target).get_metric_history(run.run_id, "b")
    assert len(points) == 700
    assert sorted((m.step, m.value) for m in points)[-1] == (699, -699.0)


def test_metrics_figures_tables_dicts_and_files(target: TrackingTarget, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    table = pd.DataFrame({"shop": ["a", "b"], "wape": [0.1, 0.2]})
    with tracked_run("artifacts", None, {}, target) as run:
        run.log_metrics({"wape": 0.25, "mae": 3.0})
        run.log_metrics({"wape": 0.2}, step=1)
        run.log_figure(fig, "plots/forecast")
        run.log_table(table, "tables/by_shop")
        run.log_table(table, "by_shop.parquet")
        run.log_dict({"a": [1, 2]}, "summary")
        run.log_artifact(notes)
    plt.close(fig)
    client = _client(target)
    data = client.get_run(run.run_id).data
    assert data.metrics == {"wape": 0.2, "mae": 3.0}
    names = {a.path for a in client.list_artifacts(run.run_id)}
    expected = {"config.yaml", "plots", "tables", "by_shop.parquet", "summary.json", "notes.txt"}
    assert expected <= names
    assert [a.path for a in client.list_artifacts(run.run_id, "plots")] == ["plots/forecast.png"]
    csv = client.download_artifacts(run.run_id, "tables/by_shop.csv", str(tmp_path))
    pd.testing.assert_frame_equal(pd.read_csv(csv), table)
    parquet = client.download_artifacts(run.run_id, "by_shop.parquet", str(tmp_path))
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), table)


def test_exception_marks_run_failed_and_propagates(target: TrackingTarget) -> None:
    with pytest.raises(ZeroDivisionError), tracked_run("failing", None, {}, target) as run:
        run.log_metrics({"loss": 1.0})
        _ = 1 / 0
    assert _client(target).get_run(run.run_id).info.status == "FAILED"
    # the next run starts cleanly (no run left active)
    with tracked_run("failing", None, {}, target) as again:
        pass
    assert _client(target).get_run(again.run_id).info.status == "FINISHED"


def test_log_python_model_requires_its_run(target: TrackingTarget) -> None:
    with tracked_run("model", None, {}, target) as run:
        pass
    with pytest.raises(RuntimeError, match="inside its tracked_run"):
        run.log_python_model(object())
