"""Client partitions: natural groups (hand-checked), splitting, packing, Dirichlet skew, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.federated.partitions import assign_clients, client_panel, pack_groups
from groupbuy_ml.federated.task import EmptyClientError


def stores(types: dict[int, str], products: int = 1, days: int = 3) -> pd.DataFrame:
    """One row per store x product x day; units = store id (so means order the stores)."""
    rows = [{"location_id": s, "product_id": f"p{p}", "date": d, "units": float(s),
             "store_type": t, "category": f"c{p % 2}"}
            for s, t in types.items() for p in range(products)
            for d in pd.date_range("2024-01-01", periods=days)]
    return pd.DataFrame(rows)


def clients_of(assignment: pd.DataFrame) -> dict[int, list[int]]:
    grouped = assignment.groupby("client")["location_id"].apply(lambda s: sorted(set(s)))
    return {int(k): v for k, v in grouped.items()}


def test_pack_groups_largest_first_onto_least_loaded() -> None:
    # sizes 5, 1, 3, 3 onto 2 clients: 5 -> c0, 3 -> c1, 3 -> c1 (load 3 < 5), 1 -> c0 (5 < 6)
    assert pack_groups(np.array([5.0, 1.0, 3.0, 3.0]), 2).tolist() == [0, 0, 1, 1]


def test_location_scheme() -> None:
    panel = stores({1: "a", 2: "a", 3: "b", 4: "b"}, products=2)
    assignment = assign_clients(panel, 4, "location")
    assert len(assignment) == 8
    assert sorted(map(tuple, clients_of(assignment).values())) == [(1,), (2,), (3,), (4,)]
    assert sorted(len(v) for v in clients_of(assign_clients(panel, 2)).values()) == [2, 2]


def test_group_scheme_splits_the_largest_group_by_location() -> None:
    panel = stores({1: "a", 2: "a", 3: "a", 4: "b"})
    assert clients_of(assign_clients(panel, 2, "group", by=["store_type"])) == {
        0: [1, 2, 3], 1: [4]}
    # 3 clients: group a splits into {1} and {2, 3}; packed largest first: {2,3}, {1}, {4}
    assert clients_of(assign_clients(panel, 3, "group", by=["store_type"])) == {
        0: [2, 3], 1: [1], 2: [4]}


def test_too_many_clients_is_a_clear_error() -> None:
    panel = stores({1: "a", 2: "b"})
    with pytest.raises(EmptyClientError, match="num_clients <= 2"):
        assign_clients(panel, 3, "group", by=["store_type"])
    with pytest.raises(EmptyClientError, match="num_clients <= 2"):
        assign_clients(panel, 3, "location")
    with pytest.raises(ValueError, match="needs `by`"):
        assign_clients(panel, 2, "group")
    with pytest.raises(ValueError, match="scheme must be"):
        assign_clients(panel, 2, "random")


def test_dirichlet_is_seeded_and_skewed() -> None:
    panel = stores({s: "a" for s in range(40)}, products=2)
    first = assign_clients(panel, 4, "dirichlet", skew_by="quantity", alpha=100.0, seed=3)
    again = assign_clients(panel, 4, "dirichlet", skew_by="quantity", alpha=100.0, seed=3)
    pd.testing.assert_frame_equal(first, again)
    skewed = assign_clients(panel, 2, "dirichlet", skew_by="category", alpha=0.01, seed=1)
    categories = skewed.merge(panel[["location_id", "product_id", "category"]].drop_duplicates())
    share = categories.groupby("category")["client"].agg(lambda c: c.value_counts().max() / len(c))
    assert (share >= 0.9).all()  # alpha 0.01: each category (almost) on one client
    flat = first.assign(q=pd.qcut(first.index, 5, labels=False))
    assert flat.groupby("client")["q"].nunique().min() >= 4  # near-uniform shares
    with pytest.raises(EmptyClientError, match="raise alpha"):
        assign_clients(panel, 8, "dirichlet", skew_by="category", alpha=0.01, seed=0)


def test_client_panel() -> None:
    panel = stores({1: "a", 2: "b"}, days=4)
    assignment = assign_clients(panel, 2, "group", by=["store_type"])
    rows = client_panel(panel, assignment, 1)
    assert rows["location_id"].unique().tolist() == [2] and len(rows) == 4
    with pytest.raises(EmptyClientError, match="clients 0..1"):
        client_panel(panel, assignment, 2)
