"""What one federated run is: the task, the strategy and every setting, in one picklable object.

The same :class:`FederationSpec` drives both ways of running. In simulation the apps receive it
in memory; in a deployment it is written to a file whose path travels in Flower's run config
(``spec-file``), and the ServerApp and every ClientApp process read it from there. Objects (a
task, a strategy) are given either as instances or as Hydra ``_target_`` configs; both survive
the trip because the file is written with cloudpickle.
"""

from __future__ import annotations

import dataclasses
import site
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import cloudpickle
from flwr.app import ConfigRecord

from groupbuy_ml.errors import ConfigError, InputNotFoundError
from groupbuy_ml.federated.task import FederatedTask, LocalTraining, PrivacySettings

__all__ = [
    "SPEC_FILE_KEY",
    "FederationSpec",
    "SecAggSettings",
    "build_object",
    "build_task",
    "load_spec",
    "local_training_from_config",
    "privacy_from_config",
    "save_spec",
    "train_config_record",
]

SPEC_FILE_KEY = "spec-file"
"""Run-config key holding the path of the pickled :class:`FederationSpec` (deployment)."""


@dataclass(frozen=True)
class SecAggSettings:
    """Flower's SecAgg+ (Bell et al. 2020, "Secure Single-Server Aggregation with (Poly)Log
    Overhead", CCS): the server only ever sees the weighted sum of the clients' parameters.

    Args:
        num_shares: shares of each client's secret (int, or a fraction of the sampled clients).
        reconstruction_threshold: shares needed to rebuild a dropped client's mask.
        clipping_range: parameters are clipped to [-r, r] before quantisation.
        quantization_range: integer levels used for quantisation (precision ~ 2r / levels).
        max_weight: the largest client weight (num-examples) the protocol can carry.
    """

    num_shares: float = 1.0
    reconstruction_threshold: float = 0.67
    clipping_range: float = 8.0
    quantization_range: int = 2**22
    max_weight: float = 100_000.0


@dataclass
class FederationSpec:
    """Everything the ServerApp and the ClientApps need to run one federation.

    Args:
        task: a :class:`FederatedTask` or its Hydra config (``{"_target_": ...}``).
        strategy: a Flower message-API strategy (e.g. from :mod:`.strategies`) or its config.
        num_rounds: the last round to train (a resumed run continues up to it).
        training: local training settings sent to the clients every round.
        privacy: client-side DP-SGD settings, or None.
        round_timeout: seconds the server waits for replies in one round; late clients are
            dropped from that round.
        checkpoint_dir: where the server writes the global model and strategy state after
            every round (None: no checkpoints).
        resume: continue from the checkpoint in ``checkpoint_dir``.
        secagg: SecAgg+ settings, or None for plain aggregation.
        result_dir: where the server writes the run's result (history and final model).
        tracking: ``{"experiment", "uri", "run_name", "root", "log_model"}`` to log to MLflow,
            or None.
        config: the resolved config of the run (logged with it).
        run_key: identifies the run in per-process caches (a client loads its data once).
    """

    task: Any
    strategy: Any
    num_rounds: int
    training: LocalTraining = field(default_factory=LocalTraining)
    privacy: PrivacySettings | None = None
    round_timeout: float = 600.0
    checkpoint_dir: str | None = None
    resume: bool = False
    secagg: SecAggSettings | None = None
    result_dir: str | None = None
    tracking: dict[str, Any] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    run_key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        if self.num_rounds < 1:
            raise ConfigError(f"num_rounds must be >= 1, got {self.num_rounds}")
        if self.round_timeout <= 0:
            raise ConfigError(f"round_timeout must be > 0 seconds, got {self.round_timeout}")
        if self.resume and not self.checkpoint_dir:
            raise ConfigError("resume=True needs checkpoint_dir (the folder of the run to resume)")


def build_object(obj: Any) -> Any:
    """An instance as is; a Hydra ``_target_`` config (dict or DictConfig) instantiated."""
    if isinstance(obj, dict) or type(obj).__name__ == "DictConfig":
        if "_target_" not in obj:
            raise ConfigError(f"config {dict(obj)!r} has no _target_ naming the class to build")
        from hydra.utils import instantiate

        return instantiate(obj, _convert_="all")
    return obj


