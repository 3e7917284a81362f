"""The Flower ServerApp: build the task's initial model and the strategy, run the rounds, log to
MLflow, write the result.

The ServerApp is as thin as in Flower's examples; the round loop lives in :mod:`.rounds`. What
it writes into ``spec.result_dir`` is what :func:`~groupbuy_ml.federated.run.run_federated`
returns in either mode: ``result.json`` (per-round history, excluded clients, timings) and
``global_model.pt`` (the final shared parameters as a torch state_dict).
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import torch
from flwr.app import ArrayRecord, Context
from flwr.serverapp import Grid, ServerApp

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.client_app import shared_state
from groupbuy_ml.federated.rounds import RoundLoopResult, run_rounds
from groupbuy_ml.federated.spec import SPEC_FILE_KEY, FederationSpec, build_task, load_spec
from groupbuy_ml.federated.strategies import build_strategy
from groupbuy_ml.federated.task import FederatedTask

__all__ = ["app", "make_server_app", "round_metrics"]

log = logging.getLogger(__name__)

RESULT_FILE = "result.json"
MODEL_FILE = "global_model.pt"


def round_metrics(row: dict[str, Any]) -> dict[str, float]:
    """One round's history row as flat MLflow metrics (``train.*``, ``eval.*``, bytes, time)."""
    metrics = {f"train.{k}": float(v) for k, v in row["train"].items()}
    metrics.update({f"eval.{k}": float(v) for k, v in row["evaluate"].items()})
    metrics.update({"bytes_down": float(row["bytes_down"]), "bytes_up": float(row["bytes_up"]),
                    "round_wall_s": float(row["wall_s"]),
                    "clients_failed": float(len(row["failures"]))})
    return metrics


def _tracked(spec: FederationSpec, task: FederatedTask, strategy: Any):
    if not spec.tracking:
        return nullcontext(None)
    from groupbuy_ml.tracking import resolve_tracking, tracked_run

    tracking = spec.tracking
    target = resolve_tracking(tracking.get("uri"), tracking.get("root"))
    config = spec.config or {
        "task": task.describe(), "num_rounds": spec.num_rounds,
        "training": vars(spec.training), "privacy": vars(spec.privacy) if spec.privacy else None,
        "secagg": spec.secagg is not None,
    }
    return tracked_run(
        tracking.get("experiment", "federated"), tracking.get("run_name"), config, target,
        tags={"federated.strategy": type(strategy).__name__, "federated.task": task.name},
    )


LIBRARY_MODEL_HOOKS = ("forecaster_from", "recommender_from")
"""Task methods that turn a trained state_dict into the library's model (registrable and
servable like any other run's model), e.g. ``ForecastTask.forecaster_from``."""


def _log_final_model(logger: Any, task: FederatedTask, model: torch.nn.Module,
                     result_dir: Path, log_model: bool) -> None:
    logger.log_artifact(result_dir / MODEL_FILE, "federated")
    if not log_model:
        return
    for hook in LIBRARY_MODEL_HOOKS:
        export = getattr(task, hook, None)
        if callable(export):
            logger.log_python_model(export(model.state_dict()), name="model")
            return


def _write_result(spec: FederationSpec, state: RoundLoopResult, model: torch.nn.Module,
                  task: FederatedTask, started: float, run_id: str | None) -> Path:
    result_dir = Path(spec.result_dir) if spec.result_dir else Path.cwd() / "federated_result"
    result_dir.mkdir(parents=True, exist_ok=True)
    torch.save(shared_state(model, task), result_dir / MODEL_FILE)
    epsilons = [row["train"]["epsilon"] for row in state.history if "epsilon" in row["train"]]
    result = {
        "history": state.history,
        "excluded": state.excluded,
        "first_round": state.first_round,
        "wall_time_s": time.perf_counter() - started,
        "epsilon_total": max(epsilons) if epsilons else None,
        "mlflow_run_id": run_id,
    }
    (result_dir / RESULT_FILE).write_text(json.dumps(result, indent=1, default=float))
    return result_dir


def serve_rounds(grid: Grid, context: Context, spec: FederationSpec) -> None:
    """The ServerApp's main: everything between the first and the last round."""
    started = time.perf_counter()
    task = build_task(spec.task)
    strategy = build_strategy(spec.strategy)
    model = task.build_model()
    initial = ArrayRecord(shared_state(model, task))
    with _tracked(spec, task, strategy) as logger:
        if logger is not None and hasattr(strategy, "describe"):
            logger.log_params({"strategy": strategy.describe()})

        def on_round(row: dict[str, Any]) -> None:
            log.info("round %d: %s", row["round"], round_metrics(row))
            if logger is not None:
                logger.log_metrics(round_metrics(row), step=row["round"])

        state = run_rounds(grid, context, spec, strategy, initial, on_round)
        model.load_state_dict(state.arrays.to_torch_state_dict(), strict=False)
        run_id = logger.run_id if logger is not None else None
        result_dir = _write_result(spec, state, model, task, started, run_id)
        if logger is not None:
            if state.history and state.history[-1]["train"].get("epsilon") is not None:
                logger.log_metrics({"epsilon_total": max(
                    r["train"].get("epsilon", 0.0) for r in state.history)})
            _log_final_model(logger, task, model, result_dir,
                             bool(spec.tracking.get("log_model", True)))


def make_server_app(spec: FederationSpec | None = None) -> ServerApp:
    """A ServerApp for ``spec`` (None: read the spec file named in the run config)."""
    server = ServerApp()

    @server.main()
    def main(grid: Grid, context: Context) -> None:
        run_spec = spec
        if run_spec is None:
            if SPEC_FILE_KEY not in context.run_config:
                raise ConfigError(f"run config has no {SPEC_FILE_KEY!r}: start the run with "
                                  "run_federated or `groupbuy federate`")
            run_spec = load_spec(str(context.run_config[SPEC_FILE_KEY]))
        serve_rounds(grid, context, run_spec)

    return server


app = make_server_app()
