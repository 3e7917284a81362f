"""The documented behaviour of the simulated market: categories, scenes and their effects.

Every number here is ground truth: a household's expected orders of a product on a day is the
product of the factors below (see :mod:`groupbuy_ml.data.simulate.demand`), so a model's learned
effects can be checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCENES: tuple[str, ...] = ("baby", "kids", "fitness", "elderly", "pet")
"""Scene tags of households (a household can carry several)."""

FAMILY_STRUCTURES: tuple[str, ...] = (
    "single",
    "couple",
    "family_with_kids",
    "family_with_baby",
    "elderly",
    "multi_generation",
)

PRICE_SENSITIVITY_BANDS: dict[str, float] = {"low": 0.6, "medium": 1.0, "high": 1.6}
"""Multiplier of a product's price elasticity for households of each band."""

STORE_TYPES: tuple[str, ...] = ("convenience_store", "fruit_shop", "grocery", "home_based")

SUPPLIER_KINDS: dict[str, tuple[int, int]] = {
    "farm": (1, 1),
    "wholesaler": (1, 2),
    "factory": (2, 5),
}
"""Supplier kind -> (min, max) lead time in days."""


@dataclass(frozen=True)
class CategoryProfile:
    """How demand for one product category responds to its drivers.

    Attributes:
        share: fraction of the catalogue in this category.
        price: (low, high) regular price range, CNY.
        cost_fraction: (low, high) unit cost as a fraction of the regular price.
        shelf_life_days: (low, high) shelf life; products with <= 7 days are perishable.
        supplier_kind: a key of :data:`SUPPLIER_KINDS`.
        popularity: relative base rate for a household without scene tags.
        elasticity: (low, high) own-price elasticity (demand ~ price^-elasticity).
        promo_lift: extra multiplier (1 + promo_lift) on promotion days, beyond the price cut.
        weekend_lift: multiplier on Saturday and Sunday.
        holiday_lift: multiplier on public holidays.
        pre_holiday_lift: multiplier on the 3 days before a holiday period.
        temp_slope: log-multiplier per degree C above 20 (negative: more demand when cold).
        rain_lift: multiplier on days with more than 1 mm of rain.
        season_amp: amplitude of the yearly cycle, peaking on day-of-year ``season_peak``.
        season_peak: day of year of the seasonal peak.
        scene_lift: multiplier for households that carry a scene tag.
        basket_qty: mean units per order (>= 1).
        repeat_cycle_days: a household that received the product ``a`` days ago wants it at
            ``min(1, a / cycle)`` of its usual rate (rice bought last week is not needed today);
            1 means no suppression after the day of purchase.
        like_probability: (low, high) range of the product's chance that a household that
            tried it likes it (it then buys it more often; otherwise less).
    """

    share: float
    price: tuple[float, float]
    cost_fraction: tuple[float, float]
    shelf_life_days: tuple[int, int]
    supplier_kind: str
    popularity: float
    elasticity: tuple[float, float]
    promo_lift: float = 0.3
    weekend_lift: float = 1.0
    holiday_lift: float = 1.0
    pre_holiday_lift: float = 1.0
    temp_slope: float = 0.0
    rain_lift: float = 1.0
    season_amp: float = 0.0
    season_peak: int = 196
    scene_lift: dict[str, float] = field(default_factory=dict)
    basket_qty: float = 1.2
    repeat_cycle_days: float = 1.0
    like_probability: tuple[float, float] = (0.45, 0.85)


