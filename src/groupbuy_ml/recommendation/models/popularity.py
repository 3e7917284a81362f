"""Most-popular items: the floor every recommender must beat."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from groupbuy_ml.recommendation.models.recommender import Recommender


class Popularity(Recommender):
    """Score = number of training users who interacted with the item."""

    def fit(self, train: sp.csr_matrix) -> Popularity:
        self.train_matrix_ = train.tocsr()
        self.popularity_ = torch.from_numpy(
            np.asarray((train > 0).sum(axis=0)).ravel().astype(np.float32))
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        users = self._check_users(users)
        return self.popularity_.expand(len(users), -1).clone()
