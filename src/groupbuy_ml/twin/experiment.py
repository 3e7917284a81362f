"""The twin experiment a Hydra config describes: build the run, simulate it, track it in MLflow.

``groupbuy twin experiment=twin_default`` ends here. The config names the city and run shape
(``twin``: :class:`~groupbuy_ml.twin.run.TwinConfig` fields), the policies (``policy``: one
``_target_`` per hook, ``ordering`` at least), the what-if ``scenario``
(:class:`~groupbuy_ml.twin.scenarios.Scenario` fields) and the ``seed``. Every run is an MLflow
run with the resolved config and git state, one metric batch per scored day as it is settled
(a run that fails midway keeps them and ends ``FAILED``), the run's KPIs, the daily and warning
tables and the charts (:mod:`~groupbuy_ml.twin.tracking`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from groupbuy_ml.twin.errors import ScenarioError, TwinConfigError
from groupbuy_ml.twin.policy_set import HOOKS, PolicySet
from groupbuy_ml.twin.run import RunSpec, TwinConfig, TwinResult, run_twin, write_result
from groupbuy_ml.twin.scenarios import Scenario


def _pydantic(model: type[pydantic.BaseModel], values: dict, prefix: str,
              error: type[Exception]) -> Any:
    try:
        return model(**values)
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise error(f"{prefix}.{where}: {first['msg']} (got {first.get('input')!r})") from None


def build_policies(node: Any) -> PolicySet:
    """A :class:`PolicySet` from a ``policy`` config (``{hook: {_target_: ...}}``)."""
    given = {} if node is None else OmegaConf.to_container(node, resolve=False) \
        if isinstance(node, DictConfig) else dict(node)
    unknown = sorted(set(given) - set(HOOKS))
    if unknown:
        raise TwinConfigError(f"policy.{unknown[0]}: not a decision hook; expected some of "
                              f"{list(HOOKS)}")
    return PolicySet(**{hook: instantiate(node[hook], _convert_="all") for hook in given})


def build_spec(cfg: DictConfig) -> RunSpec:
    """The :class:`RunSpec` of a composed ``twin`` config (bad fields named before any day)."""
    twin = _pydantic(TwinConfig, OmegaConf.to_container(cfg.twin, resolve=True), "twin",
                     TwinConfigError)
    scenario = _pydantic(Scenario, OmegaConf.to_container(cfg.scenario, resolve=True),
                         "scenario", ScenarioError)
    policies = build_policies(cfg.policy)
    name = cfg.tracking.run_name or f"{type(policies.ordering).__name__}-{scenario.name}"
    return RunSpec(twin, policies, scenario, int(cfg.seed), name)


def run_twin_experiment(cfg: DictConfig) -> dict[str, float]:
    """Run and track the twin experiment ``cfg``; returns the run's KPIs (+ ``run_id``)."""
    from groupbuy_ml.tracking import resolve_tracking, tracked_run
    from groupbuy_ml.twin.tracking import MlflowDayLogger, log_result

    spec = build_spec(cfg)
    target = resolve_tracking(cfg.tracking.uri, Path(cfg.paths.root_dir).resolve())
    resolved: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    tags = {"task": "twin", "ordering": type(spec.policies.ordering).__name__,
            "scenario": spec.scenario.name}
    with tracked_run(cfg.tracking.experiment, spec.name, resolved, target, tags=tags) as run:
        result: TwinResult = run_twin(spec, on_day=MlflowDayLogger(run))
        log_result(run, result)
        if cfg.get("out_dir"):
            write_result(result, Path(cfg.out_dir) / spec.name / f"seed{spec.seed}")
        metrics = dict(result.kpis)
        metrics["seconds_per_closed_day"] = result.seconds["seconds_per_closed_day"]
        metrics["run_id"] = run.run_id  # type: ignore[assignment]
    return metrics
