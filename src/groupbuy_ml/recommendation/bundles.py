""""Bought together" bundles: association rules over order baskets.

A basket is what one household ordered on one day. For products ``i`` and ``j`` over ``n``
baskets: support(i, j) = n_ij / n, confidence(i -> j) = n_ij / n_i and
lift(i, j) = n n_ij / (n_i n_j) (Agrawal, Imielinski & Swami 1993; Brin et al. 1997). Lift above
1 means the pair is bought together more often than independent choices would give: e.g. milk
powder with baby food in households with a baby.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from groupbuy_ml.errors import InvalidDataError


def basket_matrix(orders: pd.DataFrame, num_products: int) -> sp.csr_matrix:
    """Baskets x products 0/1 matrix from ``orders`` (household_id, date, product_id)."""
    keys = orders[["household_id", "date"]].astype(str).agg("|".join, axis=1)
    basket, _ = pd.factorize(keys)
    products = orders["product_id"].to_numpy()
    if len(products) and (products.min() < 0 or products.max() >= num_products):
        raise InvalidDataError(f"product ids must lie in [0, {num_products}); found "
                         f"{products.min()}..{products.max()}")
    matrix = sp.csr_matrix((np.ones(len(basket), np.float32), (basket, products)),
                           shape=(basket.max() + 1 if len(basket) else 0, num_products))
    matrix.data[:] = 1.0
    return matrix


def bought_together(baskets: sp.csr_matrix, min_support: int = 5,
                    categories: pd.Series | None = None, top: int = 20,
                    min_lift: float = 1.0) -> pd.DataFrame:
    """Product pairs ranked by lift.

    Args:
        baskets: baskets x products 0/1 matrix (:func:`basket_matrix`).
        min_support: baskets a pair must share to be reported (rare pairs have noisy lift).
        categories: category per product id; when given, only cross-category pairs are kept.
        top: number of pairs returned.
        min_lift: keep pairs bought together more often than chance (lift > min_lift).

    Returns:
        columns product_a, product_b, together (baskets), support, confidence_ab,
        confidence_ba, lift; sorted by lift, then by together.
    """
    n = baskets.shape[0]
    if n == 0:
        raise InvalidDataError("no baskets: bundles need household orders")
    pair = (baskets.T @ baskets).tocoo()
    single = np.asarray(baskets.sum(axis=0)).ravel()
    keep = (pair.row < pair.col) & (pair.data >= min_support)
    a, b, together = pair.row[keep], pair.col[keep], pair.data[keep]
    if categories is not None:
        cat = np.asarray(categories)
        cross = cat[a] != cat[b]
        a, b, together = a[cross], b[cross], together[cross]
    out = pd.DataFrame({
        "product_a": a, "product_b": b, "together": together.astype(int),
        "support": together / n, "confidence_ab": together / single[a],
        "confidence_ba": together / single[b], "lift": n * together / (single[a] * single[b]),
    })
    out = out[out["lift"] > min_lift]
    return out.sort_values(["lift", "together"], ascending=False).head(top).reset_index(drop=True)
