"""Per-pickup-point table and supplier purchase lists, aggregated by hand."""

import pandas as pd
import pytest

from groupbuy_ml.forecasting.purchase_list import (
    PICKUP_POINT_COLUMNS,
    PURCHASE_LIST_COLUMNS,
    pickup_point_orders,
    print_purchase_list,
    purchase_list,
    write_purchase_list,
)


def orders() -> pd.DataFrame:
    return pd.DataFrame({
        "location_id": [1, 2, 3, 1], "product_id": [10, 10, 10, 11],
        "date": pd.to_datetime(["2025-01-01"] * 4), "supplier_id": [7, 7, 7, 8],
        "order_units": [8.0, 5.0, 3.0, 2.0], "expected_demand_units": [6.0, 5.0, 4.0, 2.0],
        "expected_waste_units": [2.0, 1.0, 0.5, 0.0],
        "expected_shortage_units": [0.0, 1.0, 1.5, 0.5],
        "stockout_probability": [0.1, 0.3, 0.5, 0.2], "critical_ratio": [0.6] * 4})


def test_pickup_point_table_is_delivered_next_morning() -> None:
    points = pickup_point_orders(orders())
    assert list(points.columns) == PICKUP_POINT_COLUMNS
    assert (points["delivery_date"] == pd.Timestamp("2025-01-02")).all()
    assert points["pickup_point_id"].tolist() == [1, 1, 2, 3]
    from groupbuy_ml.data.schemas.purchase_list import purchase_list_schema

    purchase_list_schema.validate(points)  # routing reads it as is (units, date)


def test_purchase_list_sums_over_pickup_points(tmp_path) -> None:
    suppliers = pd.DataFrame({"supplier_id": [7, 8], "lead_time_days": [1, 2]})
    table = purchase_list(pickup_point_orders(orders()), suppliers)
    assert list(table.columns) == PURCHASE_LIST_COLUMNS
    first = table.iloc[0]
    assert (first["supplier_id"], first["product_id"]) == (7, 10)
    assert first["order_units"] == 16.0 and first["n_pickup_points"] == 3
    assert first["expected_waste_units"] == 3.5
    assert first["expected_stockout_rate"] == pytest.approx(0.3)     # mean of .1, .3, .5
    assert first["expected_fill_rate"] == pytest.approx(1 - 2.5 / 15)
    assert first["order_by_date"] == pd.Timestamp("2025-01-01")       # 01-02 minus 1 day
    assert table.iloc[1]["order_by_date"] == pd.Timestamp("2024-12-31")
    path = write_purchase_list(table, tmp_path / "pl.parquet")
    assert pd.read_parquet(path).shape == table.shape
    assert "16.00" in print_purchase_list(table)


def test_unknown_supplier_is_named() -> None:
    with pytest.raises(ValueError, match="suppliers lacks"):
        purchase_list(pickup_point_orders(orders()), pd.DataFrame(
            {"supplier_id": [7], "lead_time_days": [1]}))
