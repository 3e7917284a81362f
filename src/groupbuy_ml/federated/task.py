"""The contract between the Flower apps and the library's models: a *federated task*.

A task builds the global model (the same parameter names and shapes on every client, fixed by
its config and never by a client's data), loads one client's local data through
:mod:`groupbuy_ml.data`, trains the model locally for one round and evaluates it. The Flower apps
(:mod:`~groupbuy_ml.federated.client_app`, :mod:`~groupbuy_ml.federated.server_app`) only move
parameters, configs and metrics; they import nothing model-specific. This is the ``task`` module
of Flower's own examples, made a small interface so that the forecaster and the recommender
plug into the same apps.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Protocol

import torch

__all__ = [
    "ClientData",
    "EmptyClientError",
    "FederatedTask",
    "LocalTraining",
    "PrivacySettings",
]


class EmptyClientError(ValueError):
    """A client has no usable local data; it is excluded from the run with this message."""


@dataclass(frozen=True)
class LocalTraining:
    """How a client trains in one round; the server sends these values in the round's config.

    Args:
        epochs: passes over the client's local training examples.
        max_steps: optimiser steps at most per round (None: no cap).
        lr: local learning rate.
        batch_size: examples per local step.
        proximal_mu: FedProx proximal weight (Li et al. 2020, "Federated Optimization in
            Heterogeneous Networks", MLSys): the local loss adds
            ``mu / 2 * ||w - w_global||^2``; 0 is plain FedAvg local training.
        server_round: the round being trained (from 1).
        seed: base seed; a client derives its own from it, its id and the round.
    """

    epochs: int = 1
    max_steps: int | None = None
    lr: float = 1e-3
    batch_size: int = 256
    proximal_mu: float = 0.0
    server_round: int = 1
    seed: int = 0


@dataclass(frozen=True)
class PrivacySettings:
    """Client-side DP-SGD (Abadi et al. 2016, "Deep Learning with Differential Privacy", CCS)
    through Opacus: per-example clipping to ``max_grad_norm`` and Gaussian noise calibrated so
    that the client's whole participation (``total_rounds`` rounds) spends at most
    ``(target_epsilon, target_delta)`` on its local examples.
    """

    target_epsilon: float
    target_delta: float = 1e-5
    max_grad_norm: float = 1.0
    total_rounds: int = 1


class ClientData(Protocol):
    """One client's local data, as its task loaded it. Only counts ever leave the client."""

    @property
    def num_train_examples(self) -> int: ...

    @property
    def num_eval_examples(self) -> int: ...


class FederatedTask(ABC):
    """A library model trained across clients. Subclasses are built from Hydra configs.

    Parameters whose names start with one of :attr:`local_parameter_prefixes` never leave the
    client (e.g. the user embeddings of a federated recommender, as in FedRec / FCF,
    Ammad-ud-din et al. 2019); the client app keeps them between rounds.
    """

    name: str = "task"
    local_parameter_prefixes: tuple[str, ...] = ()

    @abstractmethod
    def build_model(self) -> torch.nn.Module:
        """The global model, freshly initialised from the task's seed."""

    @abstractmethod
    def load_client(self, client_id: int, num_clients: int) -> ClientData:
        """Client ``client_id``'s local train/eval data (raises :class:`EmptyClientError`)."""

    @abstractmethod
    def train(
        self,
        model: torch.nn.Module,
        data: ClientData,
        training: LocalTraining,
        privacy: PrivacySettings | None,
        state: dict[str, float],
    ) -> dict[str, float]:
        """Train ``model`` in place on the client's data for one round.

        ``state`` persists on the client between rounds (e.g. the DP steps taken so far) and
        never leaves it. Returns metrics: at least ``train_loss`` and ``num-examples``; with
        privacy also ``epsilon`` (spent so far) and ``delta``.
        """

    @abstractmethod
    def evaluate(self, model: torch.nn.Module, data: ClientData) -> dict[str, float]:
        """Metrics of ``model`` on the client's evaluation data, with ``num-examples``."""

    def describe(self) -> dict[str, Any]:
        """Parameters worth logging with a run (the task's config)."""
        return {"task": self.name}
