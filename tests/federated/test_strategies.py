"""Strategies: each aggregation checked against numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from flwr.app import (
    Array,
    ArrayRecord,
    ConfigRecord,
    Message,
    MessageType,
    MetricRecord,
    RecordDict,
)

from groupbuy_ml.federated.strategies import (
    FedAdam,
    FedAvg,
    FedProx,
    aggregate_client_metrics,
    build_strategy,
    load_strategy_state,
    strategy_state,
)


class TwoNodeGrid:
    def get_node_ids(self) -> list[int]:
        return [1, 2]


def reply(weights: list[float], num_examples: int, **metrics: float) -> Message:
    """A client's training reply: parameters ``w`` and its metrics."""
    instruction = Message(RecordDict(), dst_node_id=1, message_type=MessageType.TRAIN)
    content = RecordDict({
        "arrays": ArrayRecord({"w": Array(np.array(weights, dtype=np.float64))}),
        "metrics": MetricRecord({"num-examples": num_examples, **metrics}),
    })
    return Message(content, reply_to=instruction)


# Client A: w = [1, 2] on 1 example; client B: w = [4, 8] on 3 examples.
# Weighted mean: [(1*1 + 4*3)/4, (2*1 + 8*3)/4] = [3.25, 6.5].
REPLIES = [reply([1.0, 2.0], 1, train_loss=2.0, epsilon=1.0),
           reply([4.0, 8.0], 3, train_loss=4.0, epsilon=3.0)]
START = ArrayRecord({"w": Array(np.zeros(2))})


def test_fedavg_is_the_example_weighted_mean() -> None:
    strategy = FedAvg(min_train_nodes=2, min_available_nodes=2)
    arrays, metrics = strategy.aggregate_train(1, REPLIES)
    np.testing.assert_allclose(arrays["w"].numpy(), [3.25, 6.5])
    # loss weighted (2*1 + 4*3)/4 = 3.5; epsilon is the worst client's, not a mean (2.5)
    assert metrics["train_loss"] == pytest.approx(3.5)
    assert metrics["epsilon"] == 3.0
    assert metrics["num-examples"] == 4 and metrics["num-clients"] == 2


def test_fedprox_aggregates_like_fedavg_and_sends_mu() -> None:
    strategy = FedProx(proximal_mu=0.5, min_train_nodes=2, min_available_nodes=2)
    messages = list(strategy.configure_train(1, START, ConfigRecord({"lr": 0.1}), TwoNodeGrid()))
    assert len(messages) == 2
    assert all(m.content["config"]["proximal-mu"] == 0.5 for m in messages)
    arrays, _ = strategy.aggregate_train(1, REPLIES)
    np.testing.assert_allclose(arrays["w"].numpy(), [3.25, 6.5])


def test_fedadam_server_step_by_hand() -> None:
    strategy = FedAdam(eta=0.1, beta_1=0.9, beta_2=0.99, tau=1e-3,
                       min_train_nodes=2, min_available_nodes=2)
    list(strategy.configure_train(1, START, ConfigRecord(), TwoNodeGrid()))
    arrays, _ = strategy.aggregate_train(1, REPLIES)
    # delta = mean - x0 = [3.25, 6.5]; m = (1 - 0.9) delta = [0.325, 0.65];
    # v = (1 - 0.99) delta^2 = [0.105625, 0.4225];
    # Flower's bias correction uses round + 1: eta_t = 0.1 sqrt(1 - 0.99^2) / (1 - 0.9^2)
    #   = 0.0742460; x1 = eta_t m / (sqrt(v) + tau) = [0.0742460 * 0.325 / 0.326,
    #   0.0742460 * 0.65 / 0.651] = [0.0740182, 0.0741319]
    np.testing.assert_allclose(arrays["w"].numpy(), [0.0740182, 0.0741319], atol=1e-6)
    np.testing.assert_allclose(strategy.m_t["w"], [0.325, 0.65])
    np.testing.assert_allclose(strategy.v_t["w"], [0.105625, 0.4225])


def test_fedadam_state_survives_a_checkpoint_round_trip() -> None:
    strategy = FedAdam(min_train_nodes=2, min_available_nodes=2)
    list(strategy.configure_train(1, START, ConfigRecord(), TwoNodeGrid()))
    strategy.aggregate_train(1, REPLIES)
    state = strategy_state(strategy)
    assert sorted(state) == ["m_t/w", "v_t/w"]
    fresh = FedAdam(min_train_nodes=2, min_available_nodes=2)
    load_strategy_state(fresh, state)
    np.testing.assert_array_equal(fresh.v_t["w"], strategy.v_t["w"])
    assert strategy_state(FedAvg()) == {}
    with pytest.raises(ValueError, match="resume with the strategy"):
        load_strategy_state(FedAvg(), state)


def test_metric_aggregation_needs_positive_weights() -> None:
    records = [RecordDict({"m": MetricRecord({"num-examples": 0, "loss": 1.0})})]
    with pytest.raises(ValueError, match="num-examples"):
        aggregate_client_metrics(records, "num-examples")


def test_build_strategy_by_name_sets_minimum_clients() -> None:
    strategy = build_strategy("fedprox", num_clients=3)
    assert isinstance(strategy, FedProx) and strategy.min_available_nodes == 3
    built = build_strategy({"_target_": "groupbuy_ml.federated.strategies.FedAdam", "eta": 0.2})
    assert isinstance(built, FedAdam) and built.eta == 0.2
    with pytest.raises(ValueError, match="unknown strategy"):
        build_strategy("fedsgd")
