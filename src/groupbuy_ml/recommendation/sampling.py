"""User-centric BPR triples for a bipartite user-item graph.

As in the LightGCN reference implementation: a user is drawn uniformly among users with
training items, then one of that user's items as the positive, then an item the user has not
interacted with, uniformly, as the negative (rejection sampling, vectorised). Drawing users first
keeps heavy users from dominating the gradient, unlike sampling edges uniformly.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from groupbuy_ml.errors import InvalidDataError


class BPRSampler:
    """Draws (user, positive item, negative item) triples from a users x items matrix."""

    def __init__(self, train: sp.csr_matrix, seed: int = 0) -> None:
        self.train = train.tocsr()
        self.num_items = train.shape[1]
        counts = np.diff(self.train.indptr)
        # a user who touched every item has no negative: such users give BPR no signal
        self.users = np.flatnonzero((counts > 0) & (counts < self.num_items))
        if len(self.users) == 0:
            raise InvalidDataError("no user has both a training interaction and an item left to "
                                   "draw as a negative: nothing for BPR to learn from")
        self.keys = np.sort(np.repeat(np.arange(train.shape[0]), counts).astype(np.int64)
                            * self.num_items + self.train.indices)
        self.rng = np.random.default_rng(seed)

    def sample(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        user = self.rng.choice(self.users, n)
        start, count = self.train.indptr[user], np.diff(self.train.indptr)[user]
        pos = self.train.indices[start + (self.rng.uniform(size=n) * count).astype(np.int64)]
        neg = self.rng.integers(0, self.num_items, n)
        clash = self._seen(user, neg)
        while clash.any():
            neg[clash] = self.rng.integers(0, self.num_items, int(clash.sum()))
            clash[clash] = self._seen(user[clash], neg[clash])
        return user, pos, neg

    def _seen(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        key = user.astype(np.int64) * self.num_items + item
        at = np.searchsorted(self.keys, key)
        return (at < len(self.keys)) & (self.keys[np.minimum(at, len(self.keys) - 1)] == key)
