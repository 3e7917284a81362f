"""Newsvendor critical ratio, quantile interpolation and order risk, with hand-computed numbers."""

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.forecasting.ordering import (
    critical_ratio,
    interpolate_quantile,
    newsvendor_orders,
    order_risk,
)


def test_critical_ratio_perishable_and_holding() -> None:
    # price 3, cost 2: c_u = 1; perishable c_o = 2 -> 1/3; holding 0.1 * 2 = 0.2 -> 1/1.2
    ratio = critical_ratio([3.0, 3.0, 1.5], [2.0, 2.0, 2.0], [True, False, True], 0.1)
    np.testing.assert_allclose(ratio, [1 / 3, 1 / 1.2, 0.0])


def test_interpolation_inside_and_outside_the_given_levels() -> None:
    values = [[5.0, 10.0, 20.0]] * 4
    got = interpolate_quantile([0.1, 0.5, 0.9], values, [1 / 3, 1 / 1.2, 0.95, 0.0])
    # 5 + (1/3 - .1)/.4 * 5 = 7.9167; 10 + (.8333 - .5)/.4 * 10 = 18.333;
    # beyond .9 the last slope 25/level: 20 + .05 * 25 = 21.25; below .1: 5 - .1 * 12.5 = 3.75
    np.testing.assert_allclose(got, [7.9166667, 18.333333, 21.25, 3.75], rtol=1e-6)


def test_order_risk_of_a_uniform_demand() -> None:
    # quantiles (0.25 -> 0, 0.75 -> 10): D = 20u - 5 floored at 0; Q = 10
    waste, short, p_out, mean = order_risk([0.25, 0.75], [[0.0, 10.0]], [10.0], grid=4000)
    assert waste[0] == pytest.approx(5.0, abs=1e-3)      # 2.5 (u < .25) + 2.5
    assert short[0] == pytest.approx(0.625, abs=1e-3)    # integral of 20u - 15 on [.75, 1]
    assert p_out[0] == pytest.approx(0.25, abs=1e-3)
    assert mean[0] == pytest.approx(5.625, abs=1e-3)


def test_newsvendor_orders_round_up_and_skip_loss_makers() -> None:
    forecast = pd.DataFrame({
        "location_id": [1, 1, 2], "product_id": [10, 11, 12],
        "date": pd.to_datetime(["2025-01-01"] * 3),
        "q0.1": [5.0, 5.0, 5.0], "q0.5": [10.0, 10.0, 10.0], "q0.9": [20.0, 20.0, 20.0]})
    products = pd.DataFrame({"product_id": [10, 11, 12], "unit_cost": [2.0, 2.0, 2.0],
                             "base_price": [3.0, 3.0, 1.0], "perishable": [True, False, True],
                             "supplier_id": [7, 7, 8]})
    orders = newsvendor_orders(forecast, products, holding_rate=0.1)
    assert orders["order_units"].tolist() == [8.0, 19.0, 0.0]
    assert orders["supplier_id"].tolist() == [7, 7, 8]
    assert (orders["expected_waste_units"] >= 0).all()


def test_newsvendor_names_what_is_missing() -> None:
    forecast = pd.DataFrame({"location_id": [1], "product_id": [99], "date": [pd.Timestamp(0)],
                             "q0.1": [1.0], "q0.9": [2.0]})
    products = pd.DataFrame({"product_id": [1], "unit_cost": [1.0], "base_price": [2.0],
                             "perishable": [True]})
    with pytest.raises(ValueError, match="absent from products"):
        newsvendor_orders(forecast, products)
    with pytest.raises(ValueError, match="quantile columns"):
        newsvendor_orders(forecast.drop(columns="q0.9"), products)
