"""The server's round loop with real ClientApps in process: robustness, exclusion, privacy
accounting, measured bytes, and what leaves a client."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from federated_doubles import InProcessGrid, RegressionTask, serve_in_process
from flwr.app import ArrayRecord, Message

from groupbuy_ml.federated.client_app import EXCLUDED, shared_state
from groupbuy_ml.federated.spec import FederationSpec
from groupbuy_ml.federated.strategies import FedAvg
from groupbuy_ml.federated.task import LocalTraining, PrivacySettings

TRAINING = LocalTraining(lr=0.05, batch_size=16, seed=3)


def make_spec(tmp_path: Path, task: RegressionTask, rounds: int = 3, **kwargs) -> FederationSpec:
    strategy = FedAvg(min_train_nodes=3, min_evaluate_nodes=3, min_available_nodes=3)
    return FederationSpec(task=task, strategy=strategy, num_rounds=rounds, training=TRAINING,
                          result_dir=str(tmp_path / "result"), round_timeout=5, **kwargs)


def test_training_reduces_the_loss_and_bytes_are_measured(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, RegressionTask())
    result = serve_in_process(spec, InProcessGrid([spec] * 3))
    assert [r["round"] for r in result.rounds] == [1, 2, 3]
    losses = [r["evaluate"]["eval_mse"] for r in result.rounds]
    assert losses[-1] < losses[0]
    assert result.rounds[0]["train"]["num-examples"] == 40 + 60 + 80
    # Down: the global model to 3 clients for training and again for evaluation; up: 3 models.
    model_bytes = sum(len(a.data) for a in ArrayRecord(
        shared_state(RegressionTask().build_model(), RegressionTask())).values())
    assert result.rounds[0]["bytes_up"] == 3 * model_bytes
    assert result.rounds[0]["bytes_down"] == 6 * model_bytes
    assert set(result.final_state) == {"linear.weight", "linear.bias"}


def test_a_client_that_fails_mid_round_does_not_stop_the_run(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, RegressionTask(fail_at={1: 2}))
    result = serve_in_process(spec, InProcessGrid([spec] * 3))
    assert [r["clients_trained"] for r in result.rounds] == [3, 2, 3]
    assert "lost its connection in round 2" in result.rounds[1]["failures"][0]
    assert result.rounds[1]["train"]["num-examples"] == 40 + 80
    assert not result.excluded


def test_a_client_that_never_answers_is_left_out_of_the_round(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, RegressionTask(), rounds=2)
    result = serve_in_process(spec, InProcessGrid([spec] * 3, dead={2}))
    assert [r["clients_trained"] for r in result.rounds] == [2, 2]
    assert result.rounds[0]["train"]["num-examples"] == 40 + 60


def test_a_client_without_data_is_excluded_with_its_reason(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, RegressionTask(rows=(40, 0, 80)))
    result = serve_in_process(spec, InProcessGrid([spec] * 3))
    assert list(result.excluded) == ["1001"]
    reason = result.excluded["1001"]
    assert reason.startswith(EXCLUDED) and "client 1" in reason and "0 rows" in reason
    assert [r["clients_trained"] for r in result.rounds] == [2, 2, 2]


def test_a_client_whose_columns_do_not_match_is_excluded(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, RegressionTask(missing_column=(2,)), rounds=1)
    result = serve_in_process(spec, InProcessGrid([spec] * 3))
    assert "local data does not fit the task" in result.excluded["1002"]
    assert "lacks column x2" in result.excluded["1002"]
    assert result.rounds[0]["clients_trained"] == 2


def test_a_client_whose_model_does_not_match_is_excluded(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, RegressionTask())
    other = make_spec(tmp_path, RegressionTask(width=4))  # the client built another model
    result = serve_in_process(spec, InProcessGrid([spec, spec, other]))
    assert "linear.weight: received (1, 3), model has (1, 4)" in result.excluded["1002"]
    assert result.rounds[-1]["clients_trained"] == 2


def test_privacy_budget_is_the_worst_client_per_round_and_in_total(tmp_path: Path) -> None:
    privacy = PrivacySettings(target_epsilon=3.0, total_rounds=3)
    spec = make_spec(tmp_path, RegressionTask(fail_at={0: 2}), privacy=privacy)
    result = serve_in_process(spec, InProcessGrid([spec] * 3))
    # the double spends 1.0 per round; client 0 missed round 2, so it is behind afterwards
    assert [r["train"]["epsilon"] for r in result.rounds] == pytest.approx([1.0, 2.0, 3.0])
    assert [r["train"]["epsilon_round"] for r in result.rounds] == pytest.approx([1.0] * 3)
    assert result.epsilon_total == pytest.approx(3.0)


def test_only_parameters_and_metrics_leave_a_client(tmp_path: Path) -> None:
    task = RegressionTask(local_head=True)
    spec = make_spec(tmp_path, task)
    shared = {k: tuple(v.shape) for k, v in shared_state(task.build_model(), task).items()}
    replies: list[Message] = []

    def inspect(msg, context, call_next):
        out = call_next(msg, context)
        replies.append(out)
        return out

    grid = InProcessGrid([spec] * 3, mods=[inspect])
    serve_in_process(spec, grid)
    assert len(replies) == 3 * 3 * 2  # 3 clients x 3 rounds x (train + evaluate)
    rows = {len(task.load_client(c, 3).x) for c in range(3)}
    for out in replies:
        assert not out.has_error()
        content = out.content
        assert not content.config_records  # no free-form payload
        for record in content.array_records.values():
            assert {k: tuple(a.shape) for k, a in record.items()} == shared
            assert not any(a.shape and a.shape[0] in rows for a in record.values())
        for record in content.metric_records.values():
            assert all(isinstance(v, int | float) for v in record.values())
    # the local head stayed on each client and was trained there
    for _, context in grid.nodes.values():
        head = context.state.array_records["local-parameters"].to_torch_state_dict()
        assert set(head) == {"local_head.weight", "local_head.bias"}
        assert not torch.equal(head["local_head.weight"],
                               task.build_model().local_head.weight.detach())


def test_fedprox_mu_reaches_the_clients(tmp_path: Path) -> None:
    from groupbuy_ml.federated.strategies import FedProx

    spec = make_spec(tmp_path, RegressionTask(), rounds=1)
    spec.strategy = FedProx(proximal_mu=0.7, min_train_nodes=3, min_available_nodes=3,
                            min_evaluate_nodes=3)
    grid = InProcessGrid([spec] * 3)
    serve_in_process(spec, grid)
    train_messages = [m for m in grid.sent if m.metadata.message_type == "train"]
    assert {m.content["config"]["proximal-mu"] for m in train_messages} == {0.7}
    assert np.isfinite(list(train_messages)[0].content["config"]["lr"])


def test_a_run_where_no_client_can_take_part_says_why(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, RegressionTask(rows=(0,)), rounds=2)
    spec.round_timeout = 0.2  # how long the server waits for a client before giving up
    with pytest.raises(RuntimeError, match="no clients can take part.*0 rows"):
        serve_in_process(spec, InProcessGrid([spec] * 2))
