"""What each household lived through: repeat cycles, loyalty and its neighbours' purchases.

The rate of household ``h`` for product ``i`` on day ``t`` is its base affinity
(:meth:`~groupbuy_ml.data.simulate.entities.MarketEntities.base_affinity`) times three state
factors, then the day's drivers (:mod:`~groupbuy_ml.data.simulate.demand`):

- **repeat cycle** ``min(1, (t - d) / c_i)`` where ``d`` is the last order day whose delivery
  ``h`` received and ``c_i`` the product's ``repeat_cycle_days`` (rice bought last week is not
  needed today); 1 when never received;
- **loyalty** after the first delivery: ``loyalty_liked`` with the product's
  ``like_probability``, else ``loyalty_disliked``; 1 before (a new product starts cold);
- **neighbours**: ``1 + neighbour_lift * min(n, 3)`` where ``n`` is the number of households in
  ``h``'s building that received ``i`` from yesterday's group buy.

State changes touch few (household, product) pairs a day, so the per-(price band, pickup point,
product) sums of the rates -- the exact Poisson intensity of the pickup point, as sums of
independent Poisson processes are Poisson -- are updated by differences, never recomputed. Each
order is then given to one household of its pickup point with probability proportional to that
household's rate (Poisson superposition), in two exact steps: the price band by its summed rate,
then the household inside the (pickup point, band) block.
"""

from __future__ import annotations

import numpy as np

from groupbuy_ml.data.simulate.catalog import PRICE_SENSITIVITY_BANDS
from groupbuy_ml.data.simulate.config import MarketConfig
from groupbuy_ml.data.simulate.entities import MarketEntities

NEVER = np.int16(-32768)
MAX_NEIGHBOURS = 3


