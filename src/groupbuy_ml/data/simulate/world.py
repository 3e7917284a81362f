"""One day of the simulated city, as a platform acting in it sees it: the open-loop generator
(:mod:`~groupbuy_ml.data.simulate.market`) and the closed-loop twin (:mod:`groupbuy_ml.twin`)
both step this world, so the same seed and the same decisions give the same households.

A day: :meth:`MarketWorld.begin_day` moves household state past yesterday's deliveries;
:meth:`~MarketWorld.intensity` combines the state with the day's drivers and the platform's
decisions (assortment, price, feed) and the leaders' posts; :meth:`~MarketWorld.sample_counts`
draws the funnel per (pickup point, product); :meth:`~MarketWorld.sample_orders` gives every
order a household, a minute and a quantity; :meth:`~MarketWorld.receive` records what households
got. Random streams are keyed by (seed, stream, day), so nothing depends on chunking or workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.behaviour import (
    HouseholdBehaviour,
    feed_lift,
    household_feed_lift,
    leader_picks,
)
from groupbuy_ml.data.simulate.calendar import build_calendar
from groupbuy_ml.data.simulate.catalog import CONVERSION
from groupbuy_ml.data.simulate.config import MarketConfig
from groupbuy_ml.data.simulate.demand import DemandModel, build_demand_model
from groupbuy_ml.data.simulate.entities import MarketEntities, build_entities
from groupbuy_ml.data.simulate.prices import build_prices

STREAM_DAY, STREAM_LOG, STREAM_ORDERS, STREAM_LEADER = 1, 2, 3, 4
"""Independent random streams: aggregates never depend on whether household logs are written."""
STEP_MINUTES = (3.0, 10.0, 60.0)  # max gap view->click, click->cart, cart->order


@dataclass(frozen=True)
class DayIntensity:
    """The day's Poisson intensity and what shaped it."""

    t: int
    band_rate: np.ndarray  # (B, P, I) expected participants per price band
    leader_pick: np.ndarray  # (P, I) bool
    offered: np.ndarray  # (P, I) bool
    lift: np.ndarray | None  # (I, H) per-household feed multiplier, None when shared

    @property
    def rate(self) -> np.ndarray:
        """(P, I) expected participants."""
        return self.band_rate.sum(axis=0)


@dataclass(frozen=True)
class DayCounts:
    """The funnel of one day on the (pickup point x product) grid."""

    orders: np.ndarray  # (P, I) order instances (households that ordered)
    cart_only: np.ndarray
    click_only: np.ndarray
    view_only: np.ndarray
    extra_units: np.ndarray  # (P, I) units beyond one per order


@dataclass(frozen=True)
class DayOrders:
    """One row per order instance, sorted by (pickup point, product, minute)."""

    point: np.ndarray
    product: np.ndarray
    household: np.ndarray
    minute: np.ndarray  # minute of the order (after the view, click and cart)
    quantity: np.ndarray  # units (>= 1)


