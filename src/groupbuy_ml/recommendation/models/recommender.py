"""What every recommender in the library offers: fit, score, recommend top-k with seen items
masked."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from groupbuy_ml.errors import InvalidDataError, UnknownNameError


class Recommender(ABC):
    """Base class: subclasses implement :meth:`fit` and :meth:`score`."""

    train_matrix_: sp.csr_matrix

    @abstractmethod
    def fit(self, train: sp.csr_matrix) -> Recommender:
        """Learn from a users x items interaction matrix."""

    @abstractmethod
    def score(self, users: np.ndarray) -> torch.Tensor:
        """Scores of every item for ``users``: a ``len(users) x num_items`` float tensor."""

    def recommend(self, users: np.ndarray, k: int, exclude_seen: bool = True
                  ) -> tuple[torch.Tensor, torch.Tensor]:
        """Top-``k`` items (and their scores) per user, training items masked when
        ``exclude_seen``."""
        users = self._check_users(users)
        scores = self.score(users)
        if exclude_seen:
            seen = self.train_matrix_[users].tocoo()
            scores[torch.from_numpy(seen.row).long(), torch.from_numpy(seen.col).long()] = (
                -torch.inf)
        k = min(k, scores.shape[1])
        top = torch.topk(scores, k, dim=1)
        return top.indices, top.values

    def predict(self, model_input: pd.DataFrame, k: int = 20) -> pd.DataFrame:
        """Top-``k`` recommendations for the ``user_id`` column of ``model_input`` (the MLflow
        pyfunc path): one row per (user_id, rank) with item_id and score."""
        if "user_id" not in model_input:
            raise InvalidDataError("model_input needs a user_id column")
        users = model_input["user_id"].to_numpy(dtype=np.int64)
        top, scores = self.recommend(users, k)
        n = top.shape[1]
        return pd.DataFrame({
            "user_id": np.repeat(users, n), "rank": np.tile(np.arange(1, n + 1), len(users)),
            "item_id": top.reshape(-1).numpy(), "score": scores.reshape(-1).numpy(),
        })

    def _check_users(self, users: np.ndarray) -> np.ndarray:
        if not hasattr(self, "train_matrix_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(train) first")
        users = np.asarray(users, dtype=np.int64)
        n = self.train_matrix_.shape[0]
        bad = users[(users < 0) | (users >= n)]
        if len(bad):
            raise UnknownNameError(f"unknown user id {int(bad[0])}: the model knows users "
                                   f"0..{n - 1}; "
                                   "new households go through the cold-start path")
        return users
