"""The documented demand effects hold: exactly in the model, statistically in the samples."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.simulate import MarketConfig, MarketSummary
from groupbuy_ml.data.simulate.calendar import build_calendar
from groupbuy_ml.data.simulate.catalog import PRICE_SENSITIVITY_BANDS
from groupbuy_ml.data.simulate.demand import build_demand_model
from groupbuy_ml.data.simulate.entities import build_entities
from groupbuy_ml.data.simulate.prices import build_prices


@pytest.fixture(scope="module")
def model_and_entities():
    cfg = MarketConfig(n_pickup_points=4, n_products=25, n_days=30, households_per_pickup_point=40)
    rng = np.random.default_rng([cfg.seed, 0])
    ent = build_entities(cfg, rng)
    cal = build_calendar(cfg, rng)
    prices = build_prices(cfg, ent.products, ent.suppliers, cal, rng)
    return build_demand_model(ent, cal, prices, rng), ent


def test_pickup_point_intensity_is_the_sum_over_its_households(model_and_entities) -> None:
    model, ent = model_and_entities
    t = 20
    beta = np.array(list(PRICE_SENSITIVITY_BANDS.values()))[ent.household_band]
    per_household = (
        ent.household_activity[:, None]
        * np.exp(ent.household_tags @ ent.scene_log_lift)
        * model.price_ratio[t][None, :] ** (-model.elasticity[None, :] * beta[:, None])
        * model.day_factor[t][None, :]
    )
    point = ent.households["pickup_point_id"].to_numpy()
    brute = np.zeros_like(model.intensity(t).sum(axis=0))
    np.add.at(brute, point, per_household * model.point_factor[t][point][:, None])
    np.testing.assert_allclose(model.intensity(t).sum(axis=0), brute, rtol=1e-10)


def test_price_response_follows_elasticity_and_band(model_and_entities) -> None:
    model, _ = model_and_entities
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
