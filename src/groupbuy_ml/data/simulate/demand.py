"""The ground-truth demand model of the simulated market.

Household ``h`` (at pickup point ``p``, price-sensitivity band ``b``, scene tags ``tag_h``) places
orders for product ``i`` on day ``t`` as a Poisson process with rate

    lambda_hit = a_h * exp(tag_h . L_i) * base_i * (price_it / list_price_i) ** (-eps_i * beta_b)
                 * D_it * R_pt

with ``a_h`` the household's activity, ``L_i`` the product's scene log-lifts, ``eps_i`` its price
elasticity, ``beta_b`` the band's multiplier (:data:`~.catalog.PRICE_SENSITIVITY_BANDS`),
``D_it`` the product's day factor (weekday, weekend, holiday, pre-holiday, temperature, rain,
season, promotion lift, platform growth of 15% a year and a launch ramp of 1 - 0.5 exp(-age/14))
and ``R_pt`` the pickup point's ramp after opening (1 - 0.6 exp(-age/21); 0 before it opens).

Sums of independent Poisson processes are Poisson, so the pickup point's rate is the exact sum
over its households; it is computed from the ``(point, band, tag combination)`` groups, never per
household. :meth:`DemandModel.intensity` returns it per band, the ground truth that
``daily_demand.expected_units`` reports (times the mean basket size).
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

    group_weight: np.ndarray  # (P, B, C) summed activity of households per tag combination
    combo_lift: np.ndarray  # (C, I) exp(combo . L_i)
    band_beta: np.ndarray  # (B,)
    elasticity: np.ndarray  # (I,)
    price_ratio: np.ndarray  # (T, I) price / list price
    day_factor: np.ndarray  # (T, I) base_i * D_it
    point_factor: np.ndarray  # (T, P) R_pt
    basket_qty: np.ndarray  # (I,)
    min_participants: np.ndarray  # (I,) city-wide participants for a group buy to form
    combos: np.ndarray  # (C, S) the tag combinations

    @property
    def affinity(self) -> np.ndarray:
        """(B, P, I): summed household affinity per band, pickup point and product."""
        return np.einsum("pbc,ci->bpi", self.group_weight, self.combo_lift)

    def band_price_factor(self, t: int) -> np.ndarray:
        """(B, I): (price / list price) ** (-elasticity * beta_b) on day ``t``."""
        return self.price_ratio[t][None, :] ** (-self.elasticity[None, :] * self.band_beta[:, None])

    def intensity(self, t: int, affinity: np.ndarray | None = None) -> np.ndarray:
        """(B, P, I) expected orders (participants) on day ``t`` per band."""
        aff = self.affinity if affinity is None else affinity
        return (aff * (self.band_price_factor(t) * self.day_factor[t])[:, None, :]
                * self.point_factor[t][None, :, None])


def build_demand_model(
    entities: MarketEntities, calendar: pd.DataFrame, prices: pd.DataFrame,
    rng: np.random.Generator,
) -> DemandModel:
    """Assemble the ground-truth arrays from the entities, calendar and price table."""
    products, points = entities.products, entities.pickup_points
    n_t, n_i, n_p = len(calendar), len(products), len(points)
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

    combos, combo_of = np.unique(entities.household_tags, axis=0, return_inverse=True)
    combo_of = combo_of.ravel()
    n_b = len(PRICE_SENSITIVITY_BANDS)
    group_weight = np.zeros((n_p, n_b, len(combos)))
    point_of = entities.households["pickup_point_id"].to_numpy()
    np.add.at(group_weight, (point_of, entities.household_band, combo_of),
              entities.household_activity)
    combo_lift = np.exp(combos @ entities.scene_log_lift)
    base_participants = (np.einsum("pbc,ci->i", group_weight, combo_lift)
                         * products["base_rate"].to_numpy())
    min_participants = np.maximum(2, np.round(rng.uniform(0.25, 0.6, n_i) * base_participants))
    return DemandModel(
        group_weight=group_weight, combo_lift=combo_lift,
        band_beta=np.array(list(PRICE_SENSITIVITY_BANDS.values())),
        elasticity=products["elasticity"].to_numpy(),
        price_ratio=price / products["base_price"].to_numpy()[None, :],
        day_factor=day_factor, point_factor=point_factor,
        basket_qty=products["basket_qty"].to_numpy(),
        min_participants=min_participants.astype(np.int64), combos=combos,
    )