def build_task(obj: Any) -> FederatedTask:
    """The task of a spec, built and checked to be a :class:`FederatedTask`."""
    task = build_object(obj)
    if not isinstance(task, FederatedTask):
        raise TypeError(f"task must be a FederatedTask, got {type(task).__name__}")
    return task


def _local_modules(*objects: Any) -> list[ModuleType]:
    """Modules of ``objects``' classes that another process may not import (scripts, tests,
    notebooks): neither this package nor an installed distribution."""
    installed = {Path(p).resolve() for p in site.getsitepackages()}
    found = []
    for obj in objects:
        module = sys.modules.get(type(obj).__module__)
        if module is None or module.__name__.split(".")[0] in ("groupbuy_ml", "builtins"):
            continue
        file = getattr(module, "__file__", None)
        if file and not any(parent in installed for parent in Path(file).resolve().parents):
            found.append(module)
    return found


def save_spec(spec: FederationSpec, path: Path | str) -> Path:
    """Write ``spec`` with cloudpickle; classes from local modules (a test, a script) travel by
    value, so the ServerApp and ClientApp processes need not import them."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    local = _local_modules(spec.task, spec.strategy)
    for module in local:
        cloudpickle.register_pickle_by_value(module)
    try:
        path.write_bytes(cloudpickle.dumps(spec))
    finally:
        for module in local:
            cloudpickle.unregister_pickle_by_value(module)
    return path


def load_spec(path: Path | str) -> FederationSpec:
    """Read a spec written by :func:`save_spec`."""
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(f"federation spec {path} not found ({SPEC_FILE_KEY} in run "
                                 "config)")
    spec = cloudpickle.loads(path.read_bytes())
    if not isinstance(spec, FederationSpec):
        raise TypeError(f"{path} holds a {type(spec).__name__}, not a FederationSpec")
    return spec


def train_config_record(training: LocalTraining, privacy: PrivacySettings | None) -> ConfigRecord:
    """The ConfigRecord the server sends with every training round (Flower adds
    ``server-round``; FedProx adds ``proximal-mu``)."""
    values: dict[str, Any] = {
        "local-epochs": int(training.epochs),
        "max-steps": -1 if training.max_steps is None else int(training.max_steps),
        "lr": float(training.lr),
        "batch-size": int(training.batch_size),
        "proximal-mu": float(training.proximal_mu),
        "seed": int(training.seed),
    }
    if privacy is not None:
        values.update({
            "dp-target-epsilon": float(privacy.target_epsilon),
            "dp-target-delta": float(privacy.target_delta),
            "dp-max-grad-norm": float(privacy.max_grad_norm),
            "dp-total-rounds": int(privacy.total_rounds),
        })
    return ConfigRecord(values)


def local_training_from_config(config: ConfigRecord) -> LocalTraining:
    """The :class:`LocalTraining` a client reads from its round's ConfigRecord."""
    defaults = LocalTraining()
    max_steps = int(config.get("max-steps", -1))
    return dataclasses.replace(
        defaults,
        epochs=int(config.get("local-epochs", defaults.epochs)),
        max_steps=None if max_steps < 0 else max_steps,
        lr=float(config.get("lr", defaults.lr)),
        batch_size=int(config.get("batch-size", defaults.batch_size)),
        proximal_mu=float(config.get("proximal-mu", defaults.proximal_mu)),
        server_round=int(config.get("server-round", defaults.server_round)),
        seed=int(config.get("seed", defaults.seed)),
    )


def privacy_from_config(config: ConfigRecord) -> PrivacySettings | None:
    """The client's DP-SGD settings, or None when the round carries none."""
    if "dp-target-epsilon" not in config:
        return None
    return PrivacySettings(
        target_epsilon=float(config["dp-target-epsilon"]),
        target_delta=float(config["dp-target-delta"]),
        max_grad_norm=float(config["dp-max-grad-norm"]),
        total_rounds=int(config["dp-total-rounds"]),
    )
