"""Fixtures for the tracking tests: quiet MLflow, a fresh SQLite store per test, no stray files.

Creating an MLflow SQLite store runs ~100 schema migrations (about 7 s on two cores), so the
session migrates one empty template database and every test gets its own copy of it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Set before MLflow is imported anywhere: no progress bars, no telemetry thread.
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

from groupbuy_ml.tracking import TrackingTarget, resolve_tracking  # noqa: E402


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, fully migrated MLflow SQLite database (tracking + registry tables)."""
    from mlflow.tracking import MlflowClient

    folder = tmp_path_factory.mktemp("mlflow-template")
    db = folder / "mlflow.db"
    cwd = Path.cwd()
    os.chdir(folder)  # the Default experiment's artifact location is taken from the cwd
    try:
        client = MlflowClient(tracking_uri=f"sqlite:///{db}", registry_uri=f"sqlite:///{db}")
        client.search_experiments()
        client.search_registered_models()
    finally:
        os.chdir(cwd)
    return db


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run each test in its own working folder, with no tracking URI from the outside."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    yield tmp_path
    assert not (tmp_path / "mlruns").exists(), "artifacts leaked into ./mlruns"
    assert not (tmp_path / "mlflow.db").exists(), "MLflow used its default ./mlflow.db"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder (distinct from the working folder)."""
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def target(project: Path, template_db: Path) -> TrackingTarget:
    """The default local store of ``project``, pre-migrated."""
    store = project / "mlflow"
    store.mkdir()
    shutil.copyfile(template_db, store / "mlflow.db")
    resolved = resolve_tracking(None, project)
    assert resolved.uri == f"sqlite:///{store / 'mlflow.db'}"
    return resolved
