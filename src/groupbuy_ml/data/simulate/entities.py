"""Static entities of a simulated city: warehouse, pickup points, suppliers, products, households.

Households are the unit of behaviour. A household ``h`` carries an activity level ``a_h``
(loyalty x sqrt(size / 2.5) x its pickup point's leader effect), scene tags, a price-sensitivity
band, a building (its neighbours) and an individual taste ``u_h`` (``taste_rank`` dimensions).
Products carry a unit attribute direction ``v_i`` (near their category's direction, so tastes
carry over to new products of a category). The base affinity of ``h`` for ``i`` is

    a_h * prod_s lift[s, i] ** tag[h, s] * exp(u_h . v_i - taste_strength**2 / 2)

(``u_h ~ N(0, taste_strength**2 I)``: the taste factor has mean 1 over households, so two
households with the same tags want different things without changing the city's level); the
behaviour model (:mod:`groupbuy_ml.data.simulate.behaviour`) multiplies it by what each household
lived through and the demand model (:mod:`groupbuy_ml.data.simulate.demand`) by the day's drivers.
Tastes, buildings and the products' like probabilities come from their own random stream, so the
other tables do not depend on ``taste_rank``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.catalog import (
    CATEGORIES,
    FAMILY_STRUCTURES,
    PRICE_SENSITIVITY_BANDS,
    SCENES,
    STORE_TYPES,
    SUPPLIER_KINDS,
)
from groupbuy_ml.data.simulate.config import MarketConfig
from groupbuy_ml.data.simulate.geography import points_in_disc, to_lat_lon

# Family structure mix and the scene tags each structure tends to carry.
_FAMILY_P = np.array([0.18, 0.2, 0.24, 0.12, 0.14, 0.12])
_SCENE_P = {  # P(tag | family structure), rows follow FAMILY_STRUCTURES
    "baby": [0.0, 0.03, 0.05, 1.0, 0.0, 0.35],
    "kids": [0.0, 0.0, 1.0, 0.3, 0.0, 0.6],
    "fitness": [0.3, 0.25, 0.12, 0.08, 0.05, 0.08],
    "elderly": [0.02, 0.05, 0.05, 0.05, 1.0, 0.9],
    "pet": [0.2, 0.22, 0.18, 0.08, 0.15, 0.12],
}
_SIZE = {"single": 1, "couple": 2, "family_with_kids": 4, "family_with_baby": 3, "elderly": 2,
         "multi_generation": 5}


@dataclass(frozen=True)
class MarketEntities:
    """The static tables plus the latent arrays the demand model needs."""

    warehouses: pd.DataFrame
    communities: pd.DataFrame
    pickup_points: pd.DataFrame
    suppliers: pd.DataFrame
    products: pd.DataFrame
    product_scenes: pd.DataFrame
    households: pd.DataFrame
    scene_log_lift: np.ndarray  # (n_scenes, n_products)
    household_activity: np.ndarray  # (n_households,)
    household_tags: np.ndarray  # (n_households, n_scenes) 0/1
    household_band: np.ndarray  # (n_households,) index into PRICE_SENSITIVITY_BANDS
    household_taste: np.ndarray  # (n_households, taste_rank)
    product_taste: np.ndarray  # (n_products, taste_rank) unit directions
    leader_taste: np.ndarray  # (n_pickup_points, taste_rank): what each leader likes to post
    household_building: np.ndarray  # (n_households,) building id (neighbours share one)

    def base_affinity(self, taste_strength: float) -> np.ndarray:
        """(n_products, n_households) float32: the household x product base affinity."""
        log_w = (self.household_tags @ self.scene_log_lift).T.astype(np.float32)
        if self.product_taste.shape[1]:
            log_w += (self.product_taste @ self.household_taste.T).astype(np.float32)
            log_w -= np.float32(taste_strength**2 / 2)
        np.exp(log_w, out=log_w)
        log_w *= self.household_activity.astype(np.float32)[None, :]
        return log_w


def build_entities(cfg: MarketConfig, rng: np.random.Generator) -> MarketEntities:
    """Draw every static entity of the city from ``rng`` (seeded by the caller)."""
    pickup_points, centres = _pickup_points(cfg, rng)
    suppliers = _suppliers(cfg, rng)
    products, scene_log_lift = _products(cfg, rng, suppliers)
    households, activity, tags, band = _households(cfg, rng, pickup_points)
    lat, lon = to_lat_lon(np.zeros(1), np.zeros(1))
    warehouses = pd.DataFrame(
        {"warehouse_id": np.array([0], dtype="int32"), "x_km": [0.0], "y_km": [0.0],
         "lat": lat, "lon": lon, "dispatch_minute": np.array([300], dtype="int32")}
    )
    rows = [(i, s, float(np.exp(scene_log_lift[k, i])))
            for k, s in enumerate(SCENES) for i in range(len(products))
            if scene_log_lift[k, i] > np.log(1.2)]
    product_scenes = pd.DataFrame(rows, columns=["product_id", "scene", "lift"]).astype(
        {"product_id": "int32", "scene": "str", "lift": "float64"}
    )
    latent = np.random.default_rng([cfg.seed, 5])
    h_taste, p_taste, l_taste = _tastes(cfg, latent, products["category"].to_numpy(),
                                        len(households))
    building = _buildings(cfg, latent, households["pickup_point_id"].to_numpy())
    profiles = [CATEGORIES[c] for c in products["category"]]
    lo, hi = np.array([p.like_probability for p in profiles]).T
    products["like_probability"] = latent.uniform(lo, hi)
    products["repeat_cycle_days"] = np.array([p.repeat_cycle_days for p in profiles], float) \
        if cfg.repeat_cycles else 1.0
    return MarketEntities(warehouses, _communities(centres, pickup_points), pickup_points,
                          suppliers, products, product_scenes, households, scene_log_lift,
                          activity, tags, band, h_taste, p_taste, l_taste, building)


def _tastes(cfg: MarketConfig, rng: np.random.Generator, category: np.ndarray,
            n_households: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Household tastes ~ N(0, s^2), product directions near their category's, leader tastes."""
    k = cfg.taste_rank
    names = sorted(CATEGORIES)
    centre = rng.normal(0.0, 1.0, (len(names), k))
    code = np.searchsorted(names, category)
    raw = centre[code] + rng.normal(0.0, 0.6, (len(category), k))
    norm = np.linalg.norm(raw, axis=1, keepdims=True)
    product = raw / np.where(norm > 0, norm, 1.0)
    household = rng.normal(0.0, cfg.taste_strength, (n_households, k))
    leader = rng.normal(0.0, cfg.taste_strength, (cfg.n_pickup_points, k))
    return household, product, leader


