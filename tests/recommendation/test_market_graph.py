"""The user-product-scene graph built from a tiny simulated market."""

from pathlib import Path

import numpy as np
import pytest

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.recommendation.graph import build_market_graph, edge_matrix
from groupbuy_ml.recommendation.market import market_interactions, temporal_split


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rec") / "market"
    simulate_market(MarketConfig(n_pickup_points=2, n_products=15, n_days=14,
                                 households_per_pickup_point=25), out)
    return out


def test_interactions_weight_the_funnel(market: Path) -> None:
    inter = market_interactions(market, {"view": 1, "click": 0, "cart": 0, "order": 0})
    events = load_market_table(market, "events")
    views = events[events["event_type"] == "view"].groupby(["household_id", "product_id"]).size()
    got = inter.set_index(["user_id", "item_id"])["weight"]
    assert np.array_equal(got.loc[views.index].to_numpy(), views.to_numpy())


def test_temporal_split_holds_out_the_last_days(market: Path) -> None:
    train, test = temporal_split(market, test_days=3)
    assert train["timestamp"].max() < load_market_table(market, "orders")["date"].max() - \
        np.timedelta64(2, "D")
    assert len(test) > 0 and not test.duplicated().any()


def test_graph_has_the_three_node_types_and_reverse_edges(market: Path) -> None:
    train, _ = temporal_split(market, test_days=3)
    graph = build_market_graph(market, train)
    households = load_market_table(market, "households")
    assert graph["user"].num_nodes == len(households)
    assert graph["scene"].num_nodes == 5
    tags = edge_matrix(graph, ("user", "has", "scene")).toarray().astype(bool)
    assert (tags == households.filter(like="scene_").to_numpy()).all()
    forward = edge_matrix(graph, ("user", "interacts", "product"), weighted=True)
    backward = edge_matrix(graph, ("product", "rev_interacts", "user"), weighted=True)
    assert (forward != backward.T).nnz == 0
    assert forward.sum() == pytest.approx(train["weight"].sum())
