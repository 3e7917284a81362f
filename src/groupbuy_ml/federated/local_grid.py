"""``mode="local"``: the same ServerApp and ClientApps, with the clients run one after another in
this process instead of on Ray or on SuperNodes.

:class:`InProcessGrid` stands in for Flower's Grid: it delivers each message to the ClientApp of
its node (each node with its own persistent Context, as a SuperNode keeps it) and copies every
message both ways, as the real transport serialises them. It starts in milliseconds, which suits
debugging and CI smoke runs of experiment configs; Flower's Simulation Runtime and a real
deployment remain the ways to run an experiment whose timings or scale matter.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from flwr.app import Context, Error, Message, RecordDict
from flwr.common.constant import ErrorCode

from groupbuy_ml.federated.client_app import forget_run, make_client_app
from groupbuy_ml.federated.spec import FederationSpec

__all__ = ["InProcessGrid", "run_local"]

_FIRST_NODE_ID = 1000


class InProcessGrid:
    """A Grid whose nodes are ClientApps in this process.

    Args:
        specs: one spec per client (client ``i`` loads partition ``i``); giving a client another
            spec than the server's simulates a misconfigured client.
        mods: extra Flower mods for every ClientApp.
    """

    def __init__(self, specs: list[FederationSpec], mods: list | None = None) -> None:
        self.nodes: dict[int, tuple[Any, Context]] = {}
        for partition, spec in enumerate(specs):
            node_id = _FIRST_NODE_ID + partition
            context = Context(run_id=1, node_id=node_id, state=RecordDict(), run_config={},
                              node_config={"partition-id": partition,
                                           "num-partitions": len(specs)})
            self.nodes[node_id] = (make_client_app(spec, mods=mods), context)
        self.sent: list[Message] = []

    def get_node_ids(self) -> list[int]:
        """The ids of all nodes."""
        return list(self.nodes)

    def answers(self, node_id: int) -> bool:
        """Whether ``node_id`` replies at all (a subclass may simulate nodes that are gone)."""
        return True

    def send_and_receive(self, messages: Iterable[Message], *,
                         timeout: float | None = None) -> list[Message]:
        """Deliver ``messages`` one by one; a ClientApp that raises answers with an error."""
        replies = []
        for message in messages:
            node_id = message.metadata.dst_node_id
            if not self.answers(node_id):
                continue
            incoming = copy.deepcopy(message)
            self.sent.append(incoming)
            app, context = self.nodes[node_id]
            try:
                reply = app(incoming, context)
            except Exception as err:  # what a SuperNode does when its ClientApp raises
                reply = Message(Error(code=ErrorCode.CLIENT_APP_RAISED_EXCEPTION,
                                      reason=f"{type(err).__name__}: {err}"), reply_to=incoming)
            replies.append(copy.deepcopy(reply))
        return replies


def server_context() -> Context:
    """The Context a ServerApp gets (no run config: the spec comes in memory)."""
    return Context(run_id=1, node_id=0, node_config={}, state=RecordDict(), run_config={})


def run_local(spec: FederationSpec, num_clients: int, mods: list | None = None) -> None:
    """Run the ServerApp's main over ``num_clients`` in-process clients."""
    from groupbuy_ml.federated.server_app import serve_rounds

    try:
        serve_rounds(InProcessGrid([spec] * num_clients, mods=mods), server_context(), spec)
    finally:
        forget_run(spec.run_key)
