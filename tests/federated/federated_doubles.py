"""Test doubles for the Flower layer: a small real torch regression task and an in-process Grid.

``RegressionTask`` is a real federated task (linear regression trained with SGD on synthetic
numbers, each client holding its own slice), small enough that a round takes milliseconds.
``InProcessGrid`` (the library's ``mode="local"`` Grid, plus nodes that never answer) runs the
server loop, strategies, checkpoints and SecAgg+ without Ray.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

from groupbuy_ml.federated.local_grid import InProcessGrid as LocalGrid  # noqa: E402
from groupbuy_ml.federated.local_grid import server_context  # noqa: E402
from groupbuy_ml.federated.spec import FederationSpec  # noqa: E402
from groupbuy_ml.federated.task import (  # noqa: E402
    EmptyClientError,
    FederatedTask,
    LocalTraining,
    PrivacySettings,
)

TRUE_WEIGHTS = np.array([1.5, -2.0, 0.5], dtype=np.float32)


@dataclass
class RegressionData:
    x: torch.Tensor
    y: torch.Tensor
    x_eval: torch.Tensor
    y_eval: torch.Tensor
    client_id: int

    @property
    def num_train_examples(self) -> int:
        return len(self.x)

    @property
    def num_eval_examples(self) -> int:
        return len(self.x_eval)


class RegressionTask(FederatedTask):
    """y = x @ w + b + noise; client i holds ``rows[i]`` rows (0 rows -> EmptyClientError).

    Args:
        rows: rows per client (cycled when there are more clients).
        width: input features (a client built with another width has other shapes).
        local_head: adds a per-client ``local_head`` bias that never leaves the client.
        fail_at: {client id: round} -> that client raises in that round.
        missing_column: clients whose table lacks the last feature column.
        seed: model initialisation seed.
    """

    name = "regression"

    def __init__(self, rows: tuple[int, ...] = (40, 60, 80), width: int = 3,
                 local_head: bool = False, fail_at: dict[int, int] | None = None,
                 missing_column: tuple[int, ...] = (), seed: int = 0) -> None:
        self.rows = rows
        self.width = width
        self.local_head = local_head
        self.local_parameter_prefixes = ("local_head",) if local_head else ()
        self.fail_at = fail_at or {}
        self.missing_column = missing_column
        self.seed = seed

    def build_model(self) -> torch.nn.Module:
        torch.manual_seed(self.seed)
        model = torch.nn.Module()
        model.linear = torch.nn.Linear(self.width, 1)
        if self.local_head:
            model.local_head = torch.nn.Linear(1, 1)
        return model

    @staticmethod
    def predict(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        out = model.linear(x)
        return model.local_head(out) if hasattr(model, "local_head") else out

    def load_client(self, client_id: int, num_clients: int) -> RegressionData:
        n = self.rows[client_id % len(self.rows)]
        if n == 0:
            raise EmptyClientError(f"client {client_id} has 0 rows in this partition")
        if client_id in self.missing_column:
            raise ValueError(f"client {client_id}'s table lacks column x{self.width - 1}; the "
                             f"task needs x0..x{self.width - 1}")
        rng = np.random.default_rng(100 + client_id)
        x = rng.normal(size=(n + 20, self.width)).astype(np.float32)
        w = np.resize(TRUE_WEIGHTS, self.width)
        y = x @ w + 0.3 + client_id * 0.1 + rng.normal(scale=0.1, size=n + 20)
        x_t, y_t = torch.from_numpy(x), torch.from_numpy(y.astype(np.float32)).unsqueeze(1)
        return RegressionData(x_t[:n], y_t[:n], x_t[n:], y_t[n:], client_id)

    def train(self, model: torch.nn.Module, data: RegressionData, training: LocalTraining,
              privacy: PrivacySettings | None, state: dict[str, float]) -> dict[str, float]:
        if self.fail_at.get(data.client_id) == training.server_round:
            raise RuntimeError(f"client lost its connection in round {training.server_round}")
        torch.manual_seed(training.seed * 1000 + training.server_round)
        global_params = [p.detach().clone() for p in model.parameters()]
        optimiser = torch.optim.SGD(model.parameters(), lr=training.lr)
        loss = torch.tensor(0.0)
        for _ in range(training.epochs):
            for start in range(0, len(data.x), training.batch_size):
                xb = data.x[start:start + training.batch_size]
                yb = data.y[start:start + training.batch_size]
                loss = torch.nn.functional.mse_loss(self.predict(model, xb), yb)
                proximal = sum(((p - g) ** 2).sum()
                               for p, g in zip(model.parameters(), global_params, strict=True))
                optimiser.zero_grad()
                (loss + training.proximal_mu / 2 * proximal).backward()
                optimiser.step()
        state["rounds"] = state.get("rounds", 0.0) + 1
        metrics = {"train_loss": float(loss.detach()), "num-examples": data.num_train_examples,
                   "rounds_seen": state["rounds"]}
        if privacy is not None:  # a stand-in ledger: an even share of the budget per round
            metrics["epsilon"] = privacy.target_epsilon * state["rounds"] / privacy.total_rounds
            metrics["delta"] = privacy.target_delta
        return metrics

    def evaluate(self, model: torch.nn.Module, data: RegressionData) -> dict[str, float]:
        with torch.no_grad():
            loss = torch.nn.functional.mse_loss(self.predict(model, data.x_eval), data.y_eval)
        return {"eval_mse": float(loss), "num-examples": data.num_eval_examples}


class InProcessGrid(LocalGrid):
    """The library's in-process Grid, with nodes that can be ``dead`` (never answer)."""

    def __init__(self, specs: list[FederationSpec], mods: list | None = None,
                 dead: set[int] | None = None) -> None:
        super().__init__(specs, mods=mods)
        self.dead = {self.get_node_ids()[p] for p in (dead or set())}

    def answers(self, node_id: int) -> bool:
        return node_id not in self.dead


def serve_in_process(spec: FederationSpec, grid: InProcessGrid):
    """Run the ServerApp's main over ``grid``; the result as run_federated returns it."""
    from groupbuy_ml.federated.run import FederatedResult
    from groupbuy_ml.federated.server_app import serve_rounds

    serve_rounds(grid, server_context(), spec)
    return FederatedResult.read(spec.result_dir, "in-process")
