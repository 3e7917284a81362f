"""BSPM on tiny random graphs, checked against dense closed forms and direct ODE steps."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.recommendation import BSPM, ValidatedBSPM, evaluate_ranking
from groupbuy_ml.recommendation.filter_selection import bspm_grid_recall
from groupbuy_ml.recommendation.models.bspm import process_polynomial, rk4_step
from groupbuy_ml.recommendation.models.item_graph import ItemGraph
from groupbuy_ml.recommendation.selection import holdout_per_user


def random_matrix(seed: int = 0, users: int = 40, items: int = 30, p: float = 0.15):
    rng = np.random.default_rng(seed)
    dense = (rng.uniform(size=(users, items)) < p).astype(np.float32)
    dense[np.arange(users), rng.integers(0, items, users)] = 1.0  # nobody is empty
    return sp.csr_matrix(dense)


def dense_graph(train: sp.csr_matrix):
    r = train.toarray().astype(np.float64)
    du, di = r.sum(1) ** -0.5, r.sum(0)
    di = np.where(di > 0, di, np.inf) ** -0.5
    norm = du[:, None] * r * di[None, :]
    return r, norm, norm.T @ norm, di


def test_one_rk4_step_is_the_taylor_polynomial_and_euler_blur_is_p() -> None:
    h = 2.5
    taylor = [(-h) ** j / math.factorial(j) for j in range(5)]
    np.testing.assert_allclose(process_polynomial("sharpening", h, 1, "rk4"), taylor)
    two = np.polynomial.polynomial.polymul(*[process_polynomial("sharpening", h / 2, 1, "rk4")] * 2)
    np.testing.assert_allclose(process_polynomial("sharpening", h, 2, "rk4"), two)
    np.testing.assert_allclose(process_polynomial("blurring", 1.0, 1, "euler"), [0.0, 1.0])
    np.testing.assert_allclose(process_polynomial("sharpening", 0.0, 3, "rk4"), [1.0])
    with pytest.raises(ConfigError, match="unknown ODE solver 'rk5'"):
        process_polynomial("sharpening", 1.0, 1, "rk5")
    with pytest.raises(ConfigError, match="steps >= 1"):
        BSPM(sharpen_steps=0)


def test_polynomial_on_the_graph_equals_rk4_steps_on_the_rows() -> None:
    train = random_matrix()
    graph = ItemGraph(train)
    _, _, p, _ = dense_graph(train)
    x = torch.from_numpy(train[:7].toarray()).double()
    direct = x
    for _ in range(3):  # dx/dt = -x P, three RK4 steps of 0.4 on the dense matrix
        direct = rk4_step(lambda s: -(s @ torch.from_numpy(p)), direct, 0.4)
    coeffs = process_polynomial("sharpening", 1.2, 3, "rk4")
    got = graph.apply_polynomial(x.float(), coeffs).double()
    np.testing.assert_allclose(got.numpy(), direct.numpy(), rtol=1e-4, atol=1e-5)


def test_bspm_matches_the_dense_formula() -> None:
    train = random_matrix(1)
    r, norm, p, di = dense_graph(train)
    blur_only = BSPM(sharpen_time=0.0, idl_beta=0.0).fit(train)
    np.testing.assert_allclose(blur_only.score(np.arange(40)).double().numpy(), r @ p,
                               rtol=1e-4, atol=1e-5)
    k, beta, t = 6, 0.3, 2.5
    v = np.linalg.svd(norm)[2][:k].T
    ideal = (r * di) @ v @ v.T / np.where(np.isfinite(1 / di), di, 1)
    q = sum(c * np.linalg.matrix_power(p, j)
            for j, c in enumerate(process_polynomial("sharpening", t, 1, "rk4")))
    expected = (r @ p + beta * ideal) @ q
    model = BSPM(sharpen_time=t, idl_beta=beta, n_components=k, svd_iterations=30).fit(train)
    np.testing.assert_allclose(model.score(np.arange(40)).double().numpy(), expected,
                               rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(model.score_rows(train[:3]).numpy(),
                               model.score(np.arange(3)).numpy(), rtol=1e-6)
    with pytest.raises(InvalidDataError, match="rows have 5 columns"):
        model.score_rows(np.ones((1, 5)))


def test_grid_recall_equals_the_refitted_model_and_choice_is_the_best() -> None:
    train = random_matrix(2, users=60, items=40, p=0.2)
    fit, val = holdout_per_user(train, 0.2)
    users = np.flatnonzero(np.diff(val.indptr) > 0)
    recall = bspm_grid_recall(fit, val, users, [1.0, 2.5], [0.0, 0.3], [8], k=5,
                              svd_iterations=30)
    assert set(recall) == {(1.0, 0, 0.0), (2.5, 0, 0.0), (1.0, 8, 0.3), (2.5, 8, 0.3)}
    direct = BSPM(sharpen_time=2.5, idl_beta=0.3, n_components=8, svd_iterations=30).fit(fit)
    assert recall[(2.5, 8, 0.3)] == pytest.approx(evaluate_ranking(direct, val, k=5)
                                                  ["recall_at_5"], abs=1e-6)
    model = ValidatedBSPM([1.0, 2.5], [0.3], [8], fraction=0.2, k=5,
                          svd_iterations=30).fit(train)
    assert model.chosen_ == max(model.history_, key=lambda row: row["val_recall"])
    assert model.model_.sharpen_time == model.chosen_["sharpen_time"]
    assert model.recommend(np.arange(3), 4)[0].shape == (3, 4)
