"""Scenario x policy x seed sweeps of the twin as Ray tasks, collected into one MLflow experiment.

Every :class:`~groupbuy_ml.twin.run.RunSpec` is picklable, so each run is one Ray task
(``num_cpus=1``) on a local Ray (``address=None``: started in this process) or on a cluster
given by address (``"ray://head:10001"``, or ``"auto"`` / ``"HOST:6379"`` from a machine of the
cluster). The driver logs each result as it comes back -- one MLflow run per task with the
spec, the KPIs, the daily KPIs as metric histories (step = day) and the tables -- so the tracking
store (SQLite for one machine, a server such as ``docs/tracking.md``'s on PostgreSQL for a team)
is written from one process, and a task that fails leaves the others' runs in place.
"""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from groupbuy_ml.twin.run import RunSpec, TwinResult, run_twin

__all__ = ["SweepRun", "grid", "run_sweep"]


@dataclass
class SweepRun:
    """One finished task: its result, the node that ran it, the MLflow run id (if tracked)."""

    result: TwinResult
    node: str
    run_id: str | None = None


def _run_task(spec: RunSpec) -> tuple[TwinResult, str]:
    return run_twin(spec), socket.gethostname() + ":" + _node_id()


def _node_id() -> str:
    import ray

    return ray.get_runtime_context().get_node_id()


def grid(specs: Iterable[RunSpec], seeds: Sequence[int]) -> list[RunSpec]:
    """Every spec once per seed (names get ``-seed<k>``)."""
    return [RunSpec(s.config, s.policies, s.scenario, seed, f"{s.name}-seed{seed}")
            for s, seed in itertools.product(specs, seeds)]


def run_sweep(specs: Sequence[RunSpec], address: str | None = None,
              experiment: str | None = None, tracking_uri: str | None = None,
              root: str = ".", runtime_env: dict[str, Any] | None = None,
              num_cpus: int = 2) -> list[SweepRun]:
    """Run ``specs`` as Ray tasks; log each result to MLflow ``experiment`` when given.

    Args:
        address: Ray cluster address; None starts (or joins) a local Ray in this process.
        experiment, tracking_uri, root: where results go (``resolve_tracking(tracking_uri,
            root)``); None experiment: not tracked.
        runtime_env: Ray runtime environment for the tasks (e.g. ``{"env_vars": {...}}``).
        num_cpus: CPUs of the local Ray (``address=None`` only): tasks running at once.
    """
    import ray

    started = not ray.is_initialized()
    if started:
        if address is None:  # a private local Ray: never attaches to someone else's
            ray.init(address="local", num_cpus=num_cpus, include_dashboard=False,
                     object_store_memory=256 * 1024**2, _temp_dir=f"/tmp/ray_tw{os.getpid()}",
                     runtime_env=runtime_env, log_to_driver=False)
        else:
            ray.init(address=address, runtime_env=runtime_env, log_to_driver=False)
    try:
        task = ray.remote(num_cpus=1)(_run_task)
        pending = {task.remote(spec): spec for spec in specs}
        done: list[SweepRun] = []
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            spec = pending.pop(ready[0])
            result, node = ray.get(ready[0])
            run_id = _log(result, spec, node, experiment, tracking_uri, root) \
                if experiment else None
            done.append(SweepRun(result, node, run_id))
        return done
    finally:
        if started:
            ray.shutdown()


def _log(result: TwinResult, spec: RunSpec, node: str, experiment: str,
         tracking_uri: str | None, root: str) -> str:
    import math

    from groupbuy_ml.tracking import resolve_tracking, tracked_run
    from groupbuy_ml.twin.tracking import log_result

    config = {"twin": spec.config.model_dump(), "scenario": spec.scenario.model_dump(),
              "policies": result.policies, "seed": spec.seed}
    tags = {"task": "twin", "ordering": type(spec.policies.ordering).__name__,
            "scenario": spec.scenario.name, "ray_node": node}
    with tracked_run(experiment, spec.name, config, resolve_tracking(tracking_uri, root),
                     tags=tags) as run:
        history = [{"epoch": int(row["day"]),
                    **{f"day.{k}": float(v) for k, v in row.items()
                       if k not in ("day", "date") and isinstance(v, int | float)
                       and not math.isnan(float(v))}}
                   for row in result.daily.to_dict("records")]
        run.log_history(history)
        log_result(run, result)
        return run.run_id
