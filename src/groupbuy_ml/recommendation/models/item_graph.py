"""The normalised item-item graph of the closed-form filters (GF-CF, BSPM, ChebyCF), applied to
batches of user rows without ever forming it.

    R~ = D_U^-1/2 R D_I^-1/2,   P = R~^T R~   (num_items x num_items, eigenvalues in [0, 1])

``x P`` is computed as ``(x R~^T) R~``: two sparse-dense products over the interactions, so
memory stays ~ batch x (num_users + num_items) floats however dense ``P`` would be.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.recommendation.models.graph_filter import _sparse_tensor


class ItemGraph:
    """``P = R~^T R~`` of a users x items matrix, with the item degree scalings and the top
    right singular vectors of ``R~`` (the ideal low-pass filter of GF-CF / BSPM / ChebyCF)."""

    def __init__(self, train: sp.spmatrix) -> None:
        train = sp.csr_matrix(train, dtype=np.float32)
        if train.nnz == 0:
            raise InvalidDataError("the training matrix has no interactions: a graph filter "
                                   "needs at least one user-item edge")
        self.shape = train.shape
        user_degree = np.asarray(train.sum(axis=1)).ravel()
        self.item_degree = np.asarray(train.sum(axis=0)).ravel().astype(np.float64)
        du = np.zeros_like(user_degree, dtype=np.float64)
        du[user_degree > 0] = user_degree[user_degree > 0] ** -0.5
        norm = sp.diags(du) @ train @ sp.diags(self.degree_power(-0.5))
        self.norm = norm.tocsr()
        self._norm = _sparse_tensor(self.norm)           # (users, items)
        self._norm_t = _sparse_tensor(self.norm.T.tocsr())  # (items, users)

    @property
    def num_items(self) -> int:
        return int(self.shape[1])

    def degree_power(self, power: float) -> np.ndarray:
        """``d_i ** power`` per item (float64), 0 for items nobody interacted with."""
        out = np.zeros_like(self.item_degree)
        seen = self.item_degree > 0
        out[seen] = self.item_degree[seen] ** power
        return out

    def propagate(self, rows: torch.Tensor) -> torch.Tensor:
        """``rows @ P`` for a (batch, num_items) float tensor; ``P`` is never formed."""
        columns = rows.T.contiguous()
        return (self._norm_t @ (self._norm @ columns)).T.contiguous()

    def powers(self, rows: torch.Tensor, degree: int) -> list[torch.Tensor]:
        """``[rows, rows P, rows P^2, ..., rows P^degree]``."""
        out = [rows]
        for _ in range(degree):
            out.append(self.propagate(out[-1]))
        return out

    def apply_polynomial(self, rows: torch.Tensor, coefficients: Sequence[float]) -> torch.Tensor:
        """``rows @ sum_j c_j P^j`` by Horner's rule (``len(coefficients) - 1`` products)."""
        coefficients = [float(c) for c in coefficients]
        out = coefficients[-1] * rows
        for c in reversed(coefficients[:-1]):
            out = self.propagate(out) + c * rows
        return out

    def singular_vectors(self, k: int, seed: int = 0, iterations: int = 4,
                         oversample: int = 16) -> torch.Tensor:
        """The top-``k`` right singular vectors of ``R~`` (num_items x k, float32), by the
        randomised SVD of Halko et al. (torch.svd_lowrank); ``k`` is capped at the rank."""
        k = min(int(k), min(self.shape) - 1)
        if k <= 0:
            raise InvalidDataError(f"n_components must be >= 1 (got {k}) and the matrix must "
                                   "have at least two users and two items")
        torch.manual_seed(seed)
        q = min(k + oversample, min(self.shape))
        _, _, v = torch.svd_lowrank(self._norm.to_sparse_coo(), q=q, niter=iterations)
        return v[:, :k].contiguous()


def polynomial_product(a: Sequence[float], b: Sequence[float]) -> np.ndarray:
    """Coefficients (lowest degree first) of the product of two polynomials."""
    return np.convolve(np.asarray(a, np.float64), np.asarray(b, np.float64))


def item_rows(rows: sp.spmatrix | np.ndarray, n_items: int) -> torch.Tensor:
    """Interaction rows (sparse or dense, one or many) as a float32 tensor of ``n_items``
    columns, for scoring households a filter was not fitted on."""
    dense = rows.toarray() if sp.issparse(rows) else np.atleast_2d(np.asarray(rows))
    if dense.shape[1] != n_items:
        raise InvalidDataError(f"rows have {dense.shape[1]} columns; the model was fitted on "
                               f"{n_items}")
    return torch.from_numpy(dense.astype(np.float32))
