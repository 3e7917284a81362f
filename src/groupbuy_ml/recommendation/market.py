"""Interactions of the simulated market: the household-product funnel as weighted edges.

Each household x product pair gets the summed weight of its events (view 1, click 2, cart 3,
order 5 by default: deeper funnel stages say more about intent) and the time of its last event.
:func:`temporal_split` holds out the orders of the last days, as a live system would be
evaluated: trained on everything before, scored on what households bought next.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.errors import ConfigError, InvalidDataError

EVENT_WEIGHTS: dict[str, float] = {"view": 1.0, "click": 2.0, "cart": 3.0, "order": 5.0}


def market_interactions(
    market_dir: str | Path, weights: Mapping[str, float] | None = None,
    until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Weighted interactions (user_id = household_id, item_id = product_id) from ``events``.

    Args:
        market_dir: a simulated market folder with household logs.
        weights: weight per event type (default :data:`EVENT_WEIGHTS`).
        until: use events strictly before this date only.
    """
    weights = dict(weights or EVENT_WEIGHTS)
    events = load_market_table(market_dir, "events")
    if events.empty:
        raise InvalidDataError(f"{market_dir} has no household events: simulate it with "
                               "event_log_days covering the period you want to learn from")
    if until is not None:
        events = events.loc[events["date"] < until]
    unknown = set(events["event_type"].astype(str).unique()) - set(weights)
    if unknown:
        raise ConfigError(f"no weight for event type(s) {sorted(unknown)}; weights has "
                          f"{sorted(weights)}")
    events = events.assign(weight=events["event_type"].astype(str).map(weights).astype(float))
    grouped = events.groupby(["household_id", "product_id"], as_index=False).agg(
        weight=("weight", "sum"), timestamp=("date", "max"))
    return pd.DataFrame({
        "user_id": grouped["household_id"].astype("int64"),
        "item_id": grouped["product_id"].astype("int64"),
        "weight": grouped["weight"],
        "timestamp": grouped["timestamp"].astype("datetime64[ns]"),
    })


def temporal_split(market_dir: str | Path, test_days: int,
                   weights: Mapping[str, float] | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train interactions before the last ``test_days`` logged days, test = the household x
    product pairs ordered in those days)."""
    orders = load_market_table(market_dir, "orders", ["date", "household_id", "product_id"])
    if orders.empty:
        raise InvalidDataError(f"{market_dir} has no household orders to evaluate on")
    cut = orders["date"].max() - pd.Timedelta(days=test_days - 1)
    train = market_interactions(market_dir, weights, until=cut)
    test = orders.loc[orders["date"] >= cut, ["household_id", "product_id"]].drop_duplicates()
    test = pd.DataFrame({"user_id": test["household_id"].astype("int64"),
                         "item_id": test["product_id"].astype("int64")})
    return train, test.reset_index(drop=True)
