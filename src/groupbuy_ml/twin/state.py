"""What a policy may see on a morning: the read-only state of the platform.

Everything here is known to the platform at decision time: today's date, stock by lot and age,
orders in transit, its own records of what households ordered up to yesterday (censored: what
was sold out is not in them), the catalogue, the households' profiles, prices and the calendar
with the weather forecast. Tomorrow's truth is never in it; only a run that asks for the
perfect-foresight bound gets :attr:`PlatformState.oracle`. Arrays are read-only views; a policy
that writes into one gets numpy's ``ValueError: assignment destination is read-only``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from groupbuy_ml.twin.policies import Exposure

__all__ = ["Decisions", "DemandOracle", "History", "Pipeline", "PlatformState", "StockView"]


def frozen(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array``."""
    view = np.asarray(array).view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True)
class StockView:
    """Lots at one echelon: (L, I, K) units and arrival days, oldest lot first (-1: no lot)."""

    units: np.ndarray
    arrived: np.ndarray
    shelf_life: np.ndarray  # (I,) days

    @property
    def on_hand(self) -> np.ndarray:
        """(L, I) units in stock."""
        return self.units.sum(axis=2)

    def fresh_on(self, day: int) -> np.ndarray:
        """(L, I) units that can still be handed out on ``day`` (a lot that arrived on day ``a``
        serves days ``a .. a + shelf_life - 1``)."""
        expiry = np.where(self.arrived >= 0, self.arrived + self.shelf_life[None, :, None], -1)
        return np.where(expiry > day, self.units, 0).sum(axis=2)

    def age_profile(self, today: int, max_age: int = 7) -> np.ndarray:
        """(L, I, max_age + 1) units by age in days (the last bin holds older units)."""
        age = np.clip(today - self.arrived, 0, max_age)
        out = np.zeros((*self.units.shape[:2], max_age + 1), np.int64)
        for a in range(max_age + 1):
            out[:, :, a] = np.where((age == a) & (self.arrived >= 0), self.units, 0).sum(axis=2)
        return out


@dataclass(frozen=True)
class Pipeline:
    """Units in transit as planned: ``point[d]`` (P, I) and ``warehouse[d]`` (I,) reach their
    destination on the morning of ``today + d`` (d = 1 .. len - 1; row 0 has arrived)."""

    point: np.ndarray
    warehouse: np.ndarray

    def point_arrivals(self, through_day_offset: int) -> np.ndarray:
        """(P, I) units reaching pickup points from tomorrow through ``today + offset``."""
        return self.point[1:through_day_offset + 1].sum(axis=0)


@dataclass(frozen=True)
class History:
    """The platform's records of the last ``len(dates)`` days (oldest first), up to yesterday.

    Attributes:
        dates: the order days recorded.
        accepted: (D, P, I) units households ordered and the platform accepted: demand where
            the product did not sell out, the available units where it did.
        delivered: (D, P, I) units handed out (0 where the group buy failed or short-shipped).
        sold_out: (D, P, I) the product ran out at that pickup point that day.
        offered: (D, P, I) it was offered.
        price: (D, P, I) selling price.
        formed: (D, I) the product's group buy formed (city-wide), or (D, P, I).
        panel_builder: builds :meth:`panel` (set by the twin).
    """

    dates: pd.DatetimeIndex
    accepted: np.ndarray
    delivered: np.ndarray
    sold_out: np.ndarray
    offered: np.ndarray
    price: np.ndarray
    formed: np.ndarray
    panel_builder: Callable[[int | None], pd.DataFrame] = field(repr=False, compare=False)

    def panel(self, days: int | None = None) -> pd.DataFrame:
        """The accepted units as a demand panel for forecasters (``location_id, product_id,
        date, units, price, discount, promo, is_holiday, temperature_c, rain_mm, category,
        sold_out``) over the last ``days`` recorded days (all when None), offered cells only
        per series' first offered day onwards."""
        return self.panel_builder(days)


@dataclass(frozen=True)
class Decisions:
    """Today's decisions so far (None until the hook that makes it has run)."""

    offered: np.ndarray | None = None  # (P, I) bool
    price: np.ndarray | None = None  # (P, I) CNY
    threshold: np.ndarray | None = None  # (I,) or (P, I)
    exposure: Exposure | None = None


class DemandOracle:
    """The true, uncensored demand, for the perfect-foresight bound only.

    ``demand(day)`` is the (P, I) units households will ask for on order day ``day`` under
    today's decisions and household state: exact for today; for later days it is one draw of
    that day's demand from the state as it stands this morning (households' choices in
    between and the day's own random draws make it differ cell by cell from what will happen).
    ``expected(day)`` and ``variance(day)`` are the true mean and variance of that day's units
    (compound Poisson: participants ~ Poisson(rate), units per participant 1 + Poisson(b - 1)),
    the most any forecast of a later day can know.
    """

    def __init__(self, demand: Callable[[int], np.ndarray],
                 moments: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None) -> None:
        self._demand = demand
        self._moments = moments

    def demand(self, day: int) -> np.ndarray:
        return self._demand(day)

    def expected(self, day: int) -> np.ndarray:
        """(P, I) true expected units of order day ``day``."""
        return self._moments(day)[0]

    def variance(self, day: int) -> np.ndarray:
        """(P, I) true variance of the units of order day ``day``."""
        return self._moments(day)[1]


@dataclass(frozen=True)
class PlatformState:
    """The morning of order day ``day`` (0 = the first simulated day of the city).

    Attributes:
        day, date: today.
        catalogue: one row per product (``product_id`` = position): the market's ``products``
            columns plus ``lead_time_days`` of its supplier and ``live`` (launched by today).
        pickup_points, households, suppliers: the market's tables (public profile columns).
        calendar: every day up to ``date + forecast_days``: weekday, holidays and weather; days
            after today carry the weather *forecast* issued this morning.
        point_stock: (P, I, K) lots at pickup points after this morning's arrivals, deliveries
            and write-offs.
        warehouse_stock: (1, I, K) lots at the warehouse.
        pipeline: units in transit (as the platform knows it: a late shipment shows as due
            tomorrow once its planned day has passed).
        history: the platform's records up to yesterday.
        list_price: (I,) catalogue price; scheduled_price: (I,) today's price on the market's
            schedule (weekly farm prices and promotions).
        lead_time: (I,) supplier lead time in days (a scenario's delay is not known in advance).
        live: (P, I) bool: pickup point open and product launched today.
        today: the decisions made so far this morning.
        oracle: the true demand, only in a perfect-foresight run (else None).
    """

    day: int
    date: pd.Timestamp
    catalogue: pd.DataFrame
    pickup_points: pd.DataFrame
    households: pd.DataFrame
    suppliers: pd.DataFrame
    calendar: pd.DataFrame
    point_stock: StockView
    warehouse_stock: StockView
    pipeline: Pipeline
    history: History
    list_price: np.ndarray
    scheduled_price: np.ndarray
    lead_time: np.ndarray
    live: np.ndarray
    today: Decisions = field(default_factory=Decisions)
    oracle: DemandOracle | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """(pickup points, products)."""
        return len(self.pickup_points), len(self.catalogue)

    @property
    def n_households(self) -> int:
        return len(self.households)