class MarketWorld:
    """The static city (entities, calendar, price schedule, demand model) and its households."""

    def __init__(self, cfg: MarketConfig) -> None:
        self.cfg = cfg
        rng = np.random.default_rng([cfg.seed, 0])
        self.entities: MarketEntities = build_entities(cfg, rng)
        self.calendar = build_calendar(cfg, rng)
        self.prices = build_prices(cfg, self.entities.products, self.entities.suppliers,
                                   self.calendar, rng)
        self.behaviour = HouseholdBehaviour(self.entities, cfg)
        self.model: DemandModel = build_demand_model(self.entities, self.calendar, self.prices,
                                                     rng, self.behaviour.aggregate)
        self.products = self.entities.products.assign(
            min_group_size=self.model.min_participants.astype("int32"))
        self.dates = pd.DatetimeIndex(self.calendar["date"])
        n_i = len(self.products)
        self.price = self.prices["price"].to_numpy().reshape(cfg.n_days, n_i)
        self.discount = self.prices["discount"].to_numpy().reshape(cfg.n_days, n_i)
        self.list_price = self.products["base_price"].to_numpy(np.float64)
        self.leader_effect = self.entities.pickup_points["leader_effect"].to_numpy()

    @property
    def shape(self) -> tuple[int, int]:
        """(pickup points, products)."""
        return len(self.entities.pickup_points), len(self.products)

    def static_tables(self) -> dict[str, pd.DataFrame]:
        """The tables a market folder holds apart from the daily ones."""
        ent = self.entities
        return {"warehouses": ent.warehouses, "communities": ent.communities,
                "pickup_points": ent.pickup_points, "suppliers": ent.suppliers,
                "products": self.products, "product_scenes": ent.product_scenes,
                "households": ent.households, "calendar": self.calendar, "prices": self.prices}

    def live(self, t: int) -> np.ndarray:
        """(P, I) bool: pickup point open and product launched on day ``t``."""
        return (self.model.point_factor[t] > 0)[:, None] & (self.model.day_factor[t] > 0)[None, :]

    def begin_day(self, t: int) -> None:
        self.behaviour.begin_day(t)

    def intensity(self, t: int, offered: np.ndarray | None = None,
                  price: np.ndarray | None = None, ranking: np.ndarray | None = None,
                  shock: np.ndarray | None = None) -> DayIntensity:
        """The day's intensity under the platform's decisions.

        Args:
            offered: (P, I) bool assortment (default: everything live).
            price: selling price, (I,) or (P, I) (default: the price schedule).
            ranking: the feed: (K,) product ids shown first to everyone or (H, K) per household
                (-1 pads); default no feed effect.
            shock: optional (P, I) or (I,) demand multiplier (what-if scenarios).
        """
        live = self.live(t)
        offered = live if offered is None else np.asarray(offered, bool) & live
        promo = self.discount[t] > 0
        rng = np.random.default_rng([self.cfg.seed, STREAM_LEADER, t])
        picks = leader_picks(rng, self.entities.leader_taste, self.entities.product_taste,
                             offered, promo, self.cfg.leader_picks)
        cell = offered * (1.0 + self.cfg.leader_pick_lift * self.leader_effect[:, None] * picks)
        if shock is not None:
            cell = cell * np.broadcast_to(shock, cell.shape)
        lift = None
        affinity = self.behaviour.aggregate
        if ranking is not None:
            ranking = np.asarray(ranking, np.int64)
            if ranking.ndim == 1:
                cell = cell * feed_lift(ranking, self.shape[1], self.cfg.exposure_lift)[None, :]
            else:
                lift = household_feed_lift(ranking, self.shape[1], self.cfg.exposure_lift)
                affinity = affinity + self.behaviour.feed_correction(lift)
        ratio = None if price is None else np.asarray(price, np.float64) / self.list_price
        band_rate = self.model.intensity(t, affinity, cell, ratio)
        return DayIntensity(t, band_rate, picks, offered, lift)

    def sample_counts(self, day: DayIntensity) -> DayCounts:
        """The funnel as Poisson thinning (view -> click -> cart -> order)."""
        rng = np.random.default_rng([self.cfg.seed, STREAM_DAY, day.t])
        lam = day.rate
        p_click, p_cart, p_order = (CONVERSION[k] for k in ("view_to_click", "click_to_cart",
                                                              "cart_to_order"))
        orders = rng.poisson(lam)
        cart_only = rng.poisson(lam * (1 / p_order - 1))
        click_only = rng.poisson(lam / p_order * (1 / p_cart - 1))
        view_only = rng.poisson(lam / (p_order * p_cart) * (1 / p_click - 1))
        extra = rng.poisson(orders * (self.model.basket_qty - 1.0)[None, :])
        return DayCounts(orders, cart_only, click_only, view_only, extra)

    def sample_orders(self, day: DayIntensity, counts: DayCounts) -> DayOrders:
        """Every order instance with its household, minute and quantity."""
        rng = np.random.default_rng([self.cfg.seed, STREAM_ORDERS, day.t])
        n_i = self.shape[1]
        cells = np.repeat(np.arange(counts.orders.size), counts.orders.ravel())
        point, product = np.divmod(cells, n_i)
        household = self.behaviour.assign(point, product, day.band_rate, rng, day.lift)
        minute = order_minutes(rng, len(cells), self.cfg.cutoff_minute)
        quantity = 1 + spread_extra_units(rng, cells, counts.extra_units.ravel())
        order = np.lexsort((minute, cells))
        return DayOrders(point[order], product[order], household[order], minute[order],
                         quantity[order])

    def receive(self, t: int, product: np.ndarray, household: np.ndarray) -> None:
        """Households received these products from day ``t``'s group buys."""
        rng = np.random.default_rng([self.cfg.seed, STREAM_ORDERS, t, 1])
        self.behaviour.receive(product, household, t, rng)


def first_minutes(rng: np.random.Generator, n: int, cutoff: int) -> np.ndarray:
    """When a funnel starts: 40% around lunch, the rest in the evening, before the cut-off."""
    lunch = rng.uniform(size=n) < 0.4
    m = np.where(lunch, rng.normal(12.5 * 60, 60, n), rng.normal(20.5 * 60, 90, n))
    return np.clip(m, 6 * 60, cutoff - 75)


def order_minutes(rng: np.random.Generator, n: int, cutoff: int) -> np.ndarray:
    """Minute of each order: its funnel start plus the view->click->cart->order gaps."""
    gaps = rng.uniform(0.0, 1.0, (n, 3)) * np.asarray(STEP_MINUTES)
    return np.minimum(first_minutes(rng, n, cutoff) + gaps.sum(axis=1),
                      cutoff - 1).astype(np.int32)


def spread_extra_units(rng: np.random.Generator, cells: np.ndarray,
                       extra_per_cell: np.ndarray) -> np.ndarray:
    """Extra units of each cell assigned uniformly to that cell's orders (``cells`` sorted):
    exact, as independent Poisson counts with equal means are multinomial given their sum."""
    if len(cells) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
    uniq, n_orders = cells[first], np.diff(np.r_[first, len(cells)])
    extra = extra_per_cell[uniq]
    owner_first = np.repeat(first, extra)
    owner_n = np.repeat(n_orders, extra)
    owner = owner_first + np.floor(rng.uniform(size=len(owner_first)) * owner_n).astype(np.int64)
    return np.bincount(owner, minlength=len(cells))
