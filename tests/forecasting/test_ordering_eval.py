"""Realised waste, fill rate and margin of an ordering policy, by hand."""

import pandas as pd
import pytest

from groupbuy_ml.forecasting.ordering_eval import naive_last_week_orders, realised_outcome


def test_realised_outcome_by_hand() -> None:
    d = pd.to_datetime(["2025-01-08", "2025-01-08"])
    orders = pd.DataFrame({"location_id": [1, 1], "product_id": [10, 11], "date": d,
                           "order_units": [8.0, 2.0]})
    actual = pd.DataFrame({"location_id": [1, 1], "product_id": [10, 11], "date": d,
                           "units": [5.0, 4.0]})
    products = pd.DataFrame({"product_id": [10, 11], "unit_cost": [2.0, 1.0],
                             "base_price": [3.0, 2.0], "perishable": [True, False]})
    out = realised_outcome(orders, actual, products)
    assert out["fill_rate"] == pytest.approx((5 + 2) / 9)
    assert out["waste_units"] == 3.0 and out["waste_rate"] == pytest.approx(3 / 10)
    assert out["stockout_row_share"] == 0.5
    assert out["realised_margin"] == pytest.approx(3 * 5 - 2 * 8 + 2 * 2 - 1 * 2)


def test_naive_policy_orders_last_weeks_demand() -> None:
    panel = pd.DataFrame({"location_id": 1, "product_id": 10,
                          "date": pd.date_range("2025-01-01", periods=8),
                          "units": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    rows = panel.iloc[[7]].assign(date=pd.Timestamp("2025-01-08"))
    got = naive_last_week_orders(panel, pd.concat([rows, rows.assign(location_id=2)]))
    assert got["order_units"].tolist() == [1.0, 0.0]
