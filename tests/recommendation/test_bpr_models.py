"""BPR sampling and the embedding recommenders (MF-BPR, PyG LightGCN) on tiny graphs."""

import time

import numpy as np
import pytest
import scipy.sparse as sp

from groupbuy_ml.recommendation import (
    LightGCNRecommender,
    MatrixFactorizationBPR,
    Popularity,
    evaluate_ranking,
)
from groupbuy_ml.recommendation.sampling import BPRSampler


def planted(seed: int = 1, users: int = 150, items: int = 60):
    rng = np.random.default_rng(seed)
    gu, gi = rng.integers(0, 3, users), rng.integers(0, 3, items)
    full = (rng.uniform(size=(users, items)) < np.where(gu[:, None] == gi[None, :], 0.3, 0.02))
    mask = rng.uniform(size=full.shape) < 0.8
    return sp.csr_matrix((full & mask).astype(np.float32)), sp.csr_matrix(
        (full & ~mask).astype(np.float32))


def test_sampler_draws_positives_and_true_negatives() -> None:
    train, _ = planted()
    user, pos, neg = BPRSampler(train, seed=3).sample(5000)
    dense = train.toarray()
    assert dense[user, pos].all() and not dense[user, neg].any()


def test_sampler_skips_users_with_every_item_and_says_when_none_is_left() -> None:
    dense = np.array([[1, 1, 1], [1, 0, 0]], np.float32)
    user, _, neg = BPRSampler(sp.csr_matrix(dense)).sample(50)
    assert (user == 1).all() and np.isin(neg, [1, 2]).all()
    with pytest.raises(ValueError, match="nothing for BPR to learn from"):
        BPRSampler(sp.csr_matrix(np.ones((2, 3), np.float32)))


@pytest.mark.parametrize("model_cls", [MatrixFactorizationBPR, LightGCNRecommender])
def test_bpr_models_learn_the_planted_communities(model_cls) -> None:
    train, test = planted()
    model = model_cls(embedding_dim=16, lr=0.01, batch_size=256, max_epochs=40, seed=0)
    model.fit(train)
    losses = [h["train_loss"] for h in model.history_]
    assert losses[-1] < losses[0]
    ours = evaluate_ranking(model, test, k=5)["recall_at_5"]
    pop = evaluate_ranking(Popularity().fit(train), test, k=5)["recall_at_5"]
    assert ours > 1.3 * pop


def test_time_budget_is_honoured() -> None:
    train, _ = planted(users=400, items=200)
    started = time.perf_counter()
    model = LightGCNRecommender(embedding_dim=16, batch_size=64, max_epochs=10_000,
                                time_budget_s=1.0).fit(train)
    assert time.perf_counter() - started < 2.0
    assert model.history_[-1]["seconds"] < 1.5
