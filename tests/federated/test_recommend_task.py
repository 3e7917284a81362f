"""Federated MF-BPR (FCF): private user embeddings, shared items, per-client recall@20."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from groupbuy_ml.data.sources import MarketSource
from groupbuy_ml.federated.recommend_task import RecommendTask
from groupbuy_ml.federated.task import EmptyClientError, LocalTraining, PrivacySettings

TINY = {"seed": 5, "n_days": 30, "n_pickup_points": 6, "n_products": 20}


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> MarketSource:
    source = MarketSource(tmp_path_factory.mktemp("market"), simulation=TINY)
    source.ensure()
    return source


def test_clients_partition_the_households(market: MarketSource) -> None:
    task = RecommendTask(market, test_days=5, num_clients=2, group_by="pickup_point_id")
    parts = [set(task.client_households(c).tolist()) for c in range(2)]
    assert parts[0] and parts[1] and not parts[0] & parts[1]
    data, households = task._load()
    assert parts[0] | parts[1] == set(households["household_id"].tolist())
    client = task.load_client(0, 2)
    users = np.unique(client.train.nonzero()[0])
    assert set(users.tolist()) <= parts[0]
    assert client.train.shape == (data.num_users, data.num_items)


def test_round_keeps_users_local_and_trains(market: MarketSource) -> None:
    task = RecommendTask(market, test_days=5, num_clients=2, group_by="pickup_point_id",
                         embedding_dim=8)
    assert task.local_parameter_prefixes == ("user",)
    data = task.load_client(1, 2)
    model = task.build_model()
    start = {k: v.clone() for k, v in model.state_dict().items()}
    metrics = task.train(model, data, LocalTraining(epochs=2, lr=0.05, batch_size=128,
                                                    proximal_mu=0.01), None, {})
    assert metrics["num-examples"] == data.train.nnz and metrics["train_loss"] > 0
    mine = np.unique(data.train.nonzero()[0])
    others = np.setdiff1d(np.arange(model["user"].weight.shape[0]), mine)
    moved = (model["user"].weight - start["user.weight"]).abs().sum(1)
    assert bool((moved[mine] > 0).any())
    assert bool((moved[others] == 0).all())  # never sampled: other clients' households
    assert not torch.equal(model["item"].weight, start["item.weight"])
    result = task.evaluate(model, data)
    assert 0 <= result["recall_at_20"] <= 1 and result["num-examples"] == data.num_eval_examples


def test_errors(market: MarketSource) -> None:
    task = RecommendTask(market, test_days=5, num_clients=50, group_by="pickup_point_id")
    with pytest.raises(EmptyClientError, match="num_clients <= 6"):
        task.load_client(0, 50)
    task = RecommendTask(market, test_days=5, num_clients=2, group_by="pickup_point_id")
    with pytest.raises(ValueError, match="no DP-SGD"):
        task.train(task.build_model(), task.load_client(0, 2), LocalTraining(),
                   PrivacySettings(8.0), {})
    with pytest.raises(ValueError, match="not a household attribute"):
        RecommendTask(market, group_by="colour").load_client(0, 5)
    with pytest.raises(TypeError, match="MarketSource"):
        RecommendTask(Path("somewhere"))
