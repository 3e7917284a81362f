"""ChebyCF on tiny random graphs, checked against an eigendecomposition of the item graph."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.polynomial import chebyshev

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.recommendation import ChebyCF, ValidatedChebyCF, evaluate_ranking
from groupbuy_ml.recommendation.filter_selection import chebycf_grid_recall, validation_users
from groupbuy_ml.recommendation.models.chebycf import plateau_coefficients
from groupbuy_ml.recommendation.selection import holdout_per_user


def random_matrix(seed: int = 0, users: int = 40, items: int = 30, p: float = 0.15):
    rng = np.random.default_rng(seed)
    dense = (rng.uniform(size=(users, items)) < p).astype(np.float32)
    dense[np.arange(users), rng.integers(0, items, users)] = 1.0
    return sp.csr_matrix(dense)


def test_plateau_interpolates_the_low_pass_response_at_the_chebyshev_nodes() -> None:
    order, phi = 8, 1.5
    c = plateau_coefficients(order, phi)
    nodes = np.cos((np.arange(order + 1) + 0.5) * np.pi / (order + 1))
    expected = 0.5 - 0.5 * np.sign(nodes) * np.abs(nodes) ** phi
    np.testing.assert_allclose(chebyshev.chebval(nodes, c), expected, atol=1e-12)
    assert chebyshev.chebval(-1.0, c) > 0.9 and abs(chebyshev.chebval(1.0, c)) < 0.1
    with pytest.raises(ConfigError, match="flatness > 0"):
        ChebyCF(flatness=0.0)


def test_chebycf_matches_the_spectral_formula() -> None:
    train = random_matrix(3)
    r = train.toarray().astype(np.float64)
    du, d = r.sum(1) ** -0.5, r.sum(0)
    di = np.where(d > 0, d, np.inf) ** -0.5
    norm = du[:, None] * r * di[None, :]
    lam, u = np.linalg.eigh(np.eye(r.shape[1]) - 2 * norm.T @ norm)
    order, phi, k, alpha, b = 6, 2.0, 5, 0.3, 0.4
    response = u @ np.diag(chebyshev.chebval(lam, plateau_coefficients(order, phi))) @ u.T
    v = np.linalg.svd(norm)[2][:k].T
    pre = np.where(d > 0, np.where(d > 0, d, 1.0) ** -b, 0.0)
    post = np.where(d > 0, np.where(d > 0, d, 1.0) ** b, 0.0)
    signal = r * pre
    expected = (signal @ response + alpha * signal @ v @ v.T) * post
    model = ChebyCF(order=order, flatness=phi, n_components=k, ideal_weight=alpha,
                    degree_power=b, svd_iterations=30).fit(train)
    np.testing.assert_allclose(model.score(np.arange(40)).double().numpy(), expected,
                               rtol=1e-3, atol=1e-4)


def test_chebycf_grid_recall_equals_the_refitted_model() -> None:
    train = random_matrix(4, users=60, items=40, p=0.2)
    fit, val = holdout_per_user(train, 0.2)
    users = validation_users(val, None, 0)
    recall = chebycf_grid_recall(fit, val, users, [4, 8], [1.5], [0.2], [8], [0.4], k=5,
                                 svd_iterations=30)
    direct = ChebyCF(order=8, flatness=1.5, n_components=8, ideal_weight=0.2,
                     degree_power=0.4, svd_iterations=30).fit(fit)
    assert recall[(0.4, 8, 1.5, 8, 0.2)] == pytest.approx(
        evaluate_ranking(direct, val, k=5)["recall_at_5"], abs=1e-6)
    model = ValidatedChebyCF([4], [1.5, 2.0], [0.2], [8], [0.4], fraction=0.2, k=5).fit(train)
    assert model.chosen_ == max(model.history_, key=lambda row: row["val_recall"])
    assert len(model.history_) == 2 and model.model_.order == 4
