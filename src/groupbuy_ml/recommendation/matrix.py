"""The user-item interaction matrix every recommender starts from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from groupbuy_ml.data.schemas.interactions import interactions_schema
from groupbuy_ml.data.validation import validate
from groupbuy_ml.errors import InvalidDataError


def interaction_matrix(
    interactions: pd.DataFrame, num_users: int, num_items: int, weighted: bool = False
) -> sp.csr_matrix:
    """A ``num_users x num_items`` CSR matrix of the interactions (duplicates summed when
    ``weighted``, counted once otherwise).

    Raises:
        ValueError: an id is outside ``[0, num_users)`` / ``[0, num_items)``, naming the first.
    """
    validate(interactions, interactions_schema, "interactions")
    users = interactions["user_id"].to_numpy()
    items = interactions["item_id"].to_numpy()
    for name, ids, bound in (("user_id", users, num_users), ("item_id", items, num_items)):
        bad = np.flatnonzero(ids >= bound)
        if len(bad):
            raise InvalidDataError(
                f"{name} {ids[bad[0]]} (row {bad[0]}) is out of range: expected < {bound}; "
                f"pass num_{name.split('_')[0]}s covering every id"
            )
    if weighted and "weight" in interactions:
        values = interactions["weight"].to_numpy(dtype=np.float32)
    else:
        values = np.ones(len(users), dtype=np.float32)
    matrix = sp.csr_matrix((values, (users, items)), shape=(num_users, num_items))
    if not weighted:
        matrix.data[:] = 1.0
    matrix.sum_duplicates()
    return matrix
