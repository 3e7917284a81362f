"""``run_federated``: one call that trains a task across clients, in simulation or deployment.

- ``mode="simulation"``: Flower's in-process Simulation Runtime on the Ray backend; each client
  is a virtual SuperNode whose ClientApp runs in a Ray actor (2 CPUs by default).
- ``mode="deployment"``: a real SuperLink and one SuperNode process per client on loopback,
  the run submitted with ``flwr run`` (:mod:`.deployment`).
- ``mode="local"``: the clients one after another in this process (:mod:`.local_grid`), for
  debugging and CI smoke runs.

All three run the same ServerApp and ClientApp code and return the same :class:`FederatedResult`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import torch

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.client_app import make_client_app
from groupbuy_ml.federated.server_app import MODEL_FILE, RESULT_FILE, make_server_app
from groupbuy_ml.federated.spec import FederationSpec, SecAggSettings, save_spec
from groupbuy_ml.federated.strategies import build_strategy
from groupbuy_ml.federated.task import FederatedTask, LocalTraining, PrivacySettings

__all__ = ["FederatedResult", "ray_init_args", "run_federated"]


@dataclass
class FederatedResult:
    """What a federated run produced.

    Attributes:
        rounds: one row per round: ``train`` and ``evaluate`` metrics (aggregated over clients;
            ``epsilon`` is the maximum over clients of the budget spent so far,
            ``epsilon_round`` what that round added), ``bytes_down``/``bytes_up`` (payload
            bytes measured on the messages), ``wall_s``, ``failures``.
        final_state: the final global parameters (torch state_dict, shared parameters only).
        excluded: node id -> why the client was left out of the run.
        wall_time_s: the server's wall time for the whole run.
        epsilon_total: the largest epsilon any client spent over the run (None without DP).
        mlflow_run_id: the MLflow run, when tracking was on.
        mode: "simulation" or "deployment".
        result_dir: where the server wrote ``result.json`` and ``global_model.pt``.
    """

    rounds: list[dict[str, Any]]
    final_state: dict[str, torch.Tensor]
    excluded: dict[str, str] = field(default_factory=dict)
    wall_time_s: float = 0.0
    epsilon_total: float | None = None
    mlflow_run_id: str | None = None
    mode: str = "simulation"
    result_dir: Path | None = None

    def table(self) -> pd.DataFrame:
        """Per-round metrics as a table (``train_*``, ``eval_*``, bytes, wall time)."""
        rows = []
        for row in self.rounds:
            flat = {"round": row["round"]}
            flat.update({f"train_{k}": v for k, v in row["train"].items()})
            flat.update({f"eval_{k}": v for k, v in row["evaluate"].items()})
            flat.update({k: row[k] for k in ("bytes_down", "bytes_up", "wall_s")})
            flat["failures"] = len(row["failures"])
            rows.append(flat)
        return pd.DataFrame(rows)

    @classmethod
    def read(cls, result_dir: Path | str, mode: str) -> FederatedResult:
        """Load what the ServerApp wrote into ``result_dir``."""
        result_dir = Path(result_dir)
        if not (result_dir / RESULT_FILE).exists():
            raise RuntimeError(f"the federated run wrote no result into {result_dir}; see the "
                               "server log above for the error")
        data = json.loads((result_dir / RESULT_FILE).read_text())
        return cls(
            rounds=data["history"],
            final_state=torch.load(result_dir / MODEL_FILE, weights_only=True),
            excluded=data["excluded"],
            wall_time_s=float(data["wall_time_s"]),
            epsilon_total=data["epsilon_total"],
            mlflow_run_id=data["mlflow_run_id"],
            mode=mode,
            result_dir=result_dir,
        )


def ray_init_args(num_cpus: int = 2, object_store_mb: int = 256) -> dict[str, Any]:
    """``ray.init`` arguments for a private local cluster: never attaches to another one, no
    dashboard, a bounded object store and a short temp folder (Unix socket paths are short)."""
    return {"address": "local", "num_cpus": num_cpus, "include_dashboard": False,
            "object_store_memory": object_store_mb * 1024**2,
            "_temp_dir": f"/tmp/ray_gb{os.getpid()}"}


def _simulate(spec: FederationSpec, num_clients: int, backend: dict[str, Any] | None,
              root: Path) -> None:
    from flwr.simulation import run_simulation

    backend_config = backend or {"init_args": ray_init_args(),
                                 "client_resources": {"num_cpus": 1, "num_gpus": 0.0}}
    # Ray pickles the ClientApp with every message: give it the spec file's path, not the task.
    spec_file = save_spec(spec, root / "spec.pkl")
    run_simulation(server_app=make_server_app(spec), client_app=make_client_app(spec_file),
                   num_supernodes=num_clients, backend_config=backend_config)
    temp_dir = backend_config.get("init_args", {}).get("_temp_dir")
    if temp_dir == ray_init_args()["_temp_dir"]:  # ours; Flower shut Ray down at the end
        shutil.rmtree(temp_dir, ignore_errors=True)


def run_federated(
    task: FederatedTask | dict[str, Any],
    strategy: Any = "fedavg",
    num_clients: int = 3,
    rounds: int = 3,
    training: LocalTraining | None = None,
    privacy: PrivacySettings | None = None,
    mode: Literal["simulation", "deployment", "local"] = "simulation",
    checkpoint_dir: Path | str | None = None,
    resume: bool = False,
    tracking: dict[str, Any] | None = None,
    secagg: bool | SecAggSettings = False,
    round_timeout: float = 600.0,
    workdir: Path | str | None = None,
    config: dict[str, Any] | None = None,
    backend_config: dict[str, Any] | None = None,
    deployment_timeout: float = 900.0,
) -> FederatedResult:
    """Train ``task`` across ``num_clients`` clients for ``rounds`` rounds with Flower.

    Args:
        task: a :class:`FederatedTask` or its Hydra config.
        strategy: ``"fedavg"``/``"fedprox"``/``"fedadam"``, a strategy instance (see
            :mod:`.strategies`) or its Hydra config.
        num_clients: clients (SuperNodes); client ``i`` loads partition ``i`` of the task.
        rounds: the last round to train (a resumed run continues up to it).
        training: local training per round (epochs, lr, batch size, FedProx mu, seed).
        privacy: client-side DP-SGD (Opacus) settings; the budget spans ``rounds`` rounds.
        mode: ``"simulation"`` (Ray), ``"deployment"`` (SuperLink + SuperNode processes) or
            ``"local"`` (clients in turn in this process, no Ray).
        checkpoint_dir: the server checkpoints the global model and strategy state here after
            every round.
        resume: continue from the checkpoint in ``checkpoint_dir``.
        tracking: ``{"experiment": ..., "uri": ..., "root": ..., "run_name": ...,
            "log_model": bool}`` to log per-round metrics and the final model to MLflow.
        secagg: True (or :class:`SecAggSettings`) to aggregate with SecAgg+.
        round_timeout: seconds to wait for the clients' replies in each round.
        workdir: where the run's spec and result go (a temporary folder when None).
        config: the resolved config, logged with the MLflow run.
        backend_config: Flower's Ray backend config (default: 2 CPUs, 1 per client).
        deployment_timeout: seconds a deployment run may take before it is stopped.
    """
    if mode not in ("simulation", "deployment", "local"):
        raise ConfigError(f"mode must be 'simulation', 'deployment' or 'local', got {mode!r}")
    if num_clients < 1:
        raise ConfigError(f"num_clients must be >= 1, got {num_clients}")
    training = training or LocalTraining()
    if privacy is not None and privacy.total_rounds < rounds:
        privacy = dataclasses.replace(privacy, total_rounds=rounds)
    if secagg is True:
        secagg = SecAggSettings()
    if isinstance(strategy, str):
        strategy = build_strategy(strategy, num_clients)
    with tempfile.TemporaryDirectory(prefix="gb_fed_") as tmp:
        root = Path(workdir) if workdir is not None else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        spec = FederationSpec(
            task=task, strategy=strategy, num_rounds=rounds, training=training,
            privacy=privacy, round_timeout=round_timeout,
            checkpoint_dir=str(checkpoint_dir) if checkpoint_dir else None, resume=resume,
            secagg=secagg or None, result_dir=str(root / "result"), tracking=tracking,
            config=config or {},
        )
        if mode == "simulation":
            _simulate(spec, num_clients, backend_config, root)
        elif mode == "local":
            from groupbuy_ml.federated.local_grid import run_local

            run_local(spec, num_clients)
        else:
            from groupbuy_ml.federated.deployment import run_deployment

            run_deployment(spec, num_clients, root, timeout=deployment_timeout)
        result = FederatedResult.read(spec.result_dir, mode)
        if workdir is None:  # the temporary folder goes away with this block
            result.result_dir = None
        return result
