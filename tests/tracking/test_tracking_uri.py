"""Resolving tracking URIs, creating experiments, and scoping MLflow's global URI."""

from __future__ import annotations

import os
from pathlib import Path

import mlflow
import pytest

from groupbuy_ml.tracking import (
    TrackingTarget,
    activate,
    ensure_experiment,
    resolve_tracking,
    tracking_client,
)


def test_default_is_sqlite_inside_the_project(project: Path) -> None:
    target = resolve_tracking(None, project)
    assert target.uri == f"sqlite:///{project}/mlflow/mlflow.db"
    assert target.uri.startswith("sqlite:////")  # absolute path
    assert target.artifact_root == project / "mlflow" / "artifacts"
    assert not target.is_server


def test_root_defaults_to_working_folder(isolated: Path) -> None:
    assert resolve_tracking().uri == f"sqlite:///{isolated}/mlflow/mlflow.db"


def test_server_uri_leaves_artifacts_to_the_server(project: Path) -> None:
    target = resolve_tracking("http://10.0.0.5:5000", project)
    assert target == TrackingTarget("http://10.0.0.5:5000", None)
    assert target.is_server


def test_environment_variable_is_used_when_no_uri_is_given(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking:5000")
    assert resolve_tracking(None, project).uri == "http://tracking:5000"
    assert resolve_tracking("sqlite:///x.db", project).uri == f"sqlite:///{project}/x.db"


def test_relative_sqlite_is_anchored_at_root(project: Path) -> None:
    target = resolve_tracking("sqlite:///runs/store.db", project)
    assert target.uri == f"sqlite:///{project}/runs/store.db"
    assert target.artifact_root == project / "runs" / "artifacts"
    absolute = resolve_tracking("sqlite:////data/m.db", project)
    assert absolute == TrackingTarget("sqlite:////data/m.db", Path("/data/artifacts"))


def test_file_store_keeps_its_own_artifacts(project: Path) -> None:
    target = resolve_tracking("file:///srv/mlruns", project)
    assert target == TrackingTarget("file:///srv/mlruns", None)
    assert resolve_tracking("runs", project).uri == (project / "runs").as_uri()


def test_ensure_experiment_sets_artifact_location_and_is_idempotent(
    target: TrackingTarget,
) -> None:
    first = ensure_experiment("forecasting/tft", target)
    assert ensure_experiment("forecasting/tft", target) == first
    experiment = tracking_client(target).get_experiment(first)
    assert target.artifact_root is not None
    assert experiment.artifact_location == (target.artifact_root / "forecasting_tft").as_uri()


def test_ensure_experiment_restores_a_deleted_one(target: TrackingTarget) -> None:
    client = tracking_client(target)
    experiment_id = ensure_experiment("gone", target)
    client.delete_experiment(experiment_id)
    assert ensure_experiment("gone", target) == experiment_id
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"


def test_activate_points_mlflow_at_target_and_restores(
    target: TrackingTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://outer:5000")
    with activate(target):
        assert mlflow.get_tracking_uri() == target.uri
        assert mlflow.get_registry_uri() == target.uri
        assert os.environ["MLFLOW_TRACKING_URI"] == target.uri
    assert os.environ["MLFLOW_TRACKING_URI"] == "http://outer:5000"
    assert "MLFLOW_REGISTRY_URI" not in os.environ
    assert mlflow.get_tracking_uri() == "http://outer:5000"


def test_display_uri_hides_only_the_password() -> None:
    from groupbuy_ml.tracking import display_uri

    assert display_uri("postgresql://ml:s3cret@db:5432/mlflow") == \
        "postgresql://ml:***@db:5432/mlflow"
    for uri in ("sqlite:////srv/mlflow.db", "http://mlflow.internal:5000", "file:///tmp/x"):
        assert display_uri(uri) == uri
