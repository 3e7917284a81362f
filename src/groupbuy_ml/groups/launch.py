"""Launch stock for new products: an ordering wrapper for the twin's order hook.

Every ordering policy of the twin orders from a product's own sales records, so a new product
-- no sales yet -- gets no stock, households cannot order it, and its group buys never form
whatever the threshold (measured: 0 of 231 new-product group buys formed over 60 days with
:class:`~groupbuy_ml.twin.ordering_policy.LastWeekSales`). :class:`NewProductLaunch` keeps the
wrapped policy's orders and, for products launched fewer than ``launch_days`` ago, tops each
pickup point that offers them up to ``min_units`` units in stock and in transit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.twin.ordering_policy import LastWeekSales
from groupbuy_ml.twin.policies import OrderDecision
from groupbuy_ml.twin.state import PlatformState
from groupbuy_ml.twin.stock_projection import inventory_position

__all__ = ["NewProductLaunch"]


@dataclass
class NewProductLaunch:
    """``base``'s orders, plus launch stock of ``min_units`` per offering point for new
    products (see module)."""

    base: Any = field(default_factory=LastWeekSales)
    launch_days: int = 28
    min_units: int = 3

    def __post_init__(self) -> None:
        if self.min_units < 0 or self.launch_days < 1:
            raise ConfigError(f"min_units {self.min_units} / launch_days {self.launch_days}: "
                              "need min_units >= 0 and launch_days >= 1")

    def order(self, state: PlatformState) -> OrderDecision:
        decision = self.base.order(state)
        launch = pd.to_datetime(state.catalogue["launch_date"])
        new = ((state.date - launch).dt.days < self.launch_days).to_numpy()
        offered = np.asarray(state.today.offered) & new[None, :]
        if not offered.any():
            return decision
        gap = np.maximum(self.min_units - inventory_position(state), 0)
        point = np.asarray(decision.point_units, np.float64)
        point = np.where(offered, np.maximum(point, gap), point)
        return OrderDecision(point, decision.warehouse_units, decision.transfer_units)
