"""The server's round loop: Flower's ``Strategy.start`` loop, made resumable and observable.

Per round it samples clients through the strategy, sends the global parameters, aggregates the
replies (in the clear, or through SecAgg+), runs federated evaluation, then records the round
(metrics, bytes each way as measured on the messages, wall time, failures), hands it to a
callback (MLflow) and writes a checkpoint. Unlike ``Strategy.start`` it can begin at any round
(resume), it drops clients that report they cannot take part, and it never waits forever for
clients that are gone: after ``round_timeout`` seconds it lowers the strategy's minimum node
counts to the clients still there, with a warning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flwr.app import Array, ArrayRecord, ConfigRecord, Context, Message

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from groupbuy_ml.federated.client_app import EXCLUDED
from groupbuy_ml.federated.secagg import secure_train_round
from groupbuy_ml.federated.spec import FederationSpec, train_config_record
from groupbuy_ml.federated.strategies import (
    aggregate_client_metrics,
    load_strategy_state,
    strategy_state,
)

__all__ = ["RoundLoopResult", "message_bytes", "run_rounds"]

log = logging.getLogger(__name__)

_MIN_ATTRIBUTES = ("min_available_nodes", "min_train_nodes", "min_evaluate_nodes")


def message_bytes(messages: Iterable[Message]) -> int:
    """Payload bytes of ``messages``: every array, plus bytes carried in config records (the
    masked vectors and key shares of SecAgg+)."""
    total = 0
    for msg in messages:
        if not msg.has_content():
            continue
        for record in msg.content.array_records.values():
            total += sum(len(array.data) for array in record.values())
        for record in msg.content.config_records.values():
            for value in record.values():
                if isinstance(value, bytes):
                    total += len(value)
                elif isinstance(value, list):
                    total += sum(len(v) for v in value if isinstance(v, bytes))
    return total


class _ObservedGrid:
    """The run's Grid, minus excluded nodes, counting the bytes that cross it."""

    def __init__(self, grid: Any, excluded: dict[str, str]) -> None:
        self._grid = grid
        self.excluded = excluded
        self.bytes_down = 0
        self.bytes_up = 0

    def get_node_ids(self) -> list[int]:
        return [n for n in self._grid.get_node_ids() if str(n) not in self.excluded]

    def send_and_receive(self, messages: Iterable[Message], *, timeout: float | None = None):
        messages = list(messages)
        self.bytes_down += message_bytes(messages)
        replies = list(self._grid.send_and_receive(messages, timeout=timeout))
        self.bytes_up += message_bytes(replies)
        return replies

    def __getattr__(self, name: str) -> Any:
        return getattr(self._grid, name)


@dataclass
class RoundLoopResult:
    """What the loop ends with: the global parameters, one row per round, excluded clients."""

    arrays: ArrayRecord
    history: list[dict[str, Any]] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    first_round: int = 1
    spent_before: tuple[float, float] = (0.0, 0.0)


def _composed_privacy(train: dict[str, Any], spent_before: tuple[float, float]) -> dict[str, Any]:
    """After a resume, the clients' accountants start afresh: the budget reported adds what the
    checkpointed rounds spent (sequential composition, an upper bound)."""
    if "epsilon" in train and spent_before != (0.0, 0.0):
        train["epsilon"] = float(train["epsilon"]) + spent_before[0]
        if "delta" in train:
            train["delta"] = float(train["delta"]) + spent_before[1]
    return train


def _wait_for_nodes(grid: _ObservedGrid, strategy: Any, timeout: float) -> None:
    """Wait up to ``timeout`` for the strategy's minimum; then settle for the nodes present."""
    needed = max(int(getattr(strategy, a, 0)) for a in _MIN_ATTRIBUTES)
    deadline = time.monotonic() + timeout
    while len(grid.get_node_ids()) < needed and time.monotonic() < deadline:
        time.sleep(0.5)
    present = len(grid.get_node_ids())
    if present == 0:
        reasons = "; ".join(grid.excluded.values()) or "none connected"
        raise RuntimeError(f"no clients can take part after {timeout:.0f} s: {reasons}")
    if present < needed:
        log.warning("only %d of the %d required clients are available; continuing with them",
                    present, needed)
        _lower_minimums(strategy, present)


def _lower_minimums(strategy: Any, available: int) -> None:
    """Cap the strategy's minimum node counts at the clients that can still take part."""
    for attribute in _MIN_ATTRIBUTES:
        if hasattr(strategy, attribute):
            setattr(strategy, attribute, max(min(getattr(strategy, attribute), available), 0))


def _like(arrays: ArrayRecord, reference: ArrayRecord) -> ArrayRecord:
    """``arrays`` in the dtypes of ``reference`` (FedAdam's float64 step -> the model's float32)."""
    return ArrayRecord({
        k: Array(np.ascontiguousarray(a.numpy().astype(reference[k].numpy().dtype, copy=False)))
        if k in reference else a
        for k, a in arrays.items()
    })