class HouseholdBehaviour:
    """The mutable household state of one simulated city (one object per simulation run)."""

    def __init__(self, entities: MarketEntities, cfg: MarketConfig) -> None:
        households = entities.households
        self.point = households["pickup_point_id"].to_numpy(np.int64)
        self.band = np.asarray(entities.household_band, np.int64)
        self.n_points = len(entities.pickup_points)
        self.n_bands = len(PRICE_SENSITIVITY_BANDS)
        self.n_households = len(households)
        products = entities.products
        self.n_products = len(products)
        self.cycle = products["repeat_cycle_days"].to_numpy(np.float64)
        self.like_probability = products["like_probability"].to_numpy(np.float64)
        self.liked, self.disliked = cfg.loyalty_liked, cfg.loyalty_disliked
        self.neighbour_lift = cfg.neighbour_lift

        block = self.band * self.n_points + self.point  # (B, P) block of each household
        if np.any(np.diff(self.point * self.n_bands + self.band) < 0):
            raise ValueError("households must be sorted by (pickup point, price band)")
        counts = np.bincount(self.point * self.n_bands + self.band,
                             minlength=self.n_points * self.n_bands)
        self.block_start = np.concatenate([[0], np.cumsum(counts)[:-1]]).reshape(
            self.n_points, self.n_bands)
        self.block_count = counts.reshape(self.n_points, self.n_bands)
        self._agg_row = block * self.n_products  # + product id -> flat (B, P, I) index

        order = np.argsort(entities.household_building, kind="stable")
        b_sorted = entities.household_building[order]
        starts = np.flatnonzero(np.r_[True, b_sorted[1:] != b_sorted[:-1]])
        self._mates = order
        first = np.zeros(int(b_sorted.max(initial=-1)) + 1, np.int64)
        size = np.zeros_like(first)
        first[b_sorted[starts]] = starts
        size[b_sorted[starts]] = np.diff(np.r_[starts, len(order)])
        self._building_first = first[entities.household_building]
        self._building_size = size[entities.household_building]

        self.base = entities.base_affinity(cfg.taste_strength)  # (I, H)
        self.weight = self.base.copy()
        self.loyal = np.ones_like(self.base)
        self.last = np.full(self.base.shape, NEVER, np.int16)
        self.neighbours = np.zeros(self.base.shape, np.uint8)
        self.aggregate = self._sum_blocks(self.weight)
        empty = np.zeros(0, np.int64)
        self._recent = empty  # flat (i * H + h) pairs still inside their repeat cycle
        self._boosted = empty  # pairs with a neighbour boost today
        self._received = empty  # pairs received since the last begin_day
        self._cum: np.ndarray | None = None  # block cumulative rates, valid until begin_day
        self._cum_key = 0
        block_start_flat = self.block_start.ravel()
        self._block_first = block_start_flat[self.point * self.n_bands + self.band]

    # -- intensities ------------------------------------------------------------------------
    def _sum_blocks(self, weight: np.ndarray) -> np.ndarray:
        """(B, P, I) float64 sums of ``weight`` (I, H) over each (band, point) block."""
        flat = np.zeros((self.n_bands * self.n_points, self.n_products))
        block = self.band * self.n_points + self.point
        for i in range(self.n_products):
            flat[:, i] = np.bincount(block, weights=weight[i], minlength=flat.shape[0])
        return flat.reshape(self.n_bands, self.n_points, self.n_products)

    def feed_correction(self, lift: np.ndarray | None) -> np.ndarray | None:
        """(B, P, I) extra summed rate from a per-household exposure ``lift`` (I, H), or None."""
        if lift is None:
            return None
        i, h = np.nonzero(lift != 1.0)
        extra = self.weight[i, h].astype(np.float64) * (lift[i, h] - 1.0)
        size = self.n_bands * self.n_points * self.n_products
        out = np.bincount(self._agg_row[h] + i, weights=extra, minlength=size)
        return out.reshape(self.n_bands, self.n_points, self.n_products)

    # -- the day's state --------------------------------------------------------------------
    def begin_day(self, t: int) -> None:
        """Move the state to the start of day ``t`` (after yesterday's deliveries)."""
        self._cum = None
        pairs = [self._recent, self._boosted, self._received]
        if len(self._boosted):
            i, h = np.divmod(self._boosted, self.n_households)
            self.neighbours[i, h] = 0
        self._boosted = self._neighbour_pairs(self._received)
        if len(self._boosted):
            i, h = np.divmod(self._boosted, self.n_households)
            np.add.at(self.neighbours, (i, h), 1)
            self._boosted = _unique(self._boosted)
            pairs.append(self._boosted)
        self._received = np.zeros(0, np.int64)
        touched = _unique(np.concatenate(pairs))
        if len(touched):
            self._refresh(touched, t)
            i, h = np.divmod(self._recent, self.n_households)
            age = t - self.last[i, h].astype(np.int64)
            self._recent = self._recent[age < self.cycle[i]]

    def _neighbour_pairs(self, received: np.ndarray) -> np.ndarray:
        """Flat pairs (i, mate) for every building mate of each household that received ``i``."""
        if not len(received) or self.neighbour_lift == 0:
            return np.zeros(0, np.int64)
        i, h = np.divmod(received, self.n_households)
        size = self._building_size[h]
        offset = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
        mate = self._mates[np.repeat(self._building_first[h], size) + offset]
        item = np.repeat(i, size)
        keep = mate != np.repeat(h, size)
        return item[keep] * self.n_households + mate[keep]

    def _refresh(self, flat: np.ndarray, t: int) -> None:
        """Recompute the rate of the (unique) flat pairs and update the block sums."""
        i, h = np.divmod(flat, self.n_households)
        age = t - self.last[i, h].astype(np.int64)
        recency = np.where(self.last[i, h] == NEVER, 1.0,
                           np.minimum(1.0, np.maximum(age, 0) / self.cycle[i]))
        boost = 1.0 + self.neighbour_lift * np.minimum(self.neighbours[i, h], MAX_NEIGHBOURS)
        new = (self.base[i, h] * self.loyal[i, h] * recency * boost).astype(np.float32)
        delta = new.astype(np.float64) - self.weight[i, h]
        self.weight[i, h] = new
        size = self.n_bands * self.n_points * self.n_products
        self.aggregate += np.bincount(self._agg_row[h] + i, weights=delta,
                                      minlength=size).reshape(self.aggregate.shape)

    def receive(self, product: np.ndarray, household: np.ndarray, t: int,
                rng: np.random.Generator) -> None:
        """Households received these products from day ``t``'s group buys (one row per order)."""
        if not len(product):
            return
        flat = _unique(np.asarray(product, np.int64) * self.n_households
                         + np.asarray(household, np.int64))
        i, h = np.divmod(flat, self.n_households)
        first = self.last[i, h] == NEVER
        liked = rng.uniform(size=len(flat)) < self.like_probability[i]
        self.loyal[i[first], h[first]] = np.where(liked[first], self.liked, self.disliked)
        self.last[i, h] = t
        cycling = self.cycle[i] > 1.0
        self._recent = _unique(np.concatenate([self._recent, flat[cycling]]))
        self._received = np.concatenate([self._received, flat])

    # -- who ordered ------------------------------------------------------------------------
    def _block_cumsum(self, lift: np.ndarray | None) -> np.ndarray:
        """(I, H) float32 cumulative rate inside each (pickup point, band) block."""
        key = id(lift)
        if self._cum is not None and self._cum_key == key:
            return self._cum
        n_i, n_h = self.weight.shape
        out = np.empty((n_i, n_h), np.float32)
        first = self._block_first  # position of each household's block start
        for lo in range(0, n_i, 32):
            w = self.weight[lo:lo + 32].astype(np.float64)
            if lift is not None:
                w *= lift[lo:lo + 32]
            cum = np.cumsum(w, axis=1)
            before = np.where(first > 0, cum[:, np.maximum(first - 1, 0)], 0.0)
            out[lo:lo + 32] = cum - before
        self._cum, self._cum_key = out, key
        return out

    def assign(self, point: np.ndarray, product: np.ndarray, band_rate: np.ndarray,
               rng: np.random.Generator, lift: np.ndarray | None = None) -> np.ndarray:
        """The household of each order instance at ``(point[k], product[k])``.

        Args:
            band_rate: (B, P, I) the day's intensity per price band (sums over the blocks).
            lift: optional (I, H) per-household exposure multiplier used for that intensity.
        """
        n = len(point)
        if n == 0:
            return np.zeros(0, np.int64)
        cum_b = np.cumsum(band_rate[:, point, product], axis=0)  # (B, n)
        u = rng.uniform(size=n) * cum_b[-1]
        band = np.minimum((cum_b <= u[None, :]).sum(axis=0), self.n_bands - 1)
        start, count = self.block_start[point, band], self.block_count[point, band]
        cum = self._block_cumsum(lift)
        last = start + np.maximum(count, 1) - 1
        target = rng.uniform(size=n) * cum[product, last]
        lo, hi = start.copy(), last.copy()
        for _ in range(int(np.ceil(np.log2(max(int(count.max()), 1)))) + 1):
            mid = (lo + hi) // 2
            right = cum[product, mid] <= target
            lo = np.where(right, mid + 1, lo)
            hi = np.where(right, hi, mid)
        return np.minimum(lo, last)


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted unique values (numpy 2.4's hash-based ``np.unique`` is ~100x slower here)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def feed_lift(ranking: np.ndarray, n_products: int, lift: float) -> np.ndarray:
    """Exposure multiplier per product for one ranked feed: slot ``r`` gets
    ``1 + lift / log2(r + 2)``; product ids < 0 are empty slots."""
    out = np.ones(n_products)
    ranking = np.asarray(ranking, np.int64)
    slots = np.flatnonzero(ranking >= 0)
    out[ranking[slots]] = 1.0 + lift / np.log2(slots + 2.0)
    return out


def household_feed_lift(ranking: np.ndarray, n_products: int, lift: float) -> np.ndarray:
    """(I, H) float32 exposure multipliers from one ranked feed per household (H, K)."""
    ranking = np.asarray(ranking, np.int64)
    n_h, k = ranking.shape
    out = np.ones((n_products, n_h), np.float32)
    h, r = np.nonzero(ranking >= 0)
    out[ranking[h, r], h] = (1.0 + lift / np.log2(r + 2.0)).astype(np.float32)
    return out


def popularity_ranking(score: np.ndarray, live: np.ndarray, slots: int) -> np.ndarray:
    """The ``slots`` live products with the highest ``score`` (ties by id), -1 padded."""
    order = np.lexsort((np.arange(len(score)), -np.asarray(score, float)))
    order = order[np.asarray(live, bool)[order]][:slots]
    return np.concatenate([order, np.full(slots - len(order), -1)]).astype(np.int64)


def leader_picks(rng: np.random.Generator, leader_taste: np.ndarray, product_taste: np.ndarray,
                 offered: np.ndarray, promo: np.ndarray, k: int) -> np.ndarray:
    """(P, I) bool: the ``k`` products each leader posts today, drawn without replacement with
    weight ``exp(leader taste . v_i) * (3 if on promotion)`` among the offered products
    (Gumbel top-k)."""
    n_p, n_i = offered.shape
    if k == 0 or n_i == 0:
        return np.zeros((n_p, n_i), bool)
    score = leader_taste @ product_taste.T if product_taste.shape[1] else np.zeros((n_p, n_i))
    score = score + np.log(3.0) * np.asarray(promo, bool)[None, :]
    score = score + rng.gumbel(size=(n_p, n_i))
    score = np.where(offered, score, -np.inf)
    k = min(k, n_i)
    top = np.argpartition(-score, k - 1, axis=1)[:, :k]
    out = np.zeros((n_p, n_i), bool)
    np.put_along_axis(out, top, True, axis=1)
    return out & offered
