"""Tracked runs: one context manager that records what a result needs to be reproduced.

``tracked_run`` opens an MLflow run and records, before any work happens: the resolved config
(``config.yaml`` plus flattened params), the git commit and dirty flag, data fingerprints,
library/Python/package versions and the seed. The :class:`RunLogger` it yields logs metrics,
per-epoch histories (in batches), figures, tables and models. An exception inside the block
ends the run as ``FAILED`` and propagates.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import mlflow
import pandas as pd
import yaml
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient
from mlflow.utils.validation import (
    MAX_METRICS_PER_BATCH,
    MAX_PARAMS_TAGS_PER_BATCH,
    MAX_TAG_VAL_LENGTH,
)

from groupbuy_ml.tracking.library_model import LibraryModel, default_pip_requirements
from groupbuy_ml.tracking.provenance import (
    find_seed,
    flatten_config,
    git_state,
    param_key,
    plain_config,
    version_tags,
)
from groupbuy_ml.tracking.uri import (
    TrackingTarget,
    activate,
    ensure_experiment,
    resolve_tracking,
    tracking_client,
)

__all__ = ["RunLogger", "tracked_run"]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _with_suffix(name: str, default: str) -> str:
    return name if PurePosixPath(name).suffix else f"{name}{default}"


def _split_artifact(name: str) -> tuple[str, str | None]:
    path = PurePosixPath(name)
    parent = str(path.parent)
    return path.name, (None if parent == "." else parent)


class RunLogger:
    """Logs into one open MLflow run. Obtained from :func:`tracked_run`."""

    def __init__(self, client: MlflowClient, run_id: str, target: TrackingTarget) -> None:
        self._client = client
        self._run_id = run_id
        self._target = target

    @property
    def run_id(self) -> str:
        """The MLflow run id."""
        return self._run_id

    @property
    def client(self) -> MlflowClient:
        """The client bound to this run's store (for anything not covered here)."""
        return self._client

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log (nested) params, flattened to dotted keys, in batches of MLflow's limit."""
        items = [Param(k, v) for k, v in flatten_config(plain_config(params)).items()]
        for chunk in _chunks(items, MAX_PARAMS_TAGS_PER_BATCH):
            self._client.log_batch(self._run_id, params=chunk)

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        """Set tags (values cut to MLflow's tag length limit), in batches."""
        items = [RunTag(param_key(k), str(v)[:MAX_TAG_VAL_LENGTH]) for k, v in tags.items()]
        for chunk in _chunks(items, MAX_PARAMS_TAGS_PER_BATCH):
            self._client.log_batch(self._run_id, tags=chunk)

    def _log_metric_objects(self, metrics: Sequence[Metric]) -> None:
        for chunk in _chunks(metrics, MAX_METRICS_PER_BATCH):
            self._client.log_batch(self._run_id, metrics=chunk)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Log metric values at ``step`` (0 when not given); ``None`` values are skipped."""
        now = int(time.time() * 1000)
        self._log_metric_objects(
            [Metric(k, float(v), now, step or 0) for k, v in metrics.items() if v is not None]
        )

    def log_history(self, history: Sequence[Mapping[str, float]]) -> None:
        """Log a per-epoch history (one mapping per epoch) in as few batch calls as possible.

        The step of each row is its ``"epoch"`` entry when present (not logged as a metric),
        otherwise its index in ``history``. ``None`` values are skipped, so metrics that exist
        only in some epochs (e.g. validation every other epoch) are fine.
        """
        now = int(time.time() * 1000)
        metrics = []
        for index, row in enumerate(history):
            step = int(row["epoch"]) if row.get("epoch") is not None else index
            metrics.extend(
                Metric(k, float(v), now, step)
                for k, v in row.items()
                if k != "epoch" and v is not None
            )
        self._log_metric_objects(metrics)

    def log_figure(self, fig: Any, name: str) -> None:
        """Save a matplotlib or plotly figure as an artifact (``.png`` if ``name`` has none)."""
        self._client.log_figure(self._run_id, fig, _with_suffix(name, ".png"))

    def log_artifact(self, path: Path | str, artifact_path: str | None = None) -> None:
        """Upload a local file or folder, optionally under ``artifact_path``."""
        path = Path(path)
        if path.is_dir():
            self._client.log_artifacts(self._run_id, str(path), artifact_path)
        else:
            self._client.log_artifact(self._run_id, str(path), artifact_path)

    def log_dict(self, obj: Mapping[str, Any] | Sequence[Any], name: str) -> None:
        """Save a dict/list as JSON, or YAML for ``.yaml``/``.yml`` names (``.json`` default)."""
        self._client.log_dict(self._run_id, plain_config(obj), _with_suffix(name, ".json"))

    def log_table(self, df: pd.DataFrame, name: str) -> None:
        """Save a table as a CSV artifact, or parquet when ``name`` ends in ``.parquet``."""
        name = _with_suffix(name, ".csv")
        file_name, folder = _split_artifact(name)
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / file_name
            if local.suffix == ".parquet":
                df.to_parquet(local)
            else:
                df.to_csv(local, index=False)
            self._client.log_artifact(self._run_id, str(local), folder)

    def log_python_model(
        self,
        model_obj: Any,
        name: str = "model",
        input_example: Any = None,
        pip_requirements: Sequence[str] | None = None,
    ) -> str:
        """Log any picklable object with a ``predict`` method as an MLflow pyfunc model.

        The object is wrapped in :class:`LibraryModel` and cloudpickled by MLflow. Requirements
        are pinned explicitly (:func:`default_pip_requirements` unless given), which keeps
        logging to about a second. Must be called in the thread that opened the run.

        Returns:
            The model URI (``models:/<model_id>``), loadable with ``mlflow.pyfunc.load_model``.
        """
        active = mlflow.active_run()
        if active is None or active.info.run_id != self._run_id:
            raise RuntimeError("log_python_model must be called inside its tracked_run block")
        reqs = list(pip_requirements or default_pip_requirements(model_obj))
        with activate(self._target):
            info = mlflow.pyfunc.log_model(
                name=name,
                python_model=LibraryModel(model_obj),
                input_example=input_example,
                pip_requirements=reqs,
            )
        return info.model_uri

    def _record_start(
        self,
        config: Mapping[str, Any],
        data_fingerprints: Mapping[str, str],
        tags: Mapping[str, str],
    ) -> None:
        self._client.log_text(
            self._run_id, yaml.safe_dump(dict(config), sort_keys=False), "config.yaml"
        )
        flat = flatten_config(config)
        fingerprints = {
            param_key(f"data.fingerprint.{k}"): str(v) for k, v in data_fingerprints.items()
        }
        params = [Param(k, v) for k, v in {**flat, **fingerprints}.items()]
        for chunk in _chunks(params, MAX_PARAMS_TAGS_PER_BATCH):
            self._client.log_batch(self._run_id, params=chunk)
        commit, dirty = git_state()
        start_tags: dict[str, str] = {"git.commit": commit, "git.dirty": dirty}
        start_tags.update(version_tags())
        start_tags.update(fingerprints)
        seed = find_seed(config, flat)
        if seed is not None:
            start_tags["seed"] = seed
        start_tags.update({k: str(v) for k, v in tags.items()})
        self.set_tags(start_tags)


@contextmanager
def tracked_run(
    experiment: str,
    run_name: str | None = None,
    config: Mapping[str, Any] | None = None,
    target: TrackingTarget | None = None,
    data_fingerprints: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
) -> Iterator[RunLogger]:
    """Open an MLflow run in ``experiment`` and yield a :class:`RunLogger` for it.

    Args:
        experiment: experiment name (created with a local artifact location if missing).
        run_name: display name; MLflow invents one when ``None``.
        config: the resolved config (dict or OmegaConf node); logged as ``config.yaml`` and as
            flattened params. A ``seed`` key (top level or nested) also becomes the ``seed`` tag.
        target: where to log (default: :func:`resolve_tracking` of the working folder).
        data_fingerprints: ``{name: digest}``, logged as ``data.fingerprint.<name>`` param+tag.
        tags: extra run tags.

    While the block runs, MLflow's global tracking URI points at ``target``, so plain
    ``mlflow.log_*`` calls inside it land in this run too. The run ends ``FINISHED``, or
    ``FAILED`` (``KILLED`` on Ctrl-C) when the block raises; the exception propagates.
    """
    target = target or resolve_tracking()
    resolved_config = plain_config(config or {})
    with activate(target):
        experiment_id = ensure_experiment(experiment, target)
        run = mlflow.start_run(
            experiment_id=experiment_id,
            run_name=run_name,
            nested=mlflow.active_run() is not None,
        )
        logger = RunLogger(tracking_client(target), run.info.run_id, target)
        status = "FAILED"
        try:
            logger._record_start(resolved_config, data_fingerprints or {}, tags or {})
            yield logger
            status = "FINISHED"
        except KeyboardInterrupt:
            status = "KILLED"
            raise
        finally:
            mlflow.end_run(status)
