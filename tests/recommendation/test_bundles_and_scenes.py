"""Bundles from baskets (hand-computed lift) and scene shelves on a tiny market."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.recommendation import GraphFilterCF, interaction_matrix
from groupbuy_ml.recommendation.bundles import basket_matrix, bought_together
from groupbuy_ml.recommendation.market import market_interactions
from groupbuy_ml.recommendation.scenes import scene_top_products


def test_lift_support_and_confidence_by_hand() -> None:
    # baskets: {0,1}, {0,1}, {0,2}, {2}: n=4, n0=3, n1=2, n2=2, n01=2, n02=1
    orders = pd.DataFrame({"household_id": [1, 1, 2, 2, 3, 3, 4],
                           "date": ["d1", "d1", "d1", "d1", "d1", "d1", "d1"],
                           "product_id": [0, 1, 0, 1, 0, 2, 2]})
    pairs = bought_together(basket_matrix(orders, 3), min_support=1)
    first = pairs.iloc[0]
    assert (first["product_a"], first["product_b"], first["together"]) == (0, 1, 2)
    assert first["lift"] == pytest.approx(4 * 2 / (3 * 2))
    assert first["support"] == pytest.approx(0.5)
    assert first["confidence_ab"] == pytest.approx(2 / 3) and first["confidence_ba"] == 1.0
    assert pairs[["product_a", "product_b"]].values.tolist() == [[0, 1]]  # (0, 2): lift 2/3
    cross = bought_together(basket_matrix(orders, 3), min_support=1, min_lift=0.0,
                            categories=pd.Series(["milk", "milk", "toys"]))
    assert cross[["product_a", "product_b"]].values.tolist() == [[0, 2]]
    assert cross["lift"].iloc[0] == pytest.approx(4 * 1 / (3 * 2))


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shelf") / "market"
    simulate_market(MarketConfig(n_pickup_points=6, n_products=40, n_days=21,
                                 households_per_pickup_point=60), out)
    return out


def test_baby_shelf_leads_with_baby_products(market: Path) -> None:
    households = load_market_table(market, "households")
    products = load_market_table(market, "products")
    inter = market_interactions(market)
    model = GraphFilterCF(n_components=16).fit(
        interaction_matrix(inter, len(households), len(products)))
    shelf = scene_top_products(model, households, "baby", k=2)
    baby_ids = set(products.loc[products["category"] == "baby", "product_id"])
    assert len(baby_ids) == 2 and set(shelf["product_id"]) == baby_ids
    assert (shelf["lift"] > 1.2).all()
    community = int(households.loc[households["scene_baby"], "community_id"].iloc[0])
    assert len(scene_top_products(model, households, "baby", community, k=3)) == 3
    with pytest.raises(ValueError, match="unknown scene 'gaming'"):
        scene_top_products(model, households, "gaming")


def test_market_bundles_are_cross_category_pairs_with_lift(market: Path) -> None:
    orders = load_market_table(market, "orders")
    products = load_market_table(market, "products")
    pairs = bought_together(basket_matrix(orders, len(products)), min_support=3,
                            categories=products["category"], top=10)
    assert len(pairs) > 0 and (pairs["lift"] > 1).all()  # only pairs beyond chance
    cats = products["category"].to_numpy()
    assert (cats[pairs["product_a"]] != cats[pairs["product_b"]]).all()
    assert np.all(np.diff(pairs["lift"].to_numpy()) <= 0)
