"""Closed-form filters whose hyper-parameters are chosen on a validation split carved from the
training matrix inside :meth:`fit` (never on test), then refitted on all of it: one config runs
on any dataset given only its path."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from groupbuy_ml.recommendation.filter_selection import choose_bspm
from groupbuy_ml.recommendation.models.bspm import BSPM
from groupbuy_ml.recommendation.models.recommender import Recommender

log = logging.getLogger(__name__)


class ValidatedBSPM(Recommender):
    """:class:`~.bspm.BSPM` with ``sharpen_time``, ``n_components`` and ``idl_beta`` chosen by
    validation recall@``k`` on ``fraction`` of each user's training items held out.

    Args:
        sharpen_times, idl_betas, n_components: the grid (every combination is scored).
        fraction: share of each user's training items held out for validation.
        max_users: score validation on a seeded random subset of this many users (None: all).
        k: cut-off of the validation recall.
        seed: of the hold-out, the user subset and the SVD.
        **fixed: the other :class:`BSPM` arguments (solvers, steps, blurring).

    After ``fit``: ``chosen_`` (the best grid point and its validation recall), ``history_``
    (one row per grid point, logged by the experiment) and ``model_`` (the refitted BSPM).
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
        BSPM(**self.fixed)  # a bad solver or step count fails here, before any work

    def fit(self, train: sp.csr_matrix) -> ValidatedBSPM:
        best, rows = choose_bspm(train, self.sharpen_times, self.idl_betas, self.n_components,
                                 fraction=self.fraction, max_users=self.max_users,
                                 seed=self.seed, k=self.k, **self.fixed)
        self.chosen_, self.history_ = best, rows
        self.model_ = BSPM(sharpen_time=best["sharpen_time"], idl_beta=best["idl_beta"],
                           n_components=int(best["n_components"]), seed=self.seed,
                           **self.fixed).fit(train)
        self.train_matrix_ = self.model_.train_matrix_
        log.info("ValidatedBSPM refitted on all training items with %s", best)
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        return self.model_.score(self._check_users(users))

    def score_rows(self, rows: sp.spmatrix | np.ndarray) -> torch.Tensor:
        """Cold start: see :meth:`BSPM.score_rows`."""
        return self.model_.score_rows(rows)
