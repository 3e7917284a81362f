"""Scores for a product with no interactions yet, from the products most like it.

A new product gets, for every user, the mean score of the existing products that share its
category, weighted by (1 + scenes shared) x exp(-|log price ratio|) x (2 if the same supplier);
so a product with no scene still borrows from its category, and a cheap yoghurt leans on cheap
dairy from its own farm more than on premium milk from elsewhere. No retraining: the fitted
model's scores of those neighbours are enough. When no product shares the category, the
neighbours are the products sharing a scene; with neither, a clear error (nothing honest can be
said about such a product).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.recommendation.models.recommender import Recommender


def new_product_scores(
    model: Recommender, users: np.ndarray, categories: Sequence[str],
    product_scenes: np.ndarray, new_category: str, new_scenes: np.ndarray,
    prices: np.ndarray | None = None, new_price: float | None = None,
    suppliers: np.ndarray | None = None, new_supplier: int | None = None,
) -> torch.Tensor:
    """(len(users),) scores of a new product for ``users``.

    Args:
        model: a fitted recommender over the existing products.
        users: known user ids.
        categories: category of each existing product (length = number of products).
        product_scenes: products x scenes 0/1 matrix of the existing products.
        new_category: the new product's category.
        new_scenes: 0/1 per scene for the new product.
        prices, new_price: prices of the existing products and of the new one (optional).
        suppliers, new_supplier: supplier ids of the existing products and of the new one.
    """
    categories = np.asarray(categories)
    shared = np.asarray(product_scenes) @ np.asarray(new_scenes, dtype=float)
    weight = np.where(categories == new_category, 1.0 + shared, 0.0)
    if prices is not None and new_price is not None:
        weight = weight * np.exp(-np.abs(np.log(np.asarray(prices, float) / new_price)))
    if suppliers is not None and new_supplier is not None:
        weight = weight * np.where(np.asarray(suppliers) == new_supplier, 2.0, 1.0)
    if weight.sum() == 0:
        weight = shared.astype(float)
    if weight.sum() == 0:
        raise InvalidDataError(f"no existing product shares category {new_category!r} or a scene "
                               "with the new product: give it a category or scenes the "
                               "catalogue has")
    scores = model.score(np.asarray(users))
    w = torch.from_numpy((weight / weight.sum()).astype(np.float32))
    return scores @ w
