"""Secure aggregation (SecAgg+, Bell et al. 2020, CCS) with Flower's own protocol code.

Flower 1.32 ships SecAgg+ as a server *workflow* (:class:`flwr.server.workflow.SecAggPlusWorkflow`)
and a client *mod* (``secaggplus_mod``), both speaking the legacy FitIns/FitRes records. This
module bridges them to the message-API strategies of :mod:`.strategies`:

- server: :func:`secure_train_round` runs the four SecAgg+ stages for one round and hands the
  unmasked weighted mean to the strategy as a single pseudo-reply, so FedAvg/FedProx/FedAdam
  aggregate it exactly as they would plain replies (the mean of one reply is itself);
- client: :func:`optional_secaggplus_mod` applies ``secaggplus_mod`` only to SecAgg+ messages,
  and :func:`read_fitins` / :func:`fitres_content` translate the legacy records.

The server sees each client's metrics and example count, never its parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from flwr.app import (
    Array,
    ArrayRecord,
    ConfigRecord,
    Context,
    Message,
    MessageType,
    MetricRecord,
    RecordDict,
)
from flwr.client.mod import secaggplus_mod
from flwr.common import (
    Code,
    FitIns,
    FitRes,
    Status,
    bytes_to_ndarray,
    ndarrays_to_parameters,
    parameters_to_ndarrays,
)
from flwr.common.secure_aggregation.secaggplus_constants import RECORD_KEY_CONFIGS
from flwr.compat.common import recorddict_compat as compat
from flwr.server.compat.grid_client_proxy import GridClientProxy
from flwr.server.compat.legacy_context import LegacyContext
from flwr.server.workflow import SecAggPlusWorkflow
from flwr.server.workflow.constant import MAIN_CONFIGS_RECORD, MAIN_PARAMS_RECORD
from flwr.server.workflow.constant import Key as WorkflowKey
from flwr.serverapp import Grid

from groupbuy_ml.federated.spec import SecAggSettings

__all__ = [
    "fitres_content",
    "is_secagg_message",
    "optional_secaggplus_mod",
    "read_fitins",
    "secure_train_round",
]

log = logging.getLogger(__name__)


def is_secagg_message(msg: Message) -> bool:
    """True for the training step of a SecAgg+ round (legacy FitIns inside)."""
    return "fitins.parameters" in msg.content.array_records


def optional_secaggplus_mod(msg: Message, context: Context, call_next: Any) -> Message:
    """Flower's ``secaggplus_mod`` for SecAgg+ messages; plain messages pass straight through."""
    if msg.has_content() and RECORD_KEY_CONFIGS in msg.content.config_records:
        return secaggplus_mod(msg, context, call_next)
    return call_next(msg, context)


def read_fitins(content: RecordDict, names: Sequence[str]) -> tuple[ArrayRecord, ConfigRecord]:
    """The global arrays (named after ``names``, the order the server sent) and the config."""
    record = content.array_records["fitins.parameters"]
    arrays = [bytes_to_ndarray(a.data) for a in record.values()]
    if len(arrays) != len(names):
        arrays_named = {f"#{i}": a for i, a in enumerate(arrays)}
    else:
        arrays_named = dict(zip(names, arrays, strict=True))
    config = ConfigRecord(dict(content.config_records["fitins.config"]))
    return ArrayRecord({k: Array(np.asarray(v)) for k, v in arrays_named.items()}), config


def fitres_content(arrays: ArrayRecord, metrics: MetricRecord, num_examples: int) -> RecordDict:
    """A client's training reply in the legacy FitRes records that ``secaggplus_mod`` masks."""
    fitres = FitRes(
        status=Status(Code.OK, "ok"),
        parameters=ndarrays_to_parameters([a.numpy() for a in arrays.values()]),
        num_examples=int(num_examples),
        metrics={k: v for k, v in metrics.items() if not isinstance(v, list)},
    )
    return compat.fitres_to_recorddict(fitres, keep_input=True)


class _RoundBridge:
    """The two legacy-strategy calls SecAggPlusWorkflow makes, answered for one round."""

    def __init__(self, instructions: list[Message], grid: Grid, run_id: int) -> None:
        self.instructions = instructions
        self.grid = grid
        self.run_id = run_id
        self.results: list[FitRes] = []
        self.failures: list[BaseException] = []

    def configure_fit(self, server_round: int, parameters: Any, client_manager: Any) -> list:
        pairs = []
        for msg in self.instructions:
            config = {k: v for k, v in msg.content["config"].items()}
            proxy = GridClientProxy(msg.metadata.dst_node_id, self.grid, self.run_id)
            pairs.append((proxy, FitIns(parameters=parameters, config=config)))
        return pairs

    def aggregate_fit(self, server_round: int, results: list, failures: list) -> tuple:
        self.results = [fitres for _, fitres in results]
        self.failures = list(failures)
        if not self.results:
            return None, {}
        return self.results[0].parameters, {}


def secure_train_round(
    grid: Grid,
    context: Context,
    instructions: list[Message],
    arrays: ArrayRecord,
    server_round: int,
    settings: SecAggSettings,
    timeout: float,
) -> tuple[Message | None, list[RecordDict], list[str]]:
    """Run one SecAgg+ training round for the nodes ``instructions`` address.

    Returns:
        The pseudo-reply carrying the securely aggregated weighted mean (None when the protocol
        halted), the per-client metric contents (for metric aggregation) and failure reasons.
    """
    if len(instructions) < 2:
        return None, [], ["SecAgg+ needs at least 2 sampled clients in a round"]
    legacy = LegacyContext(context)
    bridge = _RoundBridge(instructions, grid, context.run_id)
    legacy.strategy = bridge  # type: ignore[assignment]
    legacy.state.array_records[MAIN_PARAMS_RECORD] = arrays
    legacy.state.config_records[MAIN_CONFIGS_RECORD] = ConfigRecord(
        {WorkflowKey.CURRENT_ROUND: server_round}
    )
    workflow = SecAggPlusWorkflow(
        num_shares=settings.num_shares,
        reconstruction_threshold=settings.reconstruction_threshold,
        clipping_range=settings.clipping_range,
        quantization_range=settings.quantization_range,
        max_weight=settings.max_weight,
        timeout=timeout,
    )
    workflow(grid, legacy)
    reasons = [str(getattr(f, "args", [f])[0] if getattr(f, "args", None) else f)
               for f in bridge.failures]
    if not bridge.results:
        return None, [], reasons or ["SecAgg+ halted before unmasking"]
    names = list(arrays.keys())
    mean = parameters_to_ndarrays(bridge.results[0].parameters)
    dtypes = [arrays[k].numpy().dtype for k in names]
    aggregate = ArrayRecord({
        k: Array(np.asarray(v, dtype=d).reshape(arrays[k].shape))
        for k, v, d in zip(names, mean, dtypes, strict=True)
    })
    per_client = [
        RecordDict({"metrics": MetricRecord({
            **{k: v for k, v in r.metrics.items() if isinstance(v, int | float)},
            "num-examples": int(r.num_examples),
        })})
        for r in bridge.results
    ]
    total = sum(int(r.num_examples) for r in bridge.results)
    pseudo = Message(
        content=RecordDict({"arrays": aggregate,
                            "metrics": MetricRecord({"num-examples": total})}),
        dst_node_id=0,
        message_type=MessageType.TRAIN,
    )
    return pseudo, per_client, reasons
