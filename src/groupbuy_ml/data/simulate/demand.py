"""The ground-truth demand model of the simulated market.

Household ``h`` (at pickup point ``p``, price-sensitivity band ``b``) places orders for product
``i`` on day ``t`` as a Poisson process with rate

    lambda_hit = w_hit * (price_pit / list_price_i) ** (-eps_i * beta_b) * D_it * R_pt
                 * G_pit * E_hit

with ``w_hit`` the household's affinity as its history left it (base affinity from activity,
scene tags and individual taste, times repeat cycle, loyalty and neighbours:
:mod:`~groupbuy_ml.data.simulate.behaviour`), ``eps_i`` the product's price elasticity,
``beta_b`` the band's multiplier (:data:`~.catalog.PRICE_SENSITIVITY_BANDS`), ``D_it`` the
product's day factor (base rate, weekday, weekend, holiday, pre-holiday, temperature, rain,
season, promotion lift, platform growth of 15% a year and a launch ramp of
``1 - 0.5 exp(-age/14)``), ``R_pt`` the pickup point's ramp after opening (``1 - 0.6
exp(-age/21)``; 0 before it opens), ``G_pit`` the leader's post (``1 + leader_pick_lift *
leader_effect_p`` on the products the leader posts that day) and ``E_hit`` the feed slot the
product holds for the household (``1 + exposure_lift / log2(slot + 2)`` in the first
``exposure_slots``).

Sums of independent Poisson processes are Poisson, so the pickup point's rate is the exact sum
over its households; :meth:`DemandModel.intensity` returns it per band from the behaviour's block
sums, the ground truth that ``daily_demand.expected_units`` reports (times the mean basket size).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.catalog import CATEGORIES, PRICE_SENSITIVITY_BANDS, WEEKDAY_LIFT
from groupbuy_ml.data.simulate.entities import MarketEntities

GROWTH_PER_YEAR = 0.15


@dataclass(frozen=True)
class DemandModel:
    """Arrays that give the Poisson intensity of every (band, pickup point, product) on any day."""

    band_beta: np.ndarray  # (B,)
    elasticity: np.ndarray  # (I,)
    price_ratio: np.ndarray  # (T, I) scheduled price / list price
    day_factor: np.ndarray  # (T, I) base_i * D_it
    point_factor: np.ndarray  # (T, P) R_pt
    basket_qty: np.ndarray  # (I,)
    min_participants: np.ndarray  # (I,) city-wide participants for a group buy to form

    def band_price_factor(self, t: int) -> np.ndarray:
        """(B, I): (price / list price) ** (-elasticity * beta_b) at the scheduled prices."""
        return self.price_factor(self.price_ratio[t])

    def price_factor(self, ratio: np.ndarray) -> np.ndarray:
        """``(price / list price) ** (-elasticity * beta_b)`` for a ratio of shape (I,) -> (B, I)
        or (P, I) -> (B, P, I)."""
        ratio = np.asarray(ratio, np.float64)
        beta = self.band_beta.reshape((-1,) + (1,) * ratio.ndim)
        return ratio[None, ...] ** (-self.elasticity * beta)

    def intensity(self, t: int, affinity: np.ndarray, cell: np.ndarray | None = None,
                  ratio: np.ndarray | None = None) -> np.ndarray:
        """(B, P, I) expected orders (participants) on day ``t`` per band.

        Args:
            affinity: (B, P, I) summed household rates (the behaviour's block sums, plus any
                per-household exposure correction).
            cell: optional (P, I) factor per pickup point and product (leader posts, shared
                exposure, assortment: 0 where not offered, scenario shocks).
            ratio: price / list price, (I,) or (P, I); the schedule's when None.
        """
        price = self.band_price_factor(t) if ratio is None else self.price_factor(ratio)
        if price.ndim == 2:
            price = price[:, None, :]
        lam = affinity * price * (self.day_factor[t][None, None, :]
                                  * self.point_factor[t][None, :, None])
        return lam if cell is None else lam * cell[None, :, :]


def build_demand_model(
    entities: MarketEntities, calendar: pd.DataFrame, prices: pd.DataFrame,
    rng: np.random.Generator, affinity: np.ndarray,
) -> DemandModel:
    """Assemble the ground-truth arrays from the entities, calendar and price table.

    ``affinity`` is the (B, P, I) sum of the households' base affinities; it sets the group-buy
    thresholds at 25-60% of a product's expected participants on a day with every driver at 1.
    """
    products = entities.products
    points = entities.pickup_points
    n_t, n_i = len(calendar), len(products)
    prof = [CATEGORIES[c] for c in products["category"]]

    def arr(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in prof], dtype=float)

    price = prices["price"].to_numpy().reshape(n_t, n_i)
    promo = prices["promo"].to_numpy().reshape(n_t, n_i)
    t = np.arange(n_t)[:, None]
    doy = calendar["date"].dt.dayofyear.to_numpy()[:, None]
    weekday = np.asarray(WEEKDAY_LIFT)[calendar["weekday"].to_numpy()][:, None]
    flag = {c: calendar[c].to_numpy()[:, None].astype(float)
            for c in ("is_weekend", "is_holiday", "pre_holiday")}
    rainy = (calendar["rain_mm"].to_numpy() > 1.0)[:, None].astype(float)
    temp = calendar["temperature_c"].to_numpy()[:, None]
    start = pd.Timestamp(calendar["date"].iloc[0])
    launch = ((products["launch_date"] - start).dt.days.to_numpy())[None, :]
    age = t - launch
    day_factor = (
        products["base_rate"].to_numpy()[None, :] * weekday
        * arr("weekend_lift") ** flag["is_weekend"] * arr("holiday_lift") ** flag["is_holiday"]
        * arr("pre_holiday_lift") ** flag["pre_holiday"]
        * np.exp(arr("temp_slope") * (temp - 20.0)) * arr("rain_lift") ** rainy
        * (1.0 + arr("season_amp") * np.cos(2 * np.pi * (doy - arr("season_peak")) / 365.25))
        * (1.0 + arr("promo_lift") * promo)
        * (1.0 + GROWTH_PER_YEAR * t / 365.0)
        * np.where(age >= 0, 1.0 - 0.5 * np.exp(-np.maximum(age, 0) / 14.0), 0.0)
    )
    opened = ((points["opened_on"] - start).dt.days.to_numpy())[None, :]
    p_age = t - opened
    point_factor = np.where(p_age >= 0, 1.0 - 0.6 * np.exp(-np.maximum(p_age, 0) / 21.0), 0.0)
    base_participants = affinity.sum(axis=(0, 1)) * products["base_rate"].to_numpy()
    min_participants = np.maximum(2, np.round(rng.uniform(0.25, 0.6, n_i) * base_participants))
    return DemandModel(
        band_beta=np.array(list(PRICE_SENSITIVITY_BANDS.values())),
        elasticity=products["elasticity"].to_numpy(),
        price_ratio=price / products["base_price"].to_numpy()[None, :],
        day_factor=day_factor, point_factor=point_factor,
        basket_qty=products["basket_qty"].to_numpy(),
        min_participants=min_participants.astype(np.int64),
    )
