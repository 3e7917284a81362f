"""Recommenders on tiny random graphs, checked against hand-computed or dense references."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from groupbuy_ml.recommendation import (
    GraphFilterCF,
    Popularity,
    evaluate_ranking,
    interaction_matrix,
)


def random_matrix(seed: int = 0, users: int = 40, items: int = 30, p: float = 0.15):
    rng = np.random.default_rng(seed)
    dense = (rng.uniform(size=(users, items)) < p).astype(np.float32)
    dense[np.arange(users), rng.integers(0, items, users)] = 1.0  # nobody is empty
    return sp.csr_matrix(dense)


def test_interaction_matrix_counts_duplicates_once_and_checks_ranges() -> None:
    frame = pd.DataFrame({"user_id": [0, 0, 1], "item_id": [2, 2, 0]}, dtype="int64")
    matrix = interaction_matrix(frame, 2, 3)
    assert matrix.toarray().tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match="item_id 2 .* expected < 2"):
        interaction_matrix(frame, 2, 2)


def test_popularity_ranks_by_degree_and_masks_seen() -> None:
    train = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]], np.float32))
    model = Popularity().fit(train)
    assert model.score(np.array([0]))[0].tolist() == [3.0, 1.0, 2.0, 0.0]
    top, _ = model.recommend(np.array([0, 1]), k=2)
    assert top.tolist() == [[2, 3], [1, 3]]  # user 0 has 0 and 1; user 1 has 0 and 2


def test_graph_filter_matches_the_dense_formula() -> None:
    train = random_matrix()
    r = train.toarray().astype(np.float64)
    du = r.sum(1) ** -0.5
    di = r.sum(0) ** -0.5
    di[~np.isfinite(di)] = 0.0
    norm = du[:, None] * r * di[None, :]
    _, _, vt = np.linalg.svd(norm)
    k, alpha = 5, 0.3
    v = vt[:k].T
    inv = np.where(di > 0, 1 / np.where(di > 0, di, 1), 0)
    expected = r @ norm.T @ norm + alpha * (r * di) @ v @ v.T * inv
    model = GraphFilterCF(alpha=alpha, n_components=k, svd_iterations=30).fit(train)
    got = model.score(np.arange(train.shape[0])).double().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-4)


def test_graph_filter_beats_popularity_on_planted_communities() -> None:
    rng = np.random.default_rng(1)
    users, items = 120, 60
    group_u, group_i = rng.integers(0, 3, users), rng.integers(0, 3, items)
    prob = np.where(group_u[:, None] == group_i[None, :], 0.35, 0.02)
    full = (rng.uniform(size=(users, items)) < prob).astype(np.float32)
    mask = rng.uniform(size=full.shape) < 0.8
    train, test = sp.csr_matrix(full * mask), sp.csr_matrix(full * ~mask)
    gf = evaluate_ranking(GraphFilterCF(n_components=8).fit(train), test, k=5)
    pop = evaluate_ranking(Popularity().fit(train), test, k=5)
    assert gf["recall_at_5"] > 1.5 * pop["recall_at_5"]


def test_evaluation_matches_hand_computed_recall_and_ndcg() -> None:
    train = sp.csr_matrix(np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]], np.float32))
    test = sp.csr_matrix(np.array([[0, 0, 1, 1, 0], [0, 0, 0, 0, 1]], np.float32))

    class Fixed(Popularity):
        def score(self, users: np.ndarray) -> torch.Tensor:
            return torch.tensor([[9.0, 5.0, 4.0, 1.0, 3.0]]).repeat(len(users), 1)

    out = evaluate_ranking(Fixed().fit(train), test, k=2)
    # user 0 (item 0 masked): top-2 = [1, 2]: 1 hit of 2 -> recall 0.5, dcg 1/log2(3),
    #   idcg 1 + 1/log2(3); user 1 (item 1 masked): top-2 = [0, 2]: no hit -> 0.
    ndcg0 = (1 / np.log2(3)) / (1 + 1 / np.log2(3))
    assert out["recall_at_2"] == pytest.approx(0.25)
    assert out["ndcg_at_2"] == pytest.approx(ndcg0 / 2)
    assert out["hit_rate_at_2"] == pytest.approx(0.5)


def test_unknown_user_is_a_clear_error() -> None:
    model = Popularity().fit(random_matrix())
    with pytest.raises(ValueError, match="unknown user id 40"):
        model.recommend(np.array([40]), k=3)
    with pytest.raises(RuntimeError, match="not fitted"):
        GraphFilterCF().score(np.array([0]))


def test_predict_returns_ranked_rows_per_user() -> None:
    train = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]], np.float32))
    out = Popularity().fit(train).predict(pd.DataFrame({"user_id": [0, 1]}), k=2)
    assert out.to_dict("list") == {"user_id": [0, 0, 1, 1], "rank": [1, 2, 1, 2],
                                   "item_id": [2, 3, 1, 3], "score": [2.0, 0.0, 1.0, 0.0]}


def test_holdout_per_user_moves_a_fraction_and_keeps_everything() -> None:
    from groupbuy_ml.recommendation.selection import holdout_per_user

    train = random_matrix(users=50, items=40, p=0.3)
    fit, val = holdout_per_user(train, 0.25, seed=1)
    assert (fit + val - train).nnz == 0 and fit.multiply(val).nnz == 0
    per_user = np.diff(train.indptr)
    expected = np.where(per_user >= 2, np.maximum(1, np.floor(per_user * 0.25)), 0)
    assert (np.diff(val.indptr) == expected).all()


def test_choose_alpha_scores_each_candidate_on_validation_only() -> None:
    from groupbuy_ml.recommendation.selection import choose_alpha

    best, recall = choose_alpha(random_matrix(users=60, items=40, p=0.3), [0.0, 0.5],
                                n_components=6, k=5)
    assert set(recall) == {0.0, 0.5} and best in recall
    assert recall[best] == max(recall.values())


def test_scene_filter_reads_only_product_columns_and_checks_shapes() -> None:
    from groupbuy_ml.recommendation import SceneGraphFilterCF

    train = random_matrix(users=40, items=30)
    tags = sp.csr_matrix((np.arange(40)[:, None] % 3 == np.arange(3)[None, :]).astype(float))
    fits = sp.csr_matrix((np.arange(30)[:, None] % 3 == np.arange(3)[None, :]).astype(float))
    model = SceneGraphFilterCF(tags, fits, n_components=6).fit(train)
    assert model.score(np.array([0, 1])).shape == (2, 30)
    with pytest.raises(ValueError, match="scene matrices cover 40 users and 29 products"):
        SceneGraphFilterCF(tags, fits[:29]).fit(train)


def test_cold_start_household_scores_match_a_fitted_row() -> None:
    from groupbuy_ml.recommendation import SceneGraphFilterCF

    train = random_matrix(users=40, items=30)
    tags = sp.csr_matrix((np.arange(40)[:, None] % 3 == np.arange(3)[None, :]).astype(float))
    fits = sp.csr_matrix((np.arange(30)[:, None] % 3 == np.arange(3)[None, :]).astype(float))
    model = SceneGraphFilterCF(tags, fits, n_components=6).fit(train)
    # a "new" household identical to user 4 gets user 4's scores without retraining
    again = model.score_new_household(tags[4].toarray().ravel(), train[4].toarray().ravel())
    torch.testing.assert_close(again[0], model.score(np.array([4]))[0])
    only_tags = model.score_new_household(np.array([0, 1, 0]))
    assert only_tags.shape == (1, 30) and torch.isfinite(only_tags).all()
    with pytest.raises(ValueError, match="expected 3 \\(one per scene\\)"):
        model.score_new_household(np.array([1, 0]))


def test_new_product_borrows_from_its_category_and_scenes() -> None:
    from groupbuy_ml.recommendation.coldstart import new_product_scores

    train = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]], np.float32))
    model = Popularity().fit(train)  # scores per item: [3, 1, 2, 0]
    cats = ["milk", "milk", "toys", "milk"]
    scenes = np.array([[1, 0], [0, 0], [0, 1], [1, 0]])
    got = new_product_scores(model, np.array([0]), cats, scenes, "milk", np.array([1, 0]))
    # weights: item0 1+1, item1 1+0, item3 1+1 -> (2*3 + 1*1 + 2*0) / 5 = 1.4
    assert float(got[0]) == pytest.approx(1.4)
    # price 10 vs 10, 20 (ratio 2 -> e^-ln2 = 1/2) and 10; item 3 from the same supplier (x2):
    # weights 2, 0.5, 4 -> (2*3 + 0.5*1 + 4*0) / 6.5
    got = new_product_scores(model, np.array([0]), cats, scenes, "milk", np.array([1, 0]),
                             prices=np.array([10.0, 20.0, 5.0, 10.0]), new_price=10.0,
                             suppliers=np.array([1, 1, 1, 2]), new_supplier=2)
    assert float(got[0]) == pytest.approx(6.5 / 6.5)
    with pytest.raises(ValueError, match="no existing product shares category 'pet'"):
        new_product_scores(model, np.array([0]), cats, scenes, "pet", np.array([0, 0]))
