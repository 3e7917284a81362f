"""Closed-form filters whose hyper-parameters are chosen on a validation split carved from the
training matrix inside :meth:`fit` (never on test), then refitted on all of it: one config runs
on any dataset given only its path."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from groupbuy_ml.recommendation.filter_selection import choose_bspm, choose_chebycf
from groupbuy_ml.recommendation.models.bspm import BSPM
from groupbuy_ml.recommendation.models.chebycf import ChebyCF
from groupbuy_ml.recommendation.models.recommender import Recommender

log = logging.getLogger(__name__)


class _Validated(Recommender):
    """Choose on validation, refit on everything, delegate scoring. After ``fit``: ``chosen_``
    (the best grid point and its validation recall), ``history_`` (one row per grid point,
    logged by the experiment) and ``model_`` (the refitted filter)."""

    fraction: float
    max_users: int | None
    k: int
    seed: int
    fixed: dict[str, object]

    def _choose(self, train: sp.csr_matrix) -> tuple[dict[str, float], list[dict[str, float]]]:
        raise NotImplementedError

    def _build(self, best: dict[str, float]) -> Recommender:
        raise NotImplementedError

    def fit(self, train: sp.csr_matrix) -> _Validated:
        self.chosen_, self.history_ = self._choose(train)
        self.model_ = self._build(self.chosen_).fit(train)
        self.train_matrix_ = self.model_.train_matrix_
        log.info("%s refitted on all training items with %s", type(self).__name__, self.chosen_)
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        return self.model_.score(self._check_users(users))

    def score_rows(self, rows: sp.spmatrix | np.ndarray) -> torch.Tensor:
        """Cold start: scores for interaction rows the model was not fitted on."""
        return self.model_.score_rows(rows)  # type: ignore[attr-defined]


class ValidatedBSPM(_Validated):
    """:class:`~.bspm.BSPM` with ``sharpen_time``, ``n_components`` and ``idl_beta`` chosen by
    validation recall@``k`` on ``fraction`` of each user's training items held out.

    Args:
        sharpen_times, idl_betas, n_components: the grid (every combination is scored).
        fraction: share of each user's training items held out for validation.
        max_users: score validation on a seeded random subset of this many users (None: all).
        k: cut-off of the validation recall.
        seed: of the hold-out, the user subset and the SVD.
        **fixed: the other :class:`BSPM` arguments (solvers, steps, blurring).
    """

    def __init__(self, sharpen_times: Sequence[float] = (1.5, 2.0, 2.5, 3.0),
                 idl_betas: Sequence[float] = (0.1, 0.2, 0.3),
                 n_components: Sequence[int] = (256, 448, 512), fraction: float = 0.1,
                 max_users: int | None = None, k: int = 20, seed: int = 0,
                 **fixed: object) -> None:
        self.sharpen_times = [float(t) for t in sharpen_times]
        self.idl_betas = [float(b) for b in idl_betas]
        self.n_components = [int(n) for n in n_components]
        self.fraction, self.max_users, self.k, self.seed = fraction, max_users, k, seed
        self.fixed = dict(fixed)
        BSPM(**self.fixed)  # type: ignore[arg-type]  # a bad solver fails here, before any work

    def _choose(self, train: sp.csr_matrix) -> tuple[dict[str, float], list[dict[str, float]]]:
        return choose_bspm(train, self.sharpen_times, self.idl_betas, self.n_components,
                           fraction=self.fraction, max_users=self.max_users, seed=self.seed,
                           k=self.k, **self.fixed)

    def _build(self, best: dict[str, float]) -> Recommender:
        return BSPM(sharpen_time=best["sharpen_time"], idl_beta=best["idl_beta"],
                    n_components=int(best["n_components"]), seed=self.seed,
                    **self.fixed)  # type: ignore[arg-type]


class ValidatedChebyCF(_Validated):
    """:class:`~.chebycf.ChebyCF` with every hyper-parameter chosen by validation recall@``k``
    on ``fraction`` of each user's training items held out.

    Args:
        orders, flatnesses, ideal_weights, n_components, degree_powers: the grid. Each degree
            power costs one Chebyshev basis (``max(orders)`` graph products) per user batch.
        fraction, max_users, k, seed: as :class:`ValidatedBSPM`.
        **fixed: the other :class:`ChebyCF` arguments (``svd_iterations``).
    """

    def __init__(self, orders: Sequence[int] = (8,), flatnesses: Sequence[float] = (1.0, 1.5, 2.0),
                 ideal_weights: Sequence[float] = (0.1, 0.2, 0.3),
                 n_components: Sequence[int] = (256, 512), degree_powers: Sequence[float] = (0.4,),
                 fraction: float = 0.1, max_users: int | None = None, k: int = 20,
                 seed: int = 0, **fixed: object) -> None:
        self.orders = [int(o) for o in orders]
        self.flatnesses = [float(f) for f in flatnesses]
        self.ideal_weights = [float(a) for a in ideal_weights]
        self.n_components = [int(n) for n in n_components]
        self.degree_powers = [float(b) for b in degree_powers]
        self.fraction, self.max_users, self.k, self.seed = fraction, max_users, k, seed
        self.fixed = dict(fixed)
        for o in self.orders:
            for f in self.flatnesses:
                ChebyCF(order=o, flatness=f, **self.fixed)  # type: ignore[arg-type]

    def _choose(self, train: sp.csr_matrix) -> tuple[dict[str, float], list[dict[str, float]]]:
        return choose_chebycf(train, self.orders, self.flatnesses, self.ideal_weights,
                              self.n_components, self.degree_powers, fraction=self.fraction,
                              max_users=self.max_users, seed=self.seed, k=self.k,
                              **self.fixed)

    def _build(self, best: dict[str, float]) -> Recommender:
        return ChebyCF(order=int(best["order"]), flatness=best["flatness"],
                       n_components=int(best["n_components"]),
                       ideal_weight=best["ideal_weight"], degree_power=best["degree_power"],
                       seed=self.seed, **self.fixed)  # type: ignore[arg-type]
