"""Graph filtering collaborative filtering (GF-CF).

Shen, Wu, Zhang, Wang, Ding, Yan, Li, Letaief. "How Powerful is Graph Convolution for
Recommendation?" CIKM 2021 (arXiv:2108.07567). LightGCN-style propagation is a low-pass graph
filter; GF-CF applies it in closed form, with no training loop:

    R~ = D_U^-1/2 R D_I^-1/2,   scores(u) = r_u R~^T R~ + alpha * r_u D_I^-1/2 V_k V_k^T D_I^1/2

the first term a linear filter over the normalised item-item graph, the second an ideal low-pass
filter through the top-``k`` right singular vectors ``V_k`` of ``R~``. Scoring runs per batch of
users; neither the item-item matrix nor the full score matrix is ever materialised.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.recommendation.models.recommender import Recommender


def _sparse_tensor(matrix: sp.spmatrix) -> torch.Tensor:
    coo = matrix.tocoo()
    index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    return torch.sparse_coo_tensor(index, torch.from_numpy(coo.data.astype(np.float32)),
                                   coo.shape, check_invariants=True).coalesce().to_sparse_csr()


class GraphFilterCF(Recommender):
    """GF-CF (Shen et al. 2021): linear + ideal low-pass graph filters, fitted in closed form.

    Args:
        alpha: weight of the ideal low-pass term (the paper uses 0.3; 0 = linear filter only).
        n_components: number of singular vectors in the ideal low-pass filter (paper: 256).
        seed: seed of the randomised SVD.
        svd_iterations: power iterations of the randomised SVD (more: closer to exact).
    """

    def __init__(self, alpha: float = 0.3, n_components: int = 256, seed: int = 0,
                 svd_iterations: int = 4) -> None:
        self.alpha = alpha
        self.n_components = n_components
        self.seed = seed
        self.svd_iterations = svd_iterations

    def fit(self, train: sp.csr_matrix) -> GraphFilterCF:
        train = train.tocsr().astype(np.float32)
        self.train_matrix_ = train
        user_degree = np.asarray(train.sum(axis=1)).ravel()
        item_degree = np.asarray(train.sum(axis=0)).ravel()
        du = np.where(user_degree > 0, user_degree, 1.0) ** -0.5
        di = np.where(item_degree > 0, item_degree, 1.0) ** -0.5
        di[item_degree == 0] = 0.0
        norm = sp.diags(du) @ train @ sp.diags(di)
        self.norm_ = _sparse_tensor(norm)
        self.norm_t_ = _sparse_tensor(norm.T.tocsr())
        oversample = 16  # extra random directions make the leading k vectors accurate
        self.item_scale_ = torch.from_numpy(di.astype(np.float32))
        self.item_unscale_ = torch.from_numpy(
            np.where(di > 0, 1.0 / np.where(di > 0, di, 1.0), 0.0).astype(np.float32))
        self.components_ = None
        if self.alpha and self.n_components:
            k = min(self.n_components, min(train.shape) - 1)
            torch.manual_seed(self.seed)
            q = min(k + oversample, min(train.shape))
            _, _, v = torch.svd_lowrank(self.norm_.to_sparse_coo(), q=q,
                                        niter=self.svd_iterations)
            self.components_ = v[:, :k].contiguous()  # (num_items, k)
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        linear, low = self.filter_terms(users)
        return linear if low is None else linear + self.alpha * low

    def filter_terms(self, users: np.ndarray) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The two filters' scores apart (linear, ideal low-pass or None), so that several
        ``alpha`` values can be compared from one pass (see :mod:`..selection`)."""
        users = self._check_users(users)
        return self._terms(torch.from_numpy(self.train_matrix_[users].toarray()))

    def score_rows(self, rows: sp.spmatrix | np.ndarray) -> torch.Tensor:
        """Scores for interaction rows the model was not fitted on (cold start: a new household
        with its first few events, no retraining): the filters only need the row itself."""
        dense = rows.toarray() if sp.issparse(rows) else np.atleast_2d(np.asarray(rows))
        if dense.shape[1] != self.train_matrix_.shape[1]:
            raise InvalidDataError(f"rows have {dense.shape[1]} columns; the model was fitted on "
                                   f"{self.train_matrix_.shape[1]}")
        linear, low = self._terms(torch.from_numpy(dense.astype(np.float32)))
        return linear if low is None else linear + self.alpha * low

    def _terms(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        # r_u R~^T R~ as two sparse-dense products; R~^T R~ itself is never formed
        linear = (self.norm_t_ @ (self.norm_ @ rows.T)).T
        if self.components_ is None:
            return linear, None
        low = ((rows * self.item_scale_) @ self.components_) @ self.components_.T
        return linear, low * self.item_unscale_