def _buildings(cfg: MarketConfig, rng: np.random.Generator, point: np.ndarray) -> np.ndarray:
    """Buildings of about ``building_size`` households, never across pickup points."""
    building = np.empty(len(point), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
    ends = np.r_[starts[1:], len(point)]
    next_id = 0
    for lo, hi in zip(starts, ends, strict=True):
        n = hi - lo
        n_buildings = max(1, int(round(n / cfg.building_size)))
        building[lo:hi] = next_id + rng.permutation(np.arange(n) % n_buildings)
        next_id += n_buildings
    return building


def _communities(centres: np.ndarray, pickup_points: pd.DataFrame) -> pd.DataFrame:
    lat, lon = to_lat_lon(centres[:, 0], centres[:, 1])
    per = pickup_points.groupby("community_id")
    ids = np.arange(len(centres))
    return pd.DataFrame({
        "community_id": ids.astype("int32"), "x_km": centres[:, 0], "y_km": centres[:, 1],
        "lat": lat, "lon": lon,
        "n_pickup_points": per.size().reindex(ids, fill_value=0).to_numpy().astype("int32"),
        "n_households": per["n_households"].sum().reindex(ids, fill_value=0).to_numpy()
        .astype("int32"),
    })


def _pickup_points(
    cfg: MarketConfig, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    n = cfg.n_pickup_points
    n_comm = max(1, int(round(n / cfg.pickup_points_per_community)))
    centres = points_in_disc(rng, n_comm, cfg.city_radius_km)
    community = np.sort(np.concatenate([np.arange(n_comm), rng.integers(0, n_comm, n - n_comm)]))
    community = community[:n]
    xy = centres[community] + rng.normal(0.0, 0.3, (n, 2))
    lat, lon = to_lat_lon(xy[:, 0], xy[:, 1])
    opens = rng.choice(np.arange(360, 481, 30), n)
    households = np.maximum(5, rng.poisson(cfg.households_per_pickup_point, n))
    opened = np.where(
        rng.uniform(size=n) < cfg.new_pickup_point_share,
        rng.integers(int(0.2 * cfg.n_days), max(int(0.9 * cfg.n_days), int(0.2 * cfg.n_days) + 1),
                     n),
        -rng.integers(30, 720, n),
    )
    start = pd.Timestamp(cfg.start_date)
    return pd.DataFrame({
        "pickup_point_id": np.arange(n, dtype="int32"),
        "community_id": community.astype("int32"),
        "store_type": rng.choice(STORE_TYPES, n, p=[0.4, 0.2, 0.25, 0.15]).astype(str),
        "x_km": xy[:, 0], "y_km": xy[:, 1], "lat": lat, "lon": lon,
        "opens_minute": opens.astype("int32"),
        "closes_minute": (opens + rng.choice([120, 180, 240], n)).astype("int32"),
        "capacity_units": np.round(households * 3 * rng.uniform(0.8, 1.5, n)).astype("int32"),
        "n_households": households.astype("int32"),
        "leader_effect": np.exp(rng.normal(0.0, 0.25, n)),
        "opened_on": (start + pd.to_timedelta(opened, unit="D")).astype("datetime64[ns]"),
    }), centres


def _suppliers(cfg: MarketConfig, rng: np.random.Generator) -> pd.DataFrame:
    n = cfg.n_suppliers
    kinds = np.array(list(SUPPLIER_KINDS))
    kind = np.resize(kinds, n) if n <= len(kinds) else np.concatenate(
        [kinds, rng.choice(kinds, n - len(kinds), p=[0.4, 0.25, 0.35])])
    lead = np.array([rng.integers(SUPPLIER_KINDS[k][0], SUPPLIER_KINDS[k][1] + 1) for k in kind])
    xy = points_in_disc(rng, n, 3 * cfg.city_radius_km)
    lat, lon = to_lat_lon(xy[:, 0], xy[:, 1])
    return pd.DataFrame({
        "supplier_id": np.arange(n, dtype="int32"),
        "name": [f"{k}_{i:03d}" for i, k in enumerate(kind)],
        "kind": kind.astype(str), "lead_time_days": lead.astype("int32"),
        "x_km": xy[:, 0], "y_km": xy[:, 1], "lat": lat, "lon": lon,
    })


def _products(
    cfg: MarketConfig, rng: np.random.Generator, suppliers: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    n = cfg.n_products
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c].share for c in names])
    # Every category gets its share (largest remainder), so small catalogues stay diverse.
    counts = np.floor(shares * n).astype(int)
    counts[np.argsort(-(shares * n - counts))[: n - counts.sum()]] += 1
    category = np.repeat(names, counts)
    rng.shuffle(category)
    profiles = [CATEGORIES[c] for c in category]

    def draw(attr: str, integer: bool = False) -> np.ndarray:
        lo, hi = np.array([getattr(p, attr) for p in profiles], dtype=float).T
        return rng.integers(lo, hi + 1) if integer else rng.uniform(lo, hi)

    price = np.round(draw("price"), 1)
    shelf = draw("shelf_life_days", integer=True)
    popularity = np.array([p.popularity for p in profiles]) * np.exp(rng.normal(0.0, 0.8, n))
    base_rate = cfg.orders_per_household_day * popularity / popularity.sum()
    supplier = np.empty(n, dtype="int32")
    for i, p in enumerate(profiles):
        pool = suppliers.loc[suppliers["kind"] == p.supplier_kind, "supplier_id"].to_numpy()
        supplier[i] = rng.choice(pool if len(pool) else suppliers["supplier_id"].to_numpy())
    launch = np.where(
        rng.uniform(size=n) < cfg.new_product_share,
        rng.integers(int(0.2 * cfg.n_days), max(int(0.9 * cfg.n_days), int(0.2 * cfg.n_days) + 1),
                     n),
        -rng.integers(30, 720, n),
    )
    log_lift = np.zeros((len(SCENES), n))
    for k, s in enumerate(SCENES):
        lift = np.array([p.scene_lift.get(s, 1.0) for p in profiles])
        log_lift[k] = np.log(lift) * rng.uniform(0.7, 1.3, n)
    products = pd.DataFrame({
        "product_id": np.arange(n, dtype="int32"),
        "name": [f"{c}_{i:04d}" for i, c in enumerate(category)],
        "category": category.astype(str),
        "supplier_id": supplier,
        "base_price": price,
        "unit_cost": np.round(price * draw("cost_fraction"), 2),
        "shelf_life_days": shelf.astype("int32"),
        "perishable": shelf <= 7,
        "basket_qty": np.array([p.basket_qty for p in profiles]),
        "elasticity": draw("elasticity"),
        "base_rate": base_rate,
        "launch_date": (pd.Timestamp(cfg.start_date) + pd.to_timedelta(launch, unit="D")).astype(
            "datetime64[ns]"),
    })
    return products, log_lift