def _split(replies: list[Message], excluded: dict[str, str]) -> tuple[list[Message], list[str]]:
    ok, failures = [], []
    for reply in replies:
        if not reply.has_error():
            ok.append(reply)
            continue
        node, reason = str(reply.metadata.src_node_id), reply.error.reason
        failures.append(f"node {node}: {reason}")
        if reason.startswith(EXCLUDED) and node not in excluded:
            excluded[node] = reason
            log.warning("excluding node %s from the run: %s", node, reason)
        else:
            log.warning("node %s failed this round: %s", node, reason)
    return ok, failures


def _start(spec: FederationSpec, strategy: Any, initial: ArrayRecord) -> RoundLoopResult:
    if not spec.resume:
        return RoundLoopResult(arrays=initial)
    checkpoint = load_checkpoint(spec.checkpoint_dir)
    shapes = {k: tuple(a.shape) for k, a in checkpoint.arrays.items()}
    if shapes != {k: tuple(a.shape) for k, a in initial.items()}:
        raise ConfigError(f"the checkpoint in {spec.checkpoint_dir} holds other parameters than "
                          "the task's model; resume with the task config the run started with")
    load_strategy_state(strategy, checkpoint.strategy_state)
    log.info("resuming from %s after round %d", spec.checkpoint_dir, checkpoint.server_round)
    # Node ids belong to one run: a resumed run finds out afresh which clients cannot take part.
    spent = [(float(r["train"]["epsilon"]), float(r["train"].get("delta", 0.0)))
             for r in checkpoint.history if "epsilon" in r["train"]]
    return RoundLoopResult(arrays=checkpoint.arrays, history=checkpoint.history,
                           first_round=checkpoint.server_round + 1,
                           spent_before=max(spent) if spent else (0.0, 0.0))


def run_rounds(
    grid: Any,
    context: Context,
    spec: FederationSpec,
    strategy: Any,
    initial: ArrayRecord,
    on_round: Callable[[dict[str, Any]], None] | None = None,
) -> RoundLoopResult:
    """Train rounds ``first_round..spec.num_rounds``; see the module docstring."""
    state = _start(spec, strategy, initial)
    observed = _ObservedGrid(grid, state.excluded)
    weight_key = getattr(strategy, "weighted_by_key", "num-examples")
    for server_round in range(state.first_round, spec.num_rounds + 1):
        started = time.perf_counter()
        observed.bytes_down = observed.bytes_up = 0
        _wait_for_nodes(observed, strategy, spec.round_timeout)
        config = train_config_record(spec.training, spec.privacy)
        instructions = list(strategy.configure_train(server_round, state.arrays, config, observed))
        if spec.secagg is not None:
            pseudo, per_client, failures = secure_train_round(
                observed, context, instructions, state.arrays, server_round, spec.secagg,
                spec.round_timeout)
            ok = [pseudo] if pseudo is not None else []
            for reason in failures:
                log.warning("SecAgg+ round %d: %s", server_round, reason)
        else:
            replies = observed.send_and_receive(instructions, timeout=spec.round_timeout)
            ok, failures = _split(replies, state.excluded)
            if state.excluded:
                _lower_minimums(strategy, len(observed.get_node_ids()))
        arrays, train_metrics = strategy.aggregate_train(server_round, ok) if ok else (None, None)
        if spec.secagg is not None and ok:
            train_metrics = aggregate_client_metrics(per_client, weight_key)
        if arrays is not None:
            state.arrays = _like(arrays, initial)
        else:
            log.warning("round %d: no usable replies; the global model is unchanged", server_round)
        evaluation = list(strategy.configure_evaluate(server_round, state.arrays, ConfigRecord(),
                                                      observed))
        eval_metrics = None
        if evaluation:
            eval_ok, eval_failures = _split(
                observed.send_and_receive(evaluation, timeout=spec.round_timeout), state.excluded)
            failures = failures + eval_failures
            if state.excluded:
                _lower_minimums(strategy, len(observed.get_node_ids()))
            eval_metrics = strategy.aggregate_evaluate(server_round, eval_ok) if eval_ok else None
        row = {
            "round": server_round,
            "train": _composed_privacy(dict(train_metrics or {}), state.spent_before),
            "evaluate": dict(eval_metrics or {}),
            "clients_trained": int((train_metrics or {}).get("num-clients", 0)),
            "bytes_down": observed.bytes_down,
            "bytes_up": observed.bytes_up,
            "wall_s": time.perf_counter() - started,
            "failures": failures,
        }
        state.history.append(row)
        if on_round is not None:
            on_round(row)
        if spec.checkpoint_dir:
            save_checkpoint(spec.checkpoint_dir, Checkpoint(
                server_round=server_round, arrays=state.arrays,
                strategy_state=strategy_state(strategy), history=state.history,
                excluded=state.excluded))
    return state
