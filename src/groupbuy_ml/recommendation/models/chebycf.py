"""Chebyshev-polynomial graph filter collaborative filtering (ChebyCF).

Kim, Sung, Han, Lee. "Graph Spectral Filtering with Chebyshev Interpolation for
Recommendation." SIGIR 2025 (arXiv:2505.00552). On the item graph ``P = R~^T R~`` (see
:mod:`.item_graph`) with the rescaled Laplacian ``L~ = I - 2P`` (spectrum in [-1, 1]):

    x'    = x D_I^-b                                  (degree normalisation, power b)
    s(x)  = D_I^b ( x' sum_n c_n T_n(L~) + alpha x' V_k V_k^T )

``T_n`` are Chebyshev polynomials, applied by their three-term recurrence (one graph product
each, well conditioned, unlike the power basis), and ``c_n`` interpolate an ideal low-pass
"plateau" response at the ``K + 1`` Chebyshev nodes of the first kind:
``h(l) = (1 - sign(l) |l|^phi) / 2`` (1 at the lowest frequency l = -1, 0 at the highest,
flatter around the cut-off as ``phi`` grows). ``V_k`` are the top right singular vectors of
``R~`` (the ideal pass filter, as in GF-CF).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
import torch
from numpy.polynomial import chebyshev

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.recommendation.models.item_graph import ItemGraph, item_rows
from groupbuy_ml.recommendation.models.recommender import Recommender


def plateau_coefficients(order: int, flatness: float) -> np.ndarray:
    """Chebyshev coefficients ``c_0..c_order`` interpolating the plateau low-pass response
    ``(1 - sign(l) |l|^flatness) / 2`` at the Chebyshev points of the first kind."""
    if order < 0 or flatness <= 0:
        raise ConfigError(f"ChebyCF needs order >= 0 and flatness > 0 (got order={order}, "
                          f"flatness={flatness})")
    def response(level: np.ndarray) -> np.ndarray:
        return 0.5 - 0.5 * np.sign(level) * np.abs(level) ** flatness
    return chebyshev.chebinterpolate(response, order) if order else np.array([0.5])


def chebyshev_basis(graph: ItemGraph, rows: torch.Tensor, order: int
                    ) -> Iterator[torch.Tensor]:
    """``rows T_0(L~), ..., rows T_order(L~)`` with ``L~ = I - 2P``, one at a time, by the
    recurrence ``T_{n+1} = 2 T_n L~ - T_{n-1}``."""
    def laplacian(x: torch.Tensor) -> torch.Tensor:
        return x - 2 * graph.propagate(x)
    previous, current = None, rows
    for n in range(order + 1):
        yield current
        if n < order:
            nxt = laplacian(current) if previous is None else 2 * laplacian(current) - previous
            previous, current = current, nxt


class ChebyCF(Recommender):
    """ChebyCF (Kim et al. 2025): Chebyshev interpolation of an ideal low-pass filter, an ideal
    pass term and item degree normalisation, in closed form.

    Args:
        order: ``K``, degree of the Chebyshev interpolation (paper, Gowalla: 8).
        flatness: ``phi`` of the plateau response (paper, Gowalla: 1.5).
        n_components: ``eta``, singular vectors of the ideal pass term (paper, Gowalla: 512).
        ideal_weight: ``alpha`` of the ideal pass term (paper, Gowalla: 0.2; 0 = off).
        degree_power: ``beta`` of the degree normalisation (paper, Gowalla: 0.4; 0 = off).
        seed, svd_iterations: of the randomised SVD.
    """

    def __init__(self, order: int = 8, flatness: float = 1.5, n_components: int = 512,
                 ideal_weight: float = 0.2, degree_power: float = 0.4, seed: int = 0,
                 svd_iterations: int = 4) -> None:
        self.order, self.flatness, self.n_components = order, flatness, n_components
        self.ideal_weight, self.degree_power = ideal_weight, degree_power
        self.seed, self.svd_iterations = seed, svd_iterations
        self.coefficients_ = plateau_coefficients(order, flatness)  # fails early on bad input

    def fit(self, train: sp.csr_matrix) -> ChebyCF:
        self.train_matrix_ = sp.csr_matrix(train, dtype=np.float32)
        self.graph_ = ItemGraph(self.train_matrix_)
        self.pre_ = torch.from_numpy(self.graph_.degree_power(-self.degree_power)
                                     .astype(np.float32))
        self.post_ = torch.from_numpy(self.graph_.degree_power(self.degree_power)
                                      .astype(np.float32))
        self.components_ = None
        if self.ideal_weight and self.n_components:
            self.components_ = self.graph_.singular_vectors(self.n_components, self.seed,
                                                            self.svd_iterations)
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        users = self._check_users(users)
        return self._scores(torch.from_numpy(self.train_matrix_[users].toarray()))

    def score_rows(self, rows: sp.spmatrix | np.ndarray) -> torch.Tensor:
        """Scores for interaction rows the model was not fitted on (cold start)."""
        return self._scores(item_rows(rows, self.train_matrix_.shape[1]))

    def _scores(self, rows: torch.Tensor) -> torch.Tensor:
        signal = rows * self.pre_
        out = torch.zeros_like(signal)
        terms = chebyshev_basis(self.graph_, signal, self.order)
        for c, term in zip(self.coefficients_, terms, strict=True):
            out += float(c) * term
        if self.components_ is not None:
            out = out + self.ideal_weight * ((signal @ self.components_) @ self.components_.T)
        return out * self.post_