def _households(
    cfg: MarketConfig, rng: np.random.Generator, pickup_points: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    counts = pickup_points["n_households"].to_numpy()
    point = np.repeat(pickup_points["pickup_point_id"].to_numpy(), counts)
    n = len(point)
    family = rng.choice(len(FAMILY_STRUCTURES), n, p=_FAMILY_P)
    tags = np.zeros((n, len(SCENES)), dtype="int8")
    for k, s in enumerate(SCENES):
        tags[:, k] = rng.uniform(size=n) < np.asarray(_SCENE_P[s])[family]
    bands = list(PRICE_SENSITIVITY_BANDS)
    band = rng.choice(len(bands), n, p=[0.3, 0.45, 0.25])
    size = np.array([_SIZE[f] for f in FAMILY_STRUCTURES])[family]
    loyalty = rng.beta(2.0, 3.0, n) * 2.0
    leader = pickup_points["leader_effect"].to_numpy()[point]
    activity = loyalty * np.sqrt(size / 2.5) * leader
    # Sorting by (pickup point, band) makes each group contiguous for the event sampler.
    order = np.lexsort((band, point))
    frame = pd.DataFrame({
        "household_id": np.arange(n, dtype="int32"),
        "pickup_point_id": point[order].astype("int32"),
        "community_id": pickup_points["community_id"].to_numpy()[point[order]].astype("int32"),
        "family_structure": np.array(FAMILY_STRUCTURES)[family[order]].astype(str),
        "household_size": size[order].astype("int32"),
        "price_sensitivity": np.array(bands)[band[order]].astype(str),
        "loyalty": loyalty[order],
    })
    for k, s in enumerate(SCENES):
        frame[f"scene_{s}"] = tags[order, k].astype(bool)
    return frame, activity[order], tags[order], band[order]
