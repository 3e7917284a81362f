"""A hand-built PlatformState of one pickup point, for checking policies against closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from groupbuy_ml.twin.state import (
    Decisions,
    DemandOracle,
    History,
    Pipeline,
    PlatformState,
    StockView,
)


def one_point_state(sales: np.ndarray, price: float, cost: float, shelf: int, lead: int,
                    on_hand: int = 0, day: int = 40, oracle: DemandOracle | None = None
                    ) -> PlatformState:
    """One pickup point x one product with ``sales`` recorded on the days before ``day``."""
    sales = np.asarray(sales, np.int64)
    days = len(sales)
    dates = pd.date_range("2025-01-01", periods=day + 20, freq="D")
    rec = dates[day - days:day]
    panel = pd.DataFrame({"location_id": 0, "product_id": 0, "date": rec, "units": sales * 1.0,
                          "price": price, "discount": 0.0, "is_holiday": 0, "temperature_c": 20.0,
                          "rain_mm": 0.0, "category": "vegetables", "sold_out": False,
                          "promo": 0})
    shape = (days, 1, 1)
    history = History(dates=rec, accepted=sales.reshape(shape), delivered=sales.reshape(shape),
                      sold_out=np.zeros(shape, bool), offered=np.ones(shape, bool),
                      price=np.full(shape, price), formed=np.ones((days, 1), bool),
                      panel_builder=lambda n: panel if n is None else panel.tail(n))
    k = 4
    units = np.zeros((1, 1, k), np.int64)
    arrived = np.full((1, 1, k), -1, np.int64)
    if on_hand:
        units[0, 0, 0], arrived[0, 0, 0] = on_hand, day
    shelf_a = np.array([shelf])
    calendar = pd.DataFrame({"date": dates[:day + 14], "is_holiday": False,
                             "temperature_c": 20.0, "rain_mm": 0.0})
    catalogue = pd.DataFrame({"product_id": [0], "category": ["vegetables"],
                              "unit_cost": [cost], "shelf_life_days": [shelf],
                              "lead_time_days": [lead], "live": [True]})
    return PlatformState(
        day=day, date=dates[day], catalogue=catalogue,
        pickup_points=pd.DataFrame({"pickup_point_id": [0]}),
        households=pd.DataFrame({"household_id": [0]}), suppliers=pd.DataFrame(),
        calendar=calendar, point_stock=StockView(units, arrived, shelf_a),
        warehouse_stock=StockView(np.zeros((1, 1, k), np.int64),
                                  np.full((1, 1, k), -1, np.int64), shelf_a),
        pipeline=Pipeline(np.zeros((8, 1, 1), np.int64), np.zeros((8, 1), np.int64)),
        history=history, list_price=np.array([price]), scheduled_price=np.array([price]),
        lead_time=np.array([lead]), live=np.ones((1, 1), bool),
        today=Decisions(offered=np.ones((1, 1), bool), price=np.full((1, 1), price)),
        oracle=oracle)


class NormalForecaster:
    """Forecasts Normal(mean, sd) demand every day, as quantile columns (a test double)."""

    def __init__(self, horizon: int, quantiles: list[float], mean: float = 50.0,
                 sd: float = 8.0) -> None:
        self.horizon, self.quantiles, self.mean, self.sd = horizon, quantiles, mean, sd
        self.fits = 0

    def fit(self, panel: pd.DataFrame) -> NormalForecaster:
        self.fits += 1
        return self

    def predict(self, history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        out = future[["location_id", "product_id", "date"]].copy()
        out["prediction"] = self.mean
        for q in self.quantiles:
            out[f"q{q:g}"] = self.mean + self.sd * norm.ppf(q)
        return out
