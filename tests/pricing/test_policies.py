"""Pricing policies: markdown rule, Thompson sampling learns the best arm, bounds, configs run."""

from types import SimpleNamespace

import numpy as np
import pytest

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.pricing.policies import (
    NearExpiryMarkdown,
    ThompsonGrid,
    near_expiry_units,
    price_grid,
)
from groupbuy_ml.twin.state import StockView


def stock() -> StockView:
    # 1 point, 2 products, 2 lots each; shelf life 3 days
    units = np.array([[[5, 2], [4, 0]]])
    arrived = np.array([[[8, 10], [10, -1]]])
    return StockView(units, arrived, np.array([3, 3]))


def test_near_expiry_units_are_those_sold_today_for_the_last_time() -> None:
    # today 9: lot of day 8 expires at 11 (last orders on day 9); lot of day 10 at 13
    assert near_expiry_units(stock(), 9, 1).tolist() == [[5, 0]]
    assert near_expiry_units(stock(), 9, 3).tolist() == [[7, 4]]


def test_markdown_cuts_only_where_stock_is_about_to_expire() -> None:
    state = SimpleNamespace(scheduled_price=np.array([10.0, 20.0]), shape=(1, 2),
                            point_stock=stock(), day=9)
    price = NearExpiryMarkdown(depth=0.3).price(state)
    assert price.tolist() == [[7.0, 20.0]]
    with pytest.raises(ConfigError, match="depth"):
        NearExpiryMarkdown(depth=1.5)


def test_price_bounds_inverted_or_not_positive_name_the_field() -> None:
    with pytest.raises(ConfigError, match="bounds.*low 1.3 > high 0.8"):
        price_grid((1.3, 0.8), 5)
    with pytest.raises(ConfigError, match="bounds"):
        ThompsonGrid(bounds=(0.0, 1.0))


def test_thompson_sampling_settles_on_the_most_profitable_price() -> None:
    """Two products, demand 100 * r ** -3 (first) and 100 * r ** -0.5 (second), cost 0.5:
    margin per day peaks at r = 0.8 for the first and at r = 1.3 (the bound) for the second."""
    rng = np.random.default_rng(1)
    policy = ThompsonGrid(bounds=(0.8, 1.3), grid_points=6, seed=0)
    lst, cost, e = np.array([1.0, 1.0]), np.array([0.5, 0.5]), np.array([3.0, 0.5])
    price = delivered = None
    picks = []
    for day in range(200):
        history = SimpleNamespace(
            dates=[0] if price is not None else [],
            price=np.array([price]) if price is not None else None,
            delivered=np.array([delivered]) if price is not None else None,
            offered=np.ones((1, 1, 2), bool))
        state = SimpleNamespace(shape=(1, 2), history=history, day=day, list_price=lst,
                                catalogue={"unit_cost": _Col(cost)})
        price = policy.price(state)
        delivered = rng.poisson(100 * (price / lst) ** -e)
        picks.append(price[0] / lst)
    late = np.array(picks[-60:])
    assert np.mean(np.isclose(late[:, 0], 0.8)) > 0.7
    assert np.mean(np.isclose(late[:, 1], 1.3)) > 0.7


class _Col:
    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def to_numpy(self, dtype=None) -> np.ndarray:
        return self.values
