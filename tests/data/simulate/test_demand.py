"""The documented demand effects hold: exactly in the model, statistically in the samples."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.simulate import MarketConfig, MarketSummary
from groupbuy_ml.data.simulate.behaviour import NEVER
from groupbuy_ml.data.simulate.catalog import PRICE_SENSITIVITY_BANDS
from groupbuy_ml.data.simulate.market import _simulate_day
from groupbuy_ml.data.simulate.world import MarketWorld


@pytest.fixture(scope="module")
def world() -> MarketWorld:
    """A small world after 12 simulated days (household state has moved)."""
    world = MarketWorld(MarketConfig(n_pickup_points=4, n_products=25, n_days=30,
                                     households_per_pickup_point=40))
    recent = np.zeros((7, 25))
    for t in range(12):
        _simulate_day(world, t, recent)
    world.begin_day(12)
    return world


def _household_rates(world: MarketWorld) -> np.ndarray:
    """(I, H) rates recomputed from scratch from the behaviour's state arrays."""
    b = world.behaviour
    t = 12
    age = t - b.last.astype(np.int64)
    recency = np.where(b.last == NEVER, 1.0, np.minimum(1.0, age / b.cycle[:, None]))
    boost = 1.0 + b.neighbour_lift * np.minimum(b.neighbours, 3)
    return b.base * b.loyal * recency * boost


def test_block_sums_track_every_household_rate(world: MarketWorld) -> None:
    b = world.behaviour
    np.testing.assert_allclose(b.weight, _household_rates(world), rtol=1e-6)
    np.testing.assert_allclose(b.aggregate, b._sum_blocks(b.weight), rtol=1e-9, atol=1e-12)
    assert (b.loyal != 1).any() and (b.neighbours > 0).any()  # the state did move


def test_pickup_point_intensity_is_the_sum_over_its_households(world: MarketWorld) -> None:
    t = 12
    day = world.intensity(t)
    b = world.behaviour
    beta = world.model.band_beta[b.band]
    per_household = (
        _household_rates(world).T
        * world.model.price_ratio[t][None, :] ** (-world.model.elasticity[None, :] * beta[:, None])
        * world.model.day_factor[t][None, :]
    )
    brute = np.zeros(world.shape)
    np.add.at(brute, b.point, per_household * world.model.point_factor[t][b.point][:, None])
    cell = 1.0 + world.cfg.leader_pick_lift * world.leader_effect[:, None] * day.leader_pick
    np.testing.assert_allclose(day.rate, brute * cell * day.offered, rtol=1e-5)


def test_price_response_follows_elasticity_and_band(world: MarketWorld) -> None:
    model = world.model
    t = 3
    factor = model.band_price_factor(t)
    for b, beta in enumerate(PRICE_SENSITIVITY_BANDS.values()):
        expected = model.price_ratio[t] ** (-model.elasticity * beta)
        np.testing.assert_allclose(factor[b], expected)
    assert (model.band_price_factor(t)[2] <= model.band_price_factor(t)[0]).sum() == (
        model.price_ratio[t] >= 1).sum()  # the sensitive band buys less when price is up


def _city_daily(year_market: Path) -> pd.DataFrame:
    demand = load_market_table(year_market, "daily_demand",
                               ["date", "product_id", "units_ordered", "expected_units", "promo"])
    cats = load_market_table(year_market, "products", ["product_id", "category"])
    cal = load_market_table(year_market, "calendar")
    daily = (demand.merge(cats, on="product_id")
             .groupby(["date", "category"], as_index=False)[["units_ordered", "expected_units"]]
             .sum())
    return daily.merge(cal, on="date")


def test_samples_match_ground_truth_expectation(year_market: Path) -> None:
    demand = load_market_table(year_market, "daily_demand", ["units_ordered", "expected_units"])
    ratio = demand["units_ordered"].sum() / demand["expected_units"].sum()
    assert ratio == pytest.approx(1.0, abs=0.01)


def test_heat_sells_beverages(year_market: Path) -> None:
    bev = _city_daily(year_market).query("category == 'beverages'")
    assert np.corrcoef(np.log1p(bev["units_ordered"]), bev["temperature_c"])[0, 1] > 0.5


def test_weekends_sell_bakery(year_market: Path) -> None:
    bakery = _city_daily(year_market).query("category == 'bakery'")
    weekend = bakery.groupby("is_weekend")["units_ordered"].mean()
    assert weekend[True] / weekend[False] > 1.15


def test_seafood_peaks_before_holidays(year_market: Path) -> None:
    seafood = _city_daily(year_market).query("category == 'seafood'")
    pre = seafood.groupby("pre_holiday")["units_ordered"].mean()
    assert pre[True] / pre[False] > 1.5


def test_promotions_lift_sales(year_market: Path) -> None:
    demand = load_market_table(year_market, "daily_demand",
                               ["product_id", "units_ordered", "promo"])
    by = demand.groupby(["product_id", "promo"])["units_ordered"].mean().unstack()
    lift = (by[1] / by[0]).dropna()
    assert (lift > 1).mean() > 0.9


def test_scenes_shape_what_households_buy(tiny_market: MarketSummary) -> None:
    out = tiny_market.out_dir
    orders = load_market_table(out, "orders")
    products = load_market_table(out, "products").set_index("product_id")
    households = load_market_table(out, "households").set_index("household_id")
    orders["category"] = products.loc[orders["product_id"], "category"].to_numpy()
    baby = orders[orders["category"] == "baby"]
    assert len(baby) > 20
    from_baby_homes = households.loc[baby["household_id"], "scene_baby"].mean()
    share_baby_homes = households["scene_baby"].mean()
    assert from_baby_homes > 0.8 > 3 * share_baby_homes
