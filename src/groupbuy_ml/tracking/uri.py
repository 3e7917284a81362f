"""Where runs go: resolving ``tracking.uri`` to a store and making sure experiments exist.

By default runs go to a SQLite store inside the project folder, ``<root>/mlflow/mlflow.db``,
with artifacts under ``<root>/mlflow/artifacts``. ``tracking.uri=http://HOST:PORT`` (or the
``MLFLOW_TRACKING_URI`` environment variable) selects a real MLflow tracking server instead;
the server then decides where artifacts go.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

__all__ = [
    "STORE_DIR",
    "TrackingTarget",
    "activate",
    "display_uri",
    "ensure_experiment",
    "resolve_tracking",
    "tracking_client",
]

_log = logging.getLogger(__name__)

STORE_DIR = "mlflow"
"""Folder (relative to the project root) holding the default SQLite store and artifacts."""

_DATABASE_SCHEMES = ("sqlite", "postgresql", "mysql", "mssql")


@dataclass(frozen=True)
class TrackingTarget:
    """A resolved MLflow store.

    Attributes:
        uri: the tracking (and registry) URI handed to MLflow.
        artifact_root: local folder under which new experiments keep their artifacts, or
            ``None`` when the store decides (a tracking server, a file store).
    """

    uri: str
    artifact_root: Path | None = None

    @property
    def is_server(self) -> bool:
        """Whether the URI points at a tracking server reached over HTTP."""
        return urlparse(self.uri).scheme in ("http", "https")


def display_uri(uri: str) -> str:
    """``uri`` with any password replaced by ``***``: safe for messages and logs
    (``postgresql://user:secret@db/mlflow`` -> ``postgresql://user:***@db/mlflow``)."""
    parsed = urlparse(uri)
    if parsed.password is None:
        return uri
    host = parsed.netloc.rsplit("@", 1)[1]
    return parsed._replace(netloc=f"{parsed.username}:***@{host}").geturl()


def _scheme(uri: str) -> str:
    return urlparse(uri).scheme.split("+", 1)[0]


def _sqlite_target(uri: str, root: Path) -> TrackingTarget:
    # sqlite:///relative.db is relative to the working folder in SQLAlchemy; anchor it at root.
    raw = uri.split("://", 1)[1]
    path_part = raw[1:] if raw.startswith("/") else raw
    if path_part in ("", ":memory:"):
        return TrackingTarget(uri, root / STORE_DIR / "artifacts")
    path = Path(unquote(path_part.split("?", 1)[0]))
    db = path if path.is_absolute() else (root / path)
    db = db.absolute()
    return TrackingTarget(f"sqlite:///{db.as_posix()}", db.parent / "artifacts")


def resolve_tracking(uri: str | None = None, root: Path | str | None = None) -> TrackingTarget:
    """Resolve a configured tracking URI to a :class:`TrackingTarget`.

    Args:
        uri: ``None``/empty (then ``MLFLOW_TRACKING_URI`` if set, else the local SQLite store),
            ``http(s)://HOST:PORT`` for a tracking server, ``sqlite:///path.db`` (relative paths
            are taken relative to ``root``), another SQLAlchemy database URI, or a file store
            (``file:///path`` or a plain folder path).
        root: the project folder; defaults to the current working folder.
    """
    root = Path(root) if root is not None else Path.cwd()
    root = root.absolute()
    uri = uri or os.environ.get("MLFLOW_TRACKING_URI") or None
    if uri is None:
        store = root / STORE_DIR
        return TrackingTarget(f"sqlite:///{(store / 'mlflow.db').as_posix()}", store / "artifacts")
    scheme = _scheme(uri)
    if scheme == "sqlite":
        return _sqlite_target(uri, root)
    if scheme in _DATABASE_SCHEMES:
        return TrackingTarget(uri, root / STORE_DIR / "artifacts")
    if scheme in ("", "file"):
        path = Path(unquote(urlparse(uri).path)) if scheme == "file" else Path(uri)
        path = path if path.is_absolute() else root / path
        # A file store keeps each experiment's artifacts inside the store folder itself.
        return TrackingTarget(path.absolute().as_uri(), None)
    return TrackingTarget(uri, None)


def tracking_client(target: TrackingTarget) -> MlflowClient:
    """An :class:`MlflowClient` for ``target`` (tracking and registry), creating local folders."""
    if _scheme(target.uri) == "sqlite" and target.uri.startswith("sqlite:////"):
        Path(target.uri[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    if target.artifact_root is not None:
        target.artifact_root.mkdir(parents=True, exist_ok=True)
    return MlflowClient(tracking_uri=target.uri, registry_uri=target.uri)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "experiment"


def ensure_experiment(name: str, target: TrackingTarget) -> str:
    """Return the id of experiment ``name``, creating it if needed.

    For local stores the experiment gets an explicit artifact location,
    ``<artifact_root>/<name>``, so that artifacts never land in a stray ``./mlruns``.
    A deleted experiment of that name is restored.
    """
    client = tracking_client(target)
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        location = None
        if target.artifact_root is not None:
            location = (target.artifact_root / _slug(name)).as_uri()
        try:
            return client.create_experiment(name, artifact_location=location)
        except MlflowException:
            experiment = client.get_experiment_by_name(name)  # created concurrently
            if experiment is None:
                raise
    if experiment.lifecycle_stage == "deleted":
        _log.warning("restoring deleted MLflow experiment %r", name)
        client.restore_experiment(experiment.experiment_id)
    return experiment.experiment_id


@contextmanager
def activate(target: TrackingTarget) -> Iterator[None]:
    """Point MLflow's global (fluent) API at ``target`` for the duration of the block.

    MLflow's fluent calls (``mlflow.start_run``, ``log_model``, ``pyfunc.load_model``) read a
    process-wide URI and mirror it into ``MLFLOW_TRACKING_URI``/``MLFLOW_REGISTRY_URI``. Both the
    globals and the environment are restored on exit.
    """
    from mlflow.tracking._model_registry import utils as registry_state
    from mlflow.tracking._tracking_service import utils as tracking_state

    saved_env = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    saved_tracking = getattr(tracking_state, "_tracking_uri", None)
    saved_registry = getattr(registry_state, "_registry_uri", None)
    tracking_client(target)  # create local folders
    mlflow.set_tracking_uri(target.uri)
    mlflow.set_registry_uri(target.uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(saved_tracking)
        registry_state._registry_uri = saved_registry
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
