"""From quantile forecast to order quantity: the newsvendor per pickup point x product.

The single-period newsvendor (Arrow, Harris & Marschak 1951, "Optimal inventory policy",
Econometrica 19(3); Porteus 2002, "Foundations of Stochastic Inventory Theory", ch. 1): with a
per-unit underage cost ``c_u`` (margin lost on a unit short) and overage cost ``c_o`` (cost of a
unit left over), the expected-cost-minimising order is the ``critical ratio`` quantile of demand,
``Q* = F^{-1}(c_u / (c_u + c_o))``.

Costs per product: ``c_u = price - unit_cost``; ``c_o = unit_cost`` for perishables (a unit not
sold by the next morning is thrown away, no salvage) and ``holding_rate * unit_cost`` for the
others (it waits one more period in stock). A product sold at or below cost has ratio 0 and is
not ordered.

The demand distribution is the forecast's quantile function ``q0.1, q0.5, q0.9...``,
interpolated linearly between the given levels and extrapolated linearly beyond the outermost
ones with the slope of the nearest segment (floored at 0). Expected waste (``E[(Q - D)^+]``),
expected shortage (``E[(D - Q)^+]``) and the stock-out probability ``P(D > Q)`` are averages over
``grid`` equally spaced levels of that quantile function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.metrics import quantile_columns

__all__ = ["critical_ratio", "interpolate_quantile", "newsvendor_orders", "order_risk"]


def critical_ratio(
    price: ArrayLike, unit_cost: ArrayLike, perishable: ArrayLike, holding_rate: float = 0.02
) -> np.ndarray:
    """``c_u / (c_u + c_o)`` per row; 0 where the margin is not positive."""
    price, cost = np.asarray(price, np.float64), np.asarray(unit_cost, np.float64)
    if (cost <= 0).any():
        raise InvalidDataError("unit_cost must be positive")
    if not holding_rate > 0.0:
        raise ConfigError(f"holding_rate must be positive, got {holding_rate}")
    under = np.clip(price - cost, 0.0, None)
    over = np.where(np.asarray(perishable, bool), cost, holding_rate * cost)
    return under / (under + over)


def interpolate_quantile(levels: ArrayLike, values: ArrayLike, at: ArrayLike) -> np.ndarray:
    """The quantile function through ``(levels, values[i])`` evaluated at ``at[i]``.

    Args:
        levels: increasing quantile levels, shape ``(k,)`` with ``k >= 2``.
        values: quantile values, shape ``(n, k)`` (sorted along the row).
        at: levels to evaluate, shape ``(n,)`` (or ``(n, g)`` for a grid per row).

    Returns:
        shape of ``at``: linear interpolation inside, linear extrapolation outside, floored at 0.
    """
    lv = np.asarray(levels, np.float64)
    v = np.sort(np.asarray(values, np.float64), axis=1)
    if lv.ndim != 1 or len(lv) < 2 or np.any(np.diff(lv) <= 0) or v.shape[1] != len(lv):
        raise ValueError("need >= 2 increasing quantile levels matching the value columns")
    u = np.asarray(at, np.float64)
    grid = u if u.ndim == 2 else u[:, None]
    seg = np.clip(np.searchsorted(lv, grid, side="right") - 1, 0, len(lv) - 2)
    lo, hi = lv[seg], lv[seg + 1]
    rows = np.arange(len(v))[:, None]
    v_lo, v_hi = v[rows, seg], v[rows, seg + 1]
    out = v_lo + (grid - lo) / (hi - lo) * (v_hi - v_lo)
    out = np.clip(out, 0.0, None)
    return out if u.ndim == 2 else out[:, 0]


def order_risk(
    levels: ArrayLike, values: ArrayLike, order: ArrayLike, grid: int = 199
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expected waste, expected shortage, stock-out probability and expected demand of ``order``
    units under the interpolated quantile function (``grid`` mid-point levels)."""
    u = (np.arange(grid) + 0.5) / grid
    v = np.asarray(values, np.float64)
    demand = interpolate_quantile(levels, v, np.broadcast_to(u, (len(v), grid)))
    q = np.asarray(order, np.float64)[:, None]
    waste = np.clip(q - demand, 0, None).mean(axis=1)
    short = np.clip(demand - q, 0, None).mean(axis=1)
    return waste, short, (demand > q).mean(axis=1), demand.mean(axis=1)


def newsvendor_orders(
    forecast: pd.DataFrame,
    products: pd.DataFrame,
    holding_rate: float = 0.02,
    integer: bool = True,
) -> pd.DataFrame:
    """Order quantity per forecast row (pickup point x product x demand date).

    Args:
        forecast: ``location_id, product_id, date`` and at least two quantile columns
            (``q0.1, q0.5, q0.9``); a ``price`` column, when present, is the selling price.
        products: ``product_id, unit_cost, base_price, perishable`` (+ ``supplier_id``,
            ``shelf_life_days`` carried along), e.g. the market's ``products`` table.
        holding_rate: overage cost of a non-perishable unit as a share of its cost.
        integer: round orders up to whole units (the smallest Q with F(Q) >= ratio).

    Returns:
        the forecast rows with ``supplier_id``, ``price``, ``unit_cost``, ``perishable``,
        ``critical_ratio``, ``order_units``, ``expected_demand_units``,
        ``expected_waste_units``, ``expected_shortage_units``, ``stockout_probability``.

    Raises:
        ValueError: missing columns, fewer than two quantiles, or a product absent from
            ``products`` (named).
    """
    qcols = quantile_columns(forecast)
    if len(qcols) < 2:
        raise InvalidDataError(f"forecast needs >= 2 quantile columns like q0.1, got {qcols}")
    needed = ["product_id", "unit_cost", "base_price", "perishable"]
    missing = [c for c in needed if c not in products.columns]
    if missing:
        raise InvalidDataError(f"products lacks column(s) {missing}")
    extra = [c for c in ("supplier_id", "shelf_life_days") if c in products.columns]
    table = forecast.merge(products[[*needed, *extra]], on="product_id", how="left")
    unknown = table["unit_cost"].isna()
    if unknown.any():
        names = sorted(table.loc[unknown, "product_id"].unique().tolist())[:5]
        raise InvalidDataError(f"{int(unknown.sum())} forecast rows have products absent from "
                               f"products, e.g. {names}")
    if "price" not in table:
        table["price"] = table["base_price"]
    table["price"] = table["price"].fillna(table["base_price"])
    levels = [float(c[1:]) for c in qcols]
    values = table[qcols].to_numpy(np.float64)
    ratio = critical_ratio(table["price"], table["unit_cost"], table["perishable"], holding_rate)
    order = interpolate_quantile(levels, values, ratio)
    order = np.where(ratio > 0, order, 0.0)
    if integer:
        order = np.ceil(order - 1e-9)
    waste, short, p_out, demand = order_risk(levels, values, order)
    return table.drop(columns=["base_price"]).assign(
        critical_ratio=ratio, order_units=order, expected_demand_units=demand,
        expected_waste_units=waste, expected_shortage_units=short, stockout_probability=p_out)
