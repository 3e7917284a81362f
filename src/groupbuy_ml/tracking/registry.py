"""The model registry: promote the best run's model to ``champion`` and load it back.

MLflow 3 has no stages; a registered model's *alias* (``champion`` by default) points at one
version, and ``models:/<name>@champion`` always loads whatever it points at. :func:`promote`
picks the best finished run of an experiment by a metric, registers the model that run logged
(reusing the version if that run was registered before) and moves the alias to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import mlflow
from mlflow.entities import LoggedModel, Run
from mlflow.entities.logged_model_status import LoggedModelStatus
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from groupbuy_ml.errors import ConfigError, UnknownNameError
from groupbuy_ml.tracking.library_model import unwrap
from groupbuy_ml.tracking.selection import select_runs, validation_metric
from groupbuy_ml.tracking.uri import TrackingTarget, activate, display_uri, tracking_client

__all__ = ["ChampionInfo", "Promotion", "champion_info", "load_champion", "promote"]

_PAGE = 1000


@dataclass(frozen=True)
class Promotion:
    """What :func:`promote` did: ``model_name`` version ``version`` (from ``run_id``, with
    ``metric`` = ``value``) now carries the alias; ``previous_version`` carried it before."""

    model_name: str
    version: int
    run_id: str
    metric: str
    value: float
    previous_version: int | None
    compared: tuple[tuple[str, float], ...] = ()
    """With ``validation_only``: (run id, metric value) of every run compared, best first."""
    excluded: Mapping[str, str] = field(default_factory=dict)
    """With ``validation_only``: run id -> why it did not compete."""


@dataclass(frozen=True)
class ChampionInfo:
    """The registered model version an alias points at."""

    model_name: str
    alias: str
    version: int
    run_id: str | None
    model_uri: str
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def metric(self) -> str | None:
        """The metric the version was promoted on, if :func:`promote` registered it."""
        return self.tags.get("promotion.metric")

    @property
    def value(self) -> float | None:
        """The metric value the version was promoted with, if known."""
        raw = self.tags.get("promotion.value")
        return float(raw) if raw is not None else None


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _finished_runs(client: MlflowClient, experiment_id: str, filter_string: str) -> Iterator[Run]:
    query = "attributes.status = 'FINISHED'"
    if filter_string.strip():
        query = f"{query} and {filter_string}"
    token = None
    while True:
        page = client.search_runs([experiment_id], query, max_results=_PAGE, page_token=token)
        yield from page
        token = page.token
        if not token:
            return


def _models_by_run(client: MlflowClient, experiment_id: str, name: str) -> dict[str, LoggedModel]:
    """The newest READY logged model called ``name`` of every run of the experiment."""
    found: dict[str, LoggedModel] = {}
    token = None
    while True:
        page = client.search_logged_models(
            [experiment_id], filter_string=f"name = {_quote(name)}", page_token=token
        )
        for model in page:
            if model.source_run_id is None or model.status != LoggedModelStatus.READY:
                continue
            best = found.get(model.source_run_id)
            if best is None or model.creation_timestamp > best.creation_timestamp:
                found[model.source_run_id] = model
        token = page.token
        if not token:
            return found


def _alias_version(client: MlflowClient, name: str, alias: str) -> int | None:
    try:
        return int(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def _no_candidate_error(
    experiment: str, metric: str, runs: list[Run], with_model: set[str], artifact_path: str
) -> ConfigError:
    metrics = sorted({key for run in runs for key in run.data.metrics})
    with_metric = [r for r in runs if metric in r.data.metrics]
    if not runs:
        why = "it has no FINISHED runs (matching the filter)"
    elif not with_metric:
        why = f"no FINISHED run logged that metric; metrics that exist: {metrics or 'none'}"
    elif not any(r.info.run_id in with_model for r in with_metric):
        why = f"none of the {len(with_metric)} runs with it logged a model named {artifact_path!r}"
    else:
        why = "every value of it is NaN"
    return ConfigError(f"cannot promote from experiment {experiment!r} by metric {metric!r}: {why}")


def _registered_version(
    client: MlflowClient, name: str, run_id: str, model: LoggedModel, tags: Mapping[str, str]
) -> int:
    """The version of ``name`` holding ``run_id``'s model, registering it if there is none."""
    try:
        client.create_registered_model(name)
    except MlflowException as error:
        if error.error_code not in ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"):
            raise
    existing = client.search_model_versions(f"name = {_quote(name)} and run_id = {_quote(run_id)}")
    if existing:
        version = min(int(v.version) for v in existing)
        for key, value in tags.items():
            client.set_model_version_tag(name, str(version), key, value)
        return version
    created = client.create_model_version(
        name,
        source=f"models:/{model.model_id}",
        run_id=run_id,
        tags=dict(tags),
        model_id=model.model_id,
    )
    return int(created.version)


