"""Federated training across shops and platforms (Flower), with differential privacy (Opacus).

Clients load their local data through :mod:`groupbuy_ml.data` (e.g. one Rossmann store group or
one simulated pickup point per client); raw rows never leave a client.
"""

from importlib import import_module
from typing import Any

# The Flower layer, imported on first use (Flower and torch are heavy; the task modules are not
# meant to pull them in): ``from groupbuy_ml.federated import run_federated, FedProx``.
_FLOWER_EXPORTS = {
    "FederatedResult": "groupbuy_ml.federated.run",
    "run_federated": "groupbuy_ml.federated.run",
    "FederationSpec": "groupbuy_ml.federated.spec",
    "SecAggSettings": "groupbuy_ml.federated.spec",
    "FedAvg": "groupbuy_ml.federated.strategies",
    "FedProx": "groupbuy_ml.federated.strategies",
    "FedAdam": "groupbuy_ml.federated.strategies",
    "load_checkpoint": "groupbuy_ml.federated.checkpoint",
    "run_federated_experiment": "groupbuy_ml.federated.experiment",
}


def __getattr__(name: str) -> Any:
    if name in _FLOWER_EXPORTS:
        return getattr(import_module(_FLOWER_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
