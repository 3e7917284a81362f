"""Checks that run before the twin touches the world: decisions, city and catalogue."""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.twin.errors import PolicyOutputError, TwinConfigError
from groupbuy_ml.twin.policies import Exposure, OrderDecision

MAX_SHOWN = 5


def _where(mask: np.ndarray) -> str:
    idx = np.argwhere(mask)[:MAX_SHOWN]
    return ", ".join(str(tuple(int(v) for v in row)) if len(row) > 1 else str(int(row[0]))
                     for row in idx)


def as_array(value: object, shape: tuple[int, ...], policy: str, field: str,
             integer: bool = False, minimum: float | None = 0.0,
             strictly: bool = False) -> np.ndarray:
    """``value`` broadcast to ``shape``; raises :class:`PolicyOutputError` naming ``policy`` and
    ``field`` for a shape that does not broadcast, NaN/inf, or values below ``minimum``."""
    try:
        array = np.asarray(value, dtype=np.float64)
        out = np.broadcast_to(array, shape)
    except (TypeError, ValueError) as err:
        got = getattr(value, "shape", type(value).__name__)
        raise PolicyOutputError(f"{policy} returned {field} of shape {got}; expected an array "
                                f"that broadcasts to {shape}") from err
    bad = ~np.isfinite(out)
    if bad.any():
        raise PolicyOutputError(f"{policy} returned {field} with {int(bad.sum())} NaN/inf "
                                f"value(s), e.g. at index {_where(bad)}; return finite numbers")
    if minimum is not None:
        low = out <= minimum if strictly else out < minimum
        if low.any():
            sign = ">" if strictly else ">="
            raise PolicyOutputError(
                f"{policy} returned {field} with {int(low.sum())} value(s) not {sign} {minimum}, "
                f"e.g. {float(out[low][0]):g} at index {_where(low)}")
    return np.rint(out).astype(np.int64) if integer else out.astype(np.float64)


def check_order(decision: object, n_points: int, n_products: int, policy: str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point units, warehouse units, transfer units) as whole non-negative units."""
    if not isinstance(decision, OrderDecision):
        raise PolicyOutputError(f"{policy}.order returned {type(decision).__name__}; expected "
                                "groupbuy_ml.twin.OrderDecision")
    shape = (n_points, n_products)
    point = as_array(decision.point_units, shape, policy, "OrderDecision.point_units", True)
    wh = as_array(0 if decision.warehouse_units is None else decision.warehouse_units,
                  (n_products,), policy, "OrderDecision.warehouse_units", True)
    move = as_array(0 if decision.transfer_units is None else decision.transfer_units, shape,
                    policy, "OrderDecision.transfer_units", True)
    return point, wh, move


def check_exposure(exposure: object, n_households: int, n_products: int, policy: str
                   ) -> np.ndarray:
    """The ranking as int64 product ids (-1 for empty slots)."""
    if not isinstance(exposure, Exposure):
        raise PolicyOutputError(f"{policy}.rank returned {type(exposure).__name__}; expected "
                                "groupbuy_ml.twin.Exposure")
    ranking = np.asarray(exposure.ranking)
    if ranking.ndim not in (1, 2) or (ranking.ndim == 2 and len(ranking) != n_households):
        raise PolicyOutputError(f"{policy} returned Exposure.ranking of shape {ranking.shape}; "
                                f"expected (K,) or ({n_households}, K)")
    if not np.issubdtype(ranking.dtype, np.integer):
        raise PolicyOutputError(f"{policy} returned Exposure.ranking of dtype {ranking.dtype}; "
                                "expected integer product ids")
    bad = (ranking < -1) | (ranking >= n_products)
    if bad.any():
        raise PolicyOutputError(f"{policy} returned Exposure.ranking with unknown product ids, "
                                f"e.g. {int(ranking[bad][0])} at {_where(bad)}; ids are "
                                f"0..{n_products - 1} (-1 for an empty slot)")
    return ranking.astype(np.int64)


def check_city(households: pd.DataFrame, products: pd.DataFrame,
               pickup_points: pd.DataFrame) -> None:
    """A city the twin can run: households, products with shelf life >= 1 day, pickup points."""
    if len(pickup_points) == 0:
        raise TwinConfigError("market.n_pickup_points: the city has no pickup points")
    if len(households) == 0:
        raise TwinConfigError("market.households_per_pickup_point: the city has no households; "
                              "raise it above 0")
    if len(products) == 0:
        raise TwinConfigError("market.n_products: the catalogue is empty")
    shelf = products["shelf_life_days"].to_numpy()
    if (shelf < 1).any():
        bad = products.loc[shelf < 1, "product_id"].tolist()[:MAX_SHOWN]
        raise TwinConfigError(f"products.shelf_life_days: products {bad} have a shelf life below "
                              "1 day; a unit must last at least until its morning of delivery")
