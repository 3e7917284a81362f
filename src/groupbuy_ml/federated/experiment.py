"""A federated experiment from a composed Hydra config (``configs/federate.yaml``).

``groupbuy federate experiment=NAME`` calls :func:`run_federated_experiment`: it builds the
strategy, the local-training, privacy and SecAgg+ settings from ``cfg.federated``, passes the
task on as its config (every client builds its own copy), runs
:func:`~groupbuy_ml.federated.run.run_federated` and returns the run's summary metrics.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.run import FederatedResult, ray_init_args, run_federated
from groupbuy_ml.federated.spec import SecAggSettings, build_task
from groupbuy_ml.federated.task import EmptyClientError, LocalTraining, PrivacySettings

__all__ = ["run_federated_experiment", "summary_metrics"]

log = logging.getLogger(__name__)

MODES = ("simulation", "deployment", "local")


def summary_metrics(result: FederatedResult) -> dict[str, Any]:
    """The last round's aggregated metrics, the privacy spent, bytes and time of the run."""
    metrics: dict[str, Any] = {"rounds": len(result.rounds), "wall_time_s": result.wall_time_s,
                               "excluded_clients": len(result.excluded)}
    if result.rounds:
        last = result.rounds[-1]
        metrics.update({f"train_{k}": v for k, v in last["train"].items()})
        metrics.update({f"eval_{k}": v for k, v in last["evaluate"].items()})
        metrics["bytes_up_total"] = sum(r["bytes_up"] for r in result.rounds)
        metrics["bytes_down_total"] = sum(r["bytes_down"] for r in result.rounds)
    if result.epsilon_total is not None:
        metrics["epsilon_total"] = result.epsilon_total
    if result.mlflow_run_id:
        metrics["run_id"] = result.mlflow_run_id
    return metrics


def _prepare_data(task_cfg: dict[str, Any], num_clients: int) -> None:
    """Load client 0 once here, so that data a source writes on first use (the simulated
    market) exists before several client processes read it at the same time."""
    task = build_task(task_cfg)
    try:
        task.load_client(0, num_clients)
    except EmptyClientError as err:
        log.warning("client 0 has no data (%s); it will be excluded from the run", err)


def run_federated_experiment(cfg: DictConfig) -> dict[str, Any]:
    """Run the federated experiment ``cfg`` describes; returns :func:`summary_metrics`."""
    fed = cfg.federated
    if fed.mode not in MODES:  # before any data is loaded
        raise ConfigError(f"federated.mode must be one of {MODES}, got {fed.mode!r}")
    resolved = OmegaConf.to_container(cfg, resolve=True)
    task_cfg = OmegaConf.to_container(fed.task, resolve=True)
    num_clients = int(fed.num_clients)
    strategy = instantiate(fed.strategy, _convert_="all")
    training = LocalTraining(**OmegaConf.to_container(fed.training, resolve=True))
    privacy = None
    if fed.privacy:
        privacy_cfg = OmegaConf.to_container(fed.privacy, resolve=True)
        privacy_cfg.setdefault("total_rounds", int(fed.rounds))
        privacy = PrivacySettings(**privacy_cfg)
    secagg = (SecAggSettings(**OmegaConf.to_container(fed.secagg, resolve=True))
              if fed.secagg else False)
    root = Path(cfg.paths.root_dir).absolute()
    tracking = {"experiment": cfg.tracking.experiment, "uri": cfg.tracking.uri,
                "root": str(root), "run_name": cfg.tracking.run_name,
                "log_model": bool(cfg.tracking.log_model)}
    backend = {"init_args": ray_init_args(int(fed.ray.num_cpus), int(fed.ray.object_store_mb)),
               "client_resources": {"num_cpus": int(fed.ray.cpus_per_client), "num_gpus": 0.0}}
    _prepare_data(task_cfg, num_clients)
    result = run_federated(
        task=task_cfg, strategy=strategy, num_clients=num_clients, rounds=int(fed.rounds),
        training=training, privacy=privacy, mode=str(fed.mode),
        checkpoint_dir=fed.checkpoint_dir, resume=bool(fed.resume), tracking=tracking,
        secagg=secagg, round_timeout=float(fed.round_timeout), config=resolved,
        backend_config=backend, deployment_timeout=float(fed.deployment_timeout),
    )
    return summary_metrics(result)
