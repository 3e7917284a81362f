"""GF-CF on the user-product-scene graph: scenes as extra nodes of the bipartite graph.

The interaction matrix ``R`` (users x products) is bordered with the scene edges,

    R' = [[ R,                 w_user  * T  ],     T: users x scenes (household tags)
          [ w_product * S^T,   0            ]]     S: products x scenes (product fits scene)

so scenes act as extra "items" of the users who carry them and extra "users" of the products
that fit them. GF-CF's item-item filter on ``R'`` then links products through the scenes they
share and users to products of their scenes, which helps households and products with few
interactions. Scores are read on the product columns only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.recommendation.graph import build_market_graph, edge_matrix
from groupbuy_ml.recommendation.models.graph_filter import GraphFilterCF
from groupbuy_ml.recommendation.models.recommender import Recommender


class SceneGraphFilterCF(Recommender):
    """:class:`GraphFilterCF` on the scene-bordered interaction matrix.

    Args:
        user_scenes: users x scenes 0/1 matrix (household tags).
        product_scenes: products x scenes 0/1 matrix (product fits scene).
        user_scene_weight, product_scene_weight: edge weights of the two border blocks.
        alpha, n_components, seed: as for :class:`GraphFilterCF`.
    """

    def __init__(self, user_scenes: sp.spmatrix, product_scenes: sp.spmatrix,
                 user_scene_weight: float = 1.0, product_scene_weight: float = 1.0,
                 alpha: float = 0.3, n_components: int = 256, seed: int = 0) -> None:
        self.user_scenes = sp.csr_matrix(user_scenes, dtype=np.float32)
        self.product_scenes = sp.csr_matrix(product_scenes, dtype=np.float32)
        self.user_scene_weight = user_scene_weight
        self.product_scene_weight = product_scene_weight
        self.inner = GraphFilterCF(alpha=alpha, n_components=n_components, seed=seed)

    @classmethod
    def from_market(cls, market_dir: str | Path, **kwargs: float) -> SceneGraphFilterCF:
        """Scene matrices from a simulated market's ``households`` tags and
        ``product_scenes`` (via :func:`~groupbuy_ml.recommendation.graph.build_market_graph`)."""
        empty = pd.DataFrame({"user_id": pd.Series(dtype="int64"),
                              "item_id": pd.Series(dtype="int64")})
        graph = build_market_graph(market_dir, empty)
        return cls(edge_matrix(graph, ("user", "has", "scene")),
                   edge_matrix(graph, ("product", "fits", "scene")), **kwargs)

    def fit(self, train: sp.csr_matrix) -> SceneGraphFilterCF:
        users, items = train.shape
        if self.user_scenes.shape[0] != users or self.product_scenes.shape[0] != items:
            raise InvalidDataError(
                f"scene matrices cover {self.user_scenes.shape[0]} users and "
                f"{self.product_scenes.shape[0]} products; the interactions have {users} x "
                f"{items}: build them from the same market")
        n_scenes = self.user_scenes.shape[1]
        bordered = sp.bmat([
            [train, self.user_scene_weight * self.user_scenes],
            [self.product_scene_weight * self.product_scenes.T, None],
        ], format="csr", dtype=np.float32)
        bordered.resize((users + n_scenes, items + n_scenes))
        self.inner.fit(bordered)
        self.train_matrix_ = train.tocsr()
        self.n_items_ = items
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        users = self._check_users(users)
        return self.inner.score(users)[:, : self.n_items_]

    def score_new_household(self, scene_tags: np.ndarray,
                            interactions: np.ndarray | None = None) -> torch.Tensor:
        """Cold start, no retraining: product scores for a household known only by its scene
        tags (0/1 per scene) and optionally its first few interactions (per product)."""
        tags = np.asarray(scene_tags, dtype=np.float32).reshape(1, -1)
        if tags.shape[1] != self.user_scenes.shape[1]:
            raise InvalidDataError(f"scene_tags has {tags.shape[1]} entries; expected "
                                   f"{self.user_scenes.shape[1]} (one per scene)")
        seen = np.zeros((1, self.n_items_), np.float32) if interactions is None else (
            np.asarray(interactions, dtype=np.float32).reshape(1, -1))
        if seen.shape[1] != self.n_items_:
            raise InvalidDataError(f"interactions has {seen.shape[1]} entries; expected "
                                   f"{self.n_items_} (one per product)")
        row = np.hstack([seen, self.user_scene_weight * tags])
        return self.inner.score_rows(row)[:, : self.n_items_]
