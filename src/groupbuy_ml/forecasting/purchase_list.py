"""Supplier purchase lists from newsvendor orders, and the per-pickup-point delivery table.

Households order on day ``d`` (``daily_demand.date``) and collect at their pickup point on the
next morning, so goods for demand date ``d`` are delivered on ``delivery_date = d + 1``; a
supplier with lead time ``L`` days must receive the order by ``order_by_date = delivery_date -
L``. Every pickup point receives its own newsvendor quantity (no stock moves between points), so
the supplier quantity is the sum over pickup points.

**Per-pickup-point table** (:func:`pickup_point_orders`; consumed by routing: one row per
delivery stop and product):

| column | meaning |
|---|---|
| ``delivery_date`` | morning the goods reach the pickup point |
| ``pickup_point_id`` | the pickup point (``location_id`` of the forecast) |
| ``product_id``, ``supplier_id`` | what and from whom |
| ``demand_date`` | the order day the quantity serves |
| ``order_units`` | units to deliver (newsvendor quantity) |
| ``expected_demand_units`` | mean demand under the forecast |
| ``expected_waste_units`` | E[(order - demand)^+] (left over; thrown away if perishable) |
| ``expected_shortage_units`` | E[(demand - order)^+] |
| ``stockout_probability`` | P(demand > order) |
| ``critical_ratio`` | c_u / (c_u + c_o) used |
| ``date``, ``units`` | aliases of ``delivery_date`` and ``order_units``: the table satisfies the
routing input ``purchase_list_schema`` (``groupbuy_ml.data.schemas.purchase_list``) as is |

**Purchase list** (:func:`purchase_list`; one row per supplier, product and delivery date):
``delivery_date, order_by_date, supplier_id, product_id, order_units, n_pickup_points,
expected_demand_units, expected_waste_units, expected_shortage_units, expected_stockout_rate``
(mean stock-out probability over the pickup points served) and ``expected_fill_rate``
(``1 - shortage / demand``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.errors import InvalidDataError

__all__ = ["PICKUP_POINT_COLUMNS", "PURCHASE_LIST_COLUMNS", "pickup_point_orders",
           "plan_purchases", "print_purchase_list", "purchase_list", "write_purchase_list"]

PICKUP_POINT_COLUMNS = [
    "delivery_date", "pickup_point_id", "product_id", "supplier_id", "demand_date",
    "order_units", "expected_demand_units", "expected_waste_units", "expected_shortage_units",
    "stockout_probability", "critical_ratio", "date", "units",
]
PURCHASE_LIST_COLUMNS = [
    "delivery_date", "order_by_date", "supplier_id", "product_id", "order_units",
    "n_pickup_points", "expected_demand_units", "expected_waste_units",
    "expected_shortage_units", "expected_stockout_rate", "expected_fill_rate",
]


def pickup_point_orders(orders: pd.DataFrame, delivery_lag_days: int = 1) -> pd.DataFrame:
    """The per-pickup-point delivery table from :func:`~groupbuy_ml.forecasting.ordering.
    newsvendor_orders` output (see the module docstring for its columns)."""
    needed = ["location_id", "product_id", "date", "supplier_id", "order_units"]
    missing = [c for c in needed if c not in orders.columns]
    if missing:
        raise InvalidDataError(f"orders lacks column(s) {missing} (run newsvendor_orders with a "
                               "products table that has supplier_id)")
    out = orders.rename(columns={"location_id": "pickup_point_id", "date": "demand_date"})
    out["delivery_date"] = out["demand_date"] + pd.Timedelta(days=delivery_lag_days)
    out["date"], out["units"] = out["delivery_date"], out["order_units"]
    return (out[PICKUP_POINT_COLUMNS]
            .sort_values(["delivery_date", "pickup_point_id", "product_id"], ignore_index=True))


def purchase_list(points: pd.DataFrame, suppliers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Aggregate the per-pickup-point table into one row per supplier, product and delivery date.

    Args:
        points: output of :func:`pickup_point_orders`.
        suppliers: ``supplier_id, lead_time_days`` (the market's ``suppliers`` table); without
            it ``order_by_date`` is the delivery date.
    """
    keys = ["delivery_date", "supplier_id", "product_id"]
    grouped = points.groupby(keys, sort=True)
    out = grouped.agg(
        order_units=("order_units", "sum"), n_pickup_points=("pickup_point_id", "nunique"),
        expected_demand_units=("expected_demand_units", "sum"),
        expected_waste_units=("expected_waste_units", "sum"),
        expected_shortage_units=("expected_shortage_units", "sum"),
        expected_stockout_rate=("stockout_probability", "mean"),
    ).reset_index()
    demand = out["expected_demand_units"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(demand > 0, 1 - out["expected_shortage_units"] / demand, 1.0)
    out["expected_fill_rate"] = fill
    lead = pd.Series(0, index=out.index)
    if suppliers is not None:
        lead = out["supplier_id"].map(suppliers.set_index("supplier_id")["lead_time_days"])
        if lead.isna().any():
            raise InvalidDataError(f"suppliers lacks {sorted(out.loc[lead.isna(), 'supplier_id'])}")
    out["order_by_date"] = out["delivery_date"] - pd.to_timedelta(lead.astype(int), unit="D")
    return out[PURCHASE_LIST_COLUMNS]


def plan_purchases(
    forecast: pd.DataFrame,
    products: pd.DataFrame,
    suppliers: pd.DataFrame | None = None,
    holding_rate: float = 0.02,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quantile forecast -> (per-pickup-point table, supplier purchase list): newsvendor orders
    (:func:`~groupbuy_ml.forecasting.ordering.newsvendor_orders`) then aggregation."""
    from groupbuy_ml.forecasting.ordering import newsvendor_orders

    points = pickup_point_orders(newsvendor_orders(forecast, products, holding_rate))
    return points, purchase_list(points, suppliers)


def write_purchase_list(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a purchase list (or pickup-point table) to parquet; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(path, index=False)
    return path


def print_purchase_list(table: pd.DataFrame, limit: int = 20, title: str = "Purchase list") -> str:
    """Print the first ``limit`` rows as a rich table; returns the plain text."""
    from rich.console import Console
    from rich.table import Table

    view = Table(title=title)
    cols = ["delivery_date", "order_by_date", "supplier_id", "product_id", "order_units",
            "n_pickup_points", "expected_waste_units", "expected_stockout_rate"]
    cols = [c for c in cols if c in table.columns]
    for c in cols:
        view.add_column(c, justify="right")
    for row in table.head(limit).itertuples(index=False):
        values = row._asdict()
        view.add_row(*[_cell(values[c]) for c in cols])
    console = Console(width=140, record=True)
    console.print(view)
    return console.export_text()


def _cell(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
