"""Fixtures of the federated tests; their doubles live in ``federated_doubles`` (next to this
file, importable because this folder is put on ``sys.path``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated MLflow SQLite store (migrating one costs seconds; copies are free)."""
    from mlflow.tracking import MlflowClient

    db = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(f"sqlite:///{db}").search_experiments()
    return db


@pytest.fixture
def mlflow_db(mlflow_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template store for one test."""
    db = tmp_path / "mlflow.db"
    shutil.copy(mlflow_template, db)
    return db
