"""SecAgg+: the securely aggregated model equals the plain one (up to quantisation), and the
server never sees a client's parameters in the clear."""

from __future__ import annotations

from pathlib import Path

import torch
from federated_doubles import InProcessGrid, RegressionTask, serve_in_process

from groupbuy_ml.federated.spec import FederationSpec, SecAggSettings
from groupbuy_ml.federated.strategies import FedAvg
from groupbuy_ml.federated.task import LocalTraining

# 180 examples at most per client: max_weight 1000 keeps the weights' quantisation fine.
SECAGG = SecAggSettings(num_shares=3, reconstruction_threshold=2, max_weight=1000.0)


def spec_for(tmp_path: Path, secagg: SecAggSettings | None, name: str) -> FederationSpec:
    strategy = FedAvg(min_train_nodes=3, min_evaluate_nodes=3, min_available_nodes=3)
    return FederationSpec(task=RegressionTask(), strategy=strategy, num_rounds=2,
                          training=LocalTraining(lr=0.05, batch_size=16, seed=2),
                          result_dir=str(tmp_path / name), secagg=secagg)


def test_secagg_gives_the_plain_aggregate(tmp_path: Path) -> None:
    plain_spec = spec_for(tmp_path, None, "plain")
    plain = serve_in_process(plain_spec, InProcessGrid([plain_spec] * 3))

    secure_spec = spec_for(tmp_path, SECAGG, "secure")
    replies = []

    def inspect(msg, context, call_next):
        out = call_next(msg, context)
        replies.append(out)
        return out

    secure = serve_in_process(secure_spec, InProcessGrid([secure_spec] * 3, mods=[inspect]))
    for name, tensor in plain.final_state.items():
        torch.testing.assert_close(secure.final_state[name], tensor, atol=1e-3, rtol=0)
    assert [r["train"]["num-examples"] for r in secure.rounds] == [180, 180]
    assert [r["train"]["num-clients"] for r in secure.rounds] == [3, 3]
    assert secure.rounds[0]["train"]["train_loss"] == plain.rounds[0]["train"]["train_loss"]
    # The key exchange costs bytes: a SecAgg+ round moves more than a plain one.
    assert secure.rounds[0]["bytes_up"] > plain.rounds[0]["bytes_up"]
    # Every training reply carried masked vectors only; its parameter records were emptied.
    train_replies = [r for r in replies if r.metadata.message_type == "train"]
    assert len(train_replies) == 3 * 4 * 2  # 3 clients x 4 SecAgg+ stages x 2 rounds
    for reply in train_replies:
        assert all(len(record) == 0 for record in reply.content.array_records.values())
