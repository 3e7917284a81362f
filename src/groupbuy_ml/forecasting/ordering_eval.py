"""Realised outcome of an ordering policy where the true demand is known (the simulated market).

Each pickup point x product x day receives ``order_units``; households ask for ``demand``
(``daily_demand.units_ordered``). Sold = ``min(order, demand)``; left over = ``(order -
demand)^+``, which is *waste* for perishables (thrown away next day, as the newsvendor assumes)
and stock carried for the others. Reported per policy: fill rate ``sold / demand``, waste rate
``waste / ordered`` (perishables' waste over all units ordered), the share of rows that ran out,
and the realised margin ``price * sold - unit_cost * ordered`` (+ ``unit_cost * leftover`` of
non-perishables, whose leftover keeps its value).

The naive policy orders what households asked for on the same weekday a week earlier (a
standard rule of thumb in fresh retail): ``order(d) = demand(d - 7)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.forecasting.series import SERIES_KEYS, TARGET, TIME

__all__ = ["naive_last_week_orders", "realised_outcome"]


def naive_last_week_orders(panel: pd.DataFrame, rows: pd.DataFrame, lag: int = 7) -> pd.DataFrame:
    """``order_units = units`` of the same series ``lag`` days before each row of ``rows``
    (0 where that day is unknown, e.g. a product launched less than a week ago)."""
    past = panel[[*SERIES_KEYS, TIME, TARGET]].copy()
    past[TIME] = past[TIME] + pd.Timedelta(days=lag)
    out = rows[[*SERIES_KEYS, TIME]].merge(past, on=[*SERIES_KEYS, TIME], how="left")
    return out.assign(order_units=out.pop(TARGET).fillna(0.0).to_numpy())


def realised_outcome(
    orders: pd.DataFrame, actual: pd.DataFrame, products: pd.DataFrame
) -> dict[str, float]:
    """Realised fill rate, waste and margin of ``orders`` against the true ``actual`` demand.

    Args:
        orders: ``location_id, product_id, date, order_units``.
        actual: ``location_id, product_id, date, units`` (true demand) for the same rows.
        products: ``product_id, unit_cost, base_price, perishable``; the selling price is
            ``actual["price"]`` when present, else ``base_price``.

    Raises:
        ValueError: when an order row has no actual demand.
    """
    cols = [*SERIES_KEYS, TIME, TARGET, *(["price"] if "price" in actual else [])]
    table = orders[[*SERIES_KEYS, TIME, "order_units"]].merge(
        actual[cols], on=[*SERIES_KEYS, TIME], how="left")
    if table[TARGET].isna().any():
        raise InvalidDataError(f"{int(table[TARGET].isna().sum())} order rows have no actual "
                               "demand")
    table = table.merge(products[["product_id", "unit_cost", "base_price", "perishable"]],
                        on="product_id", how="left")
    price = table["price"] if "price" in table else table["base_price"]
    q, d = table["order_units"].to_numpy(np.float64), table[TARGET].to_numpy(np.float64)
    perishable = table["perishable"].to_numpy(bool)
    sold, left = np.minimum(q, d), np.clip(q - d, 0, None)
    cost = table["unit_cost"].to_numpy(np.float64)
    margin = price.to_numpy(np.float64) * sold - cost * q + np.where(perishable, 0, cost * left)
    ordered = float(q.sum())
    return {
        "ordered_units": ordered,
        "demand_units": float(d.sum()),
        "fill_rate": float(sold.sum() / d.sum()) if d.sum() > 0 else 1.0,
        "waste_units": float(left[perishable].sum()),
        "waste_rate": float(left[perishable].sum() / ordered) if ordered > 0 else 0.0,
        "perishable_waste_rate": float(left[perishable].sum() / max(q[perishable].sum(), 1e-9)),
        "leftover_units": float(left.sum()),
        "stockout_row_share": float(np.mean(d > q)),
        "realised_margin": float(margin.sum()),
    }