def promote(
    experiment: str,
    metric: str,
    target: TrackingTarget,
    mode: Literal["min", "max"] = "min",
    model_name: str | None = None,
    alias: str = "champion",
    artifact_path: str = "model",
    filter_string: str = "",
    validation_only: bool = False,
) -> Promotion:
    """Register the best finished run's model and point ``alias`` at it.

    Args:
        experiment: experiment name whose runs compete.
        metric: metric to rank by (its last logged value per run).
        target: the tracking store.
        mode: ``"min"`` for errors/losses, ``"max"`` for scores.
        model_name: registered model name (default: the experiment name).
        alias: alias to move (default ``champion``).
        artifact_path: name the model was logged under (``log_python_model(name=...)``).
        filter_string: extra MLflow run filter, e.g. ``"params.model = 'tft'"``.
        validation_only: rank on the validation metric (``rmsse`` -> ``val_rmsse``; a
            ``test_*`` metric is refused) among comparable, non-smoke runs only
            (:func:`~groupbuy_ml.tracking.selection.select_runs`); ``groupbuy promote`` does.

    Runs that lack the metric, have a NaN value or logged no model called ``artifact_path``
    are ignored; ties go to the earlier run. Promoting the same run again reuses its version.

    Raises:
        ValueError: the experiment does not exist or no run qualifies (the message lists the
            metrics that do exist).
    """
    if mode not in ("min", "max"):
        raise ConfigError(f"mode must be 'min' or 'max', not {mode!r}")
    client = tracking_client(target)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise UnknownNameError(f"cannot promote: no experiment named {experiment!r} in "
                               f"{display_uri(target.uri)}")
    runs = list(_finished_runs(client, found.experiment_id, filter_string))
    models = _models_by_run(client, found.experiment_id, artifact_path)
    compared: tuple[tuple[str, float], ...] = ()
    excluded: dict[str, str] = {}
    if validation_only:
        metric = validation_metric(metric)
        selection = select_runs(runs, metric, set(models), mode)
        runs, excluded = selection.compared, selection.excluded
        compared = tuple((r.info.run_id, float(r.data.metrics[metric])) for r in runs)
    candidates = [
        run
        for run in runs
        if run.info.run_id in models
        and metric in run.data.metrics
        and not math.isnan(run.data.metrics[metric])
    ]
    if not candidates:
        raise _no_candidate_error(experiment, metric, runs, set(models), artifact_path)
    sign = 1.0 if mode == "min" else -1.0
    best = min(candidates, key=lambda r: (sign * r.data.metrics[metric], r.info.start_time))
    value = float(best.data.metrics[metric])
    name = model_name or experiment
    previous = _alias_version(client, name, alias)
    tags = {
        "promotion.metric": metric,
        "promotion.value": repr(value),
        "promotion.mode": mode,
        "source.run_id": best.info.run_id,
        "source.experiment": experiment,
    }
    # MLflow's SQL registry resolves a ``models:/<model_id>`` source through the *global*
    # tracking URI, so point it at the target while registering.
    with activate(target):
        version = _registered_version(
            client, name, best.info.run_id, models[best.info.run_id], tags
        )
        client.set_registered_model_alias(name, alias, str(version))
    return Promotion(name, version, best.info.run_id, metric, value, previous, compared,
                     excluded)


def champion_info(
    model_name: str, target: TrackingTarget, alias: str = "champion"
) -> ChampionInfo | None:
    """The version ``alias`` points at, or ``None`` if the model or alias does not exist."""
    client = tracking_client(target)
    try:
        version = client.get_model_version_by_alias(model_name, alias)
    except MlflowException:
        return None
    return ChampionInfo(
        model_name=model_name,
        alias=alias,
        version=int(version.version),
        run_id=version.run_id,
        model_uri=f"models:/{model_name}@{alias}",
        tags=dict(version.tags or {}),
    )


def load_champion(model_name: str, target: TrackingTarget, alias: str = "champion") -> Any:
    """Load the model ``alias`` points at and return the library object inside it.

    For a model logged with :meth:`RunLogger.log_python_model` this is the original object
    (with its own ``predict``); other pyfunc models come back as MLflow pyfunc models.

    Raises:
        LookupError: ``model_name`` has no version under ``alias``.
    """
    if champion_info(model_name, target, alias) is None:
        raise UnknownNameError(f"registered model {model_name!r} has no {alias!r} alias in "
                               f"{display_uri(target.uri)}")
    with activate(target):
        loaded = mlflow.pyfunc.load_model(f"models:/{model_name}@{alias}")
    return unwrap(loaded)