CATEGORIES: dict[str, CategoryProfile] = {
    "vegetables": CategoryProfile(
        0.16, (2.0, 9.0), (0.55, 0.75), (2, 5), "farm", 3.0, (1.2, 2.2),
        weekend_lift=1.15, pre_holiday_lift=1.3, rain_lift=1.25, basket_qty=1.6,
        scene_lift={"elderly": 1.5, "fitness": 1.3},
        repeat_cycle_days=2,
    ),
    "fruit": CategoryProfile(
        0.12, (5.0, 35.0), (0.5, 0.7), (3, 8), "farm", 2.2, (1.5, 2.8),
        weekend_lift=1.2, holiday_lift=1.3, pre_holiday_lift=1.4, temp_slope=0.02,
        rain_lift=1.1, season_amp=0.35, season_peak=200, basket_qty=1.4,
        scene_lift={"kids": 1.6, "baby": 1.3, "fitness": 1.4},
        repeat_cycle_days=3,
    ),
    "meat": CategoryProfile(
        0.09, (18.0, 65.0), (0.6, 0.8), (2, 4), "farm", 1.6, (1.0, 1.8),
        weekend_lift=1.25, holiday_lift=1.5, pre_holiday_lift=1.8, temp_slope=-0.015,
        rain_lift=1.15, basket_qty=1.2, scene_lift={"fitness": 1.5},
        repeat_cycle_days=3,
    ),
    "seafood": CategoryProfile(
        0.05, (25.0, 90.0), (0.6, 0.8), (1, 3), "wholesaler", 0.8, (1.2, 2.0),
        weekend_lift=1.3, holiday_lift=1.8, pre_holiday_lift=2.2, basket_qty=1.1,
        repeat_cycle_days=5,
    ),
    "dairy": CategoryProfile(
        0.08, (4.0, 25.0), (0.6, 0.75), (7, 21), "factory", 1.8, (0.8, 1.5),
        scene_lift={"baby": 1.8, "kids": 1.7, "fitness": 1.5}, basket_qty=1.5,
        repeat_cycle_days=4,
    ),
    "bakery": CategoryProfile(
        0.06, (4.0, 18.0), (0.4, 0.6), (2, 4), "wholesaler", 1.2, (1.0, 1.8),
        weekend_lift=1.3, scene_lift={"kids": 1.5},
        repeat_cycle_days=2,
    ),
    "baby": CategoryProfile(
        0.06, (30.0, 220.0), (0.6, 0.8), (180, 720), "factory", 0.05, (0.6, 1.2),
        promo_lift=0.5, scene_lift={"baby": 25.0}, basket_qty=1.3,
        repeat_cycle_days=12,
    ),
    "snacks": CategoryProfile(
        0.08, (5.0, 30.0), (0.5, 0.7), (90, 365), "factory", 1.0, (1.2, 2.2),
        promo_lift=0.5, holiday_lift=1.3, scene_lift={"kids": 2.0}, basket_qty=1.5,
        repeat_cycle_days=5,
    ),
    "beverages": CategoryProfile(
        0.07, (3.0, 18.0), (0.45, 0.65), (180, 365), "factory", 1.0, (1.2, 2.0),
        temp_slope=0.05, holiday_lift=1.3, season_amp=0.2, season_peak=205, basket_qty=2.0,
        scene_lift={"fitness": 1.4},
        repeat_cycle_days=4,
    ),
    "frozen": CategoryProfile(
        0.05, (10.0, 45.0), (0.55, 0.75), (90, 365), "factory", 0.6, (1.0, 1.8),
        temp_slope=0.02, pre_holiday_lift=1.5, scene_lift={"kids": 1.3},
        repeat_cycle_days=7,
    ),
    "grain_oil": CategoryProfile(
        0.05, (10.0, 90.0), (0.7, 0.85), (180, 540), "wholesaler", 0.7, (0.8, 1.6),
        pre_holiday_lift=1.4, scene_lift={"elderly": 1.4},
        repeat_cycle_days=20,
    ),
    "household": CategoryProfile(
        0.06, (8.0, 60.0), (0.5, 0.7), (720, 1095), "factory", 0.6, (1.0, 2.0),
        promo_lift=0.6, basket_qty=1.2,
        repeat_cycle_days=25,
    ),
    "pet": CategoryProfile(
        0.03, (15.0, 150.0), (0.55, 0.75), (180, 540), "factory", 0.03, (0.8, 1.5),
        scene_lift={"pet": 30.0},
        repeat_cycle_days=14,
    ),
    "health": CategoryProfile(
        0.04, (20.0, 160.0), (0.4, 0.6), (180, 720), "factory", 0.08, (0.6, 1.2),
        promo_lift=0.4, scene_lift={"fitness": 8.0, "elderly": 6.0},
        repeat_cycle_days=21,
    ),
}

WEEKDAY_LIFT: tuple[float, ...] = (1.0, 0.96, 0.98, 1.0, 1.08, 1.0, 1.0)
"""Platform-wide multiplier by weekday (Monday first); categories add ``weekend_lift``."""

CONVERSION = {"view_to_click": 0.35, "click_to_cart": 0.45, "cart_to_order": 0.7}
"""Funnel conversion rates: orders are a thinning of carts, carts of clicks, clicks of views."""
