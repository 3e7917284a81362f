"""Builds the read-only :class:`~groupbuy_ml.twin.state.PlatformState` of each morning.

The calendar a policy sees runs to ``forecast_days`` after today: past days with the weather as
it was (a scenario's heat wave included), later days with the morning's weather *forecast* --
the truth plus an error that grows with the lead (sd ``0.8 C * sqrt(days ahead)`` for the
temperature, +-30% for rain), drawn from its own seeded stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.world import MarketWorld
from groupbuy_ml.twin.history import RecordBook
from groupbuy_ml.twin.inventory import LotStock
from groupbuy_ml.twin.shipments import Shipments
from groupbuy_ml.twin.state import PlatformState, StockView, frozen

STREAM_WEATHER = 6
PUBLIC_HOUSEHOLD_COLUMNS = ("household_id", "pickup_point_id", "community_id",
                            "family_structure", "household_size", "price_sensitivity",
                            "scene_baby", "scene_kids", "scene_fitness", "scene_elderly",
                            "scene_pet")
HIDDEN_PRODUCT_COLUMNS = ("base_rate", "elasticity", "like_probability", "repeat_cycle_days")


class StateBuilder:
    """Everything static about the city, and the morning's assembly of the state."""

    def __init__(self, world: MarketWorld, records: RecordBook, calendar: pd.DataFrame,
                 forecast_days: int = 14) -> None:
        self.world, self.records = world, records
        self.calendar = calendar  # the actual calendar (scenario applied)
        self.forecast_days = forecast_days
        ent = world.entities
        lead = ent.suppliers.set_index("supplier_id")["lead_time_days"]
        products = world.products.drop(columns=list(HIDDEN_PRODUCT_COLUMNS), errors="ignore")
        products = products.assign(
            lead_time_days=lead.loc[products["supplier_id"]].to_numpy().astype(np.int64))
        self.catalogue = products
        self.lead_time = products["lead_time_days"].to_numpy(np.int64)
        self.households = ent.households[[c for c in PUBLIC_HOUSEHOLD_COLUMNS
                                          if c in ent.households.columns]]
        self.pickup_points = ent.pickup_points.drop(columns=["leader_effect"])
        self.suppliers = ent.suppliers
        self.list_price = frozen(world.list_price)
        self.shelf = world.products["shelf_life_days"].to_numpy(np.int64)

    def calendar_for(self, t: int) -> pd.DataFrame:
        """The calendar up to ``t + forecast_days`` as known on the morning of day ``t``."""
        end = min(t + self.forecast_days + 1, len(self.calendar))
        cal = self.calendar.iloc[:end].copy()
        ahead = np.arange(end) - t
        future = ahead > 0
        if future.any():
            rng = np.random.default_rng([self.world.cfg.seed, STREAM_WEATHER, t])
            n = int(future.sum())
            err = rng.normal(0.0, 0.8, n) * np.sqrt(ahead[future])
            cal.loc[future, "temperature_c"] = np.round(
                cal.loc[future, "temperature_c"].to_numpy() + err, 1)
            rain = cal.loc[future, "rain_mm"].to_numpy() * rng.uniform(0.7, 1.3, n)
            cal.loc[future, "rain_mm"] = np.round(rain, 1)
        return cal

    def build(self, t: int, points: LotStock, warehouse: LotStock,
              shipments: Shipments) -> PlatformState:
        world = self.world
        live = world.live(t)
        catalogue = self.catalogue.assign(live=live.any(axis=0))
        return PlatformState(
            day=t, date=world.dates[t], catalogue=catalogue,
            pickup_points=self.pickup_points, households=self.households,
            suppliers=self.suppliers, calendar=self.calendar_for(t),
            point_stock=StockView(frozen(points.units), frozen(points.arrived), self.shelf),
            warehouse_stock=StockView(frozen(warehouse.units), frozen(warehouse.arrived),
                                      self.shelf),
            pipeline=shipments.view(t, shipments.span),
            history=self.records.view(),
            list_price=self.list_price, scheduled_price=frozen(world.price[t]),
            lead_time=frozen(self.lead_time), live=frozen(live))
