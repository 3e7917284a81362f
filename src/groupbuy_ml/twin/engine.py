"""The closed loop, one order day at a time (times of day as in a community group-buying city).

**Morning of day t** (05:00, vans leave the warehouse): shipments due today arrive (supplier
goods for pickup points cross-dock at the warehouse and ride the vans; warehouse orders stay
there) together with yesterday's warehouse transfers; lots past their shelf life are written off
(waste); households collect yesterday's formed group-buy orders from their pickup point, oldest
units first -- an order the point cannot fill (a late supplier) is short-shipped and cancelled.
**Then the platform decides**: the policies see the morning's :class:`~.state.PlatformState`.
**During the day** households order against what the pickup point will hold tomorrow morning
(fresh stock on hand plus the goods expected on tomorrow's vans): first come, first served; once
a product is sold out at a point, later demand there is lost and recorded as truth. **At 23:00**
each group buy forms if it reached its threshold; failed groups are cancelled and their units
stay in stock.

During the warm-up (``closed=False``) the same world runs open loop: the default decisions and
no stock limit, exactly the open-loop generator (:mod:`groupbuy_ml.data.simulate.market`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from groupbuy_ml.data.simulate.sampler import group_formed
from groupbuy_ml.data.simulate.world import DayCounts, DayIntensity, DayOrders, MarketWorld
from groupbuy_ml.twin.history import RecordBook
from groupbuy_ml.twin.inventory import LotStock, split_lots
from groupbuy_ml.twin.policy_set import PolicySet
from groupbuy_ml.twin.scenarios import ScenarioEffects
from groupbuy_ml.twin.shipments import Shipments
from groupbuy_ml.twin.state import Decisions, DemandOracle, PlatformState, frozen
from groupbuy_ml.twin.state_builder import StateBuilder
from groupbuy_ml.twin.validation import as_array, check_exposure, check_order

UNLIMITED = np.int64(2**40)


@dataclass
class Morning:
    """What happened on the morning of a day (all (P, I) at pickup points unless noted)."""

    arrived: np.ndarray  # supplier goods that reached pickup points
    arrived_warehouse: np.ndarray  # (I,)
    transferred: np.ndarray  # warehouse -> pickup points
    spoiled: np.ndarray
    spoiled_warehouse: np.ndarray  # (I,)
    handed_out: np.ndarray  # yesterday's orders collected
    short_shipped: np.ndarray  # yesterday's orders the point could not fill
    van_units: np.ndarray  # (P,) units the vans brought to each pickup point


@dataclass
class DayOutcome:
    """One order day: decisions, demand (truth) and what the platform accepted."""

    t: int
    closed: bool
    morning: Morning
    decisions: Decisions
    intensity: DayIntensity
    counts: DayCounts
    orders: DayOrders
    accepted_qty: np.ndarray  # per order instance
    available: np.ndarray  # (P, I) units households could order
    demand: np.ndarray  # (P, I) units asked for (truth)
    accepted: np.ndarray  # (P, I)
    participants: np.ndarray  # (P, I) orders accepted
    formed: np.ndarray  # (I,) or (P, I)
    reserved: np.ndarray  # (P, I) accepted units of formed groups (collected tomorrow)
    stock_end: np.ndarray  # (P, I) on hand after the morning
    warehouse_end: np.ndarray  # (I,)
    stock_value: float  # at cost, pickup points + warehouse
    transfers: np.ndarray  # (P, I) on tomorrow's vans
    ordered_point: np.ndarray  # (P, I) supplier units placed today for pickup points
    ordered_warehouse: np.ndarray  # (I,)


class ClosedLoop:
    """The twin's mutable state and its day step."""

    def __init__(self, world: MarketWorld, policies: PolicySet, effects: ScenarioEffects,
                 builder: StateBuilder, records: RecordBook, max_lots: int = 16,
                 oracle: bool = False) -> None:
        self.world, self.policies, self.effects, self.builder = world, policies, effects, builder
        self.records = records
        n_p, n_i = world.shape
        shelf = world.products["shelf_life_days"].to_numpy()
        self.points = LotStock(n_p, shelf, max_lots)
        self.warehouse = LotStock(1, shelf, max_lots)
        self.lead = builder.lead_time
        span = int(self.lead.max(initial=1) + effects.scenario.max_delay + 2)
        self.shipments = Shipments(n_p, n_i, span)
        self.in_transfer = (np.zeros((n_p, n_i, max_lots), np.int64),
                            np.full((n_p, n_i, max_lots), -1, np.int64))
        self.unit_cost = world.products["unit_cost"].to_numpy(np.float64)
        self.oracle = oracle
        self._yesterday: DayOutcome | None = None

    # -- morning ----------------------------------------------------------------------------
    def morning(self, t: int, closed: bool) -> Morning:
        n_p, n_i = self.world.shape
        zeros = np.zeros((n_p, n_i), np.int64)
        arrived, arrived_wh = self.shipments.arrivals(t)
        self.points.add(arrived, t)
        self.warehouse.add(arrived_wh[None, :], t)
        moved_units, moved_days = self.in_transfer
        transferred = moved_units.sum(axis=2)
        if transferred.any():
            self.points.add_lots(moved_units, moved_days)
        self.in_transfer = (np.zeros_like(moved_units), np.full_like(moved_days, -1))
        spoiled = self.points.expire(t)
        spoiled_wh = self.warehouse.expire(t)[0]
        handed, short = zeros, zeros
        y = self._yesterday
        if y is not None:
            if y.closed:
                handed = self.points.take(y.reserved)
                short = y.reserved - handed
            else:
                handed = y.reserved
            self._deliver(y, handed)
        van = (arrived + transferred).sum(axis=1)
        return Morning(arrived, arrived_wh, transferred, spoiled, spoiled_wh, handed, short, van)

    def record_yesterday(self, morning: Morning) -> None:
        """Yesterday's outcome into the platform's records (its deliveries are known now)."""
        y = self._yesterday
        if y is None:
            return
        self.records.record(
            y.t, y.formed, accepted=y.accepted, delivered=morning.handed_out,
            sold_out=(y.accepted >= y.available) if y.closed
            else np.zeros_like(y.accepted, bool),
            offered=y.decisions.offered, price=y.decisions.price)

    def settle(self, t: int) -> Morning:
        """The morning after the last order day: collect its orders (no new day)."""
        morning = self.morning(t, True)
        self.record_yesterday(morning)
        self._yesterday = None
        return morning

    def _deliver(self, y: DayOutcome, handed: np.ndarray) -> None:
        """Households whose accepted order of yesterday was collected update their state."""
        o = y.orders
        formed = np.asarray(y.formed)
        ok = formed[o.product] if formed.ndim == 1 else formed[o.point, o.product]
        ok = ok & (y.accepted_qty > 0)
        if (handed < y.reserved).any():
            n_i = self.world.shape[1]
            cell = o.point * n_i + o.product
            qty = np.where(ok, y.accepted_qty, 0)
            cum = np.cumsum(qty)
            first = np.searchsorted(cell, cell, side="left")
            before = cum - qty - np.where(first > 0, cum[np.maximum(first - 1, 0)], 0)
            ok &= before + qty <= handed.ravel()[cell]
        self.world.receive(y.t, o.product[ok], o.household[ok])

    # -- decisions --------------------------------------------------------------------------
    def decide(self, t: int, closed: bool) -> tuple[Decisions, PlatformState]:
        n_p, n_i = self.world.shape
        pol = self.policies
        state = self.builder.build(t, self.points, self.warehouse, self.shipments)
        chosen = pol if closed else pol.defaults()
        offered = as_array(chosen.assortment.offer(state), (n_p, n_i), _name(chosen.assortment),
                           "offer", minimum=None) != 0
        offered &= state.live
        state = replace(state, today=Decisions(offered=frozen(offered)))
        price = as_array(chosen.pricing.price(state), (n_p, n_i), _name(chosen.pricing),
                         "price", minimum=0.0, strictly=True)
        state = replace(state, today=replace(state.today, price=frozen(price)))
        raw = np.asarray(chosen.threshold.threshold(state))
        shape = (n_p, n_i) if raw.ndim == 2 else (n_i,)
        threshold = as_array(raw, shape, _name(chosen.threshold), "threshold", integer=True,
                             minimum=1.0)
        state = replace(state, today=replace(state.today, threshold=frozen(threshold)))
        exposure = chosen.exposure.rank(state)
        check_exposure(exposure, state.n_households, n_i, _name(chosen.exposure))
        state = replace(state, today=replace(state.today, exposure=exposure))
        if self.oracle and closed:
            today, cache = state.today, {}

            def day(d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
                if d not in cache:
                    cache[d] = tuple(frozen(a) for a in self._oracle_demand(t, d, today))
                return cache[d]

            state = replace(state, oracle=DemandOracle(lambda d: day(d)[0],
                                                       lambda d: day(d)[1:]))
        return state.today, state

    def _oracle_demand(self, t: int, d: int, today: Decisions
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Units households ask for on day ``d`` under today's decisions and state, with their
        true mean and variance (participants ~ Poisson(rate), 1 + Poisson(b - 1) units each)."""
        world = self.world
        if not t <= d < world.cfg.n_days:
            raise ValueError(f"the oracle knows order days {t}..{world.cfg.n_days - 1}; got {d}")
        price = today.price * (world.price[d] / world.price[t])[None, :]
        day = world.intensity(d, today.offered, price, np.asarray(today.exposure.ranking),
                              shock=self.effects.demand[d][None, :])
        counts = world.sample_counts(day)
        rate, basket = day.rate, world.model.basket_qty[None, :]
        return (counts.orders + counts.extra_units, rate * basket,
                rate * (basket**2 + basket - 1.0))

    def preflight(self) -> None:
        """Call every policy once on a first-morning state and check what it returns, before
        any day is simulated (on copies, so stateful policies start fresh)."""
        import copy

        n_p, n_i = self.world.shape
        saved = self.policies
        self.policies = copy.deepcopy(saved)
        try:
            _, state = self.decide(0, closed=True)
            ordering = self.policies.ordering
            check_order(ordering.order(state), n_p, n_i, _name(ordering))
        finally:
            self.policies = saved

    # -- the day ----------------------------------------------------------------------------
    def step(self, t: int, closed: bool) -> DayOutcome:
        """Simulate order day ``t`` (closed loop with stock, or the open-loop warm-up)."""
        world = self.world
        n_p, n_i = world.shape
        morning = self.morning(t, closed)
        self.record_yesterday(morning)
        world.begin_day(t)
        decisions, state = self.decide(t, closed)
        ordered_point = np.zeros((n_p, n_i), np.int64)
        ordered_wh = np.zeros(n_i, np.int64)
        transfers = np.zeros((n_p, n_i), np.int64)
        if closed:
            ordering = self.policies.ordering
            ordered_point, ordered_wh, wanted = check_order(ordering.order(state), n_p, n_i,
                                                            _name(ordering))
            delay = self.effects.delay_for(t, self.lead)
            self.shipments.place(t, ordered_point, ordered_wh, self.lead, delay)
            transfers = self._transfer(wanted)
        day = world.intensity(t, decisions.offered, decisions.price,
                              np.asarray(decisions.exposure.ranking),
                              shock=self.effects.demand[t][None, :])
        counts = world.sample_counts(day)
        orders = world.sample_orders(day, counts)
        if closed:
            available = (self.points.fresh_on(t + 1) + self.shipments.expected_on(t, t + 1)
                         + transfers)
        else:
            available = np.full((n_p, n_i), UNLIMITED)
        accepted_qty = accept_first_come(orders, available, n_i)
        demand = counts.orders + counts.extra_units
        accepted = np.zeros(n_p * n_i, np.int64)
        np.add.at(accepted, orders.point * n_i + orders.product, accepted_qty)
        accepted = accepted.reshape(n_p, n_i)
        participants = np.zeros(n_p * n_i, np.int64)
        np.add.at(participants, orders.point * n_i + orders.product, accepted_qty > 0)
        participants = participants.reshape(n_p, n_i)
        formed = group_formed(participants, decisions.threshold)
        formed_cells = formed[None, :] if formed.ndim == 1 else formed
        reserved = np.where(formed_cells, accepted, 0)
        stock_end = self.points.on_hand
        out = DayOutcome(
            t=t, closed=closed, morning=morning, decisions=decisions, intensity=day,
            counts=counts, orders=orders, accepted_qty=accepted_qty, available=available,
            demand=demand, accepted=accepted, participants=participants, formed=formed,
            reserved=reserved, stock_end=stock_end, warehouse_end=self.warehouse.on_hand[0],
            stock_value=self.points.value(self.unit_cost) + self.warehouse.value(self.unit_cost)
            + float((self.in_transfer[0].sum(axis=2) * self.unit_cost).sum()),
            transfers=transfers, ordered_point=ordered_point, ordered_warehouse=ordered_wh)
        self._yesterday = out
        return out

    def _transfer(self, wanted: np.ndarray) -> np.ndarray:
        """Take the wanted units from the warehouse (as far as it holds them) onto the vans."""
        if not wanted.any():
            return np.zeros_like(wanted)
        have = self.warehouse.on_hand[0]
        total = wanted.sum(axis=0)
        scale = np.where(total > have, have / np.maximum(total, 1), 1.0)
        share = np.floor(wanted * scale[None, :]).astype(np.int64)
        taken, arrived = self.warehouse.take_lots(share.sum(axis=0)[None, :])
        units, days = split_lots(taken, arrived, share)
        self.in_transfer = (units, days)
        return share


def accept_first_come(orders: DayOrders, available: np.ndarray, n_products: int) -> np.ndarray:
    """Units accepted per order (orders sorted by cell then minute): first come, first served,
    the last order in stock gets what is left."""
    if not len(orders.point):
        return np.zeros(0, np.int64)
    cell = orders.point * n_products + orders.product
    qty = orders.quantity.astype(np.int64)
    cum = np.cumsum(qty)
    first = np.searchsorted(cell, cell, side="left")
    before = cum - qty - np.where(first > 0, cum[np.maximum(first - 1, 0)], 0)
    return np.clip(available.ravel()[cell] - before, 0, qty)


def _name(policy: object) -> str:
    return type(policy).__name__
