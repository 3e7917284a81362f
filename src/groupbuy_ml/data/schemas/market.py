"""Schemas of the simulated market's tables (what ``groupbuy simulate`` writes).

Column meanings are documented in ``data/cards/simulated_market.md``. Ids are contiguous int32
indexes; dates are ``datetime64[ns]``; ``daily_demand.date`` is the order date and delivery is the
next morning.
"""

from __future__ import annotations

import pandera.pandas as pa

from groupbuy_ml.data.schemas.checks import between, non_negative, one_of, positive
from groupbuy_ml.data.simulate.catalog import CATEGORIES, FAMILY_STRUCTURES, SCENES

I32, F64, F32, DT = "int32", "float64", "float32", "datetime64[ns]"


def _id(unique: bool = False) -> pa.Column:
    return pa.Column(I32, checks=[non_negative()], unique=unique, nullable=False)


def _schema(name: str, columns: dict[str, pa.Column], **kw: object) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, strict=False, coerce=False, name=name, **kw)


MARKET_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "warehouses": _schema("warehouses", {
        "warehouse_id": _id(True), "x_km": pa.Column(F64), "y_km": pa.Column(F64),
        "lat": pa.Column(F64, between(-90, 90)), "lon": pa.Column(F64, between(-180, 180)),
        "dispatch_minute": pa.Column(I32, between(0, 1440)),
    }),
    "communities": _schema("communities", {
        "community_id": _id(True), "x_km": pa.Column(F64), "y_km": pa.Column(F64),
        "lat": pa.Column(F64, between(-90, 90)), "lon": pa.Column(F64, between(-180, 180)),
        "n_pickup_points": pa.Column(I32, non_negative()),
        "n_households": pa.Column(I32, non_negative()),
    }),
    "pickup_points": _schema("pickup_points", {
        "pickup_point_id": _id(True), "community_id": _id(), "store_type": pa.Column(str),
        "x_km": pa.Column(F64), "y_km": pa.Column(F64),
        "lat": pa.Column(F64, between(-90, 90)), "lon": pa.Column(F64, between(-180, 180)),
        "opens_minute": pa.Column(I32, between(0, 1440)),
        "closes_minute": pa.Column(I32, between(0, 1440)),
        "capacity_units": pa.Column(I32, positive()), "n_households": pa.Column(I32, positive()),
        "leader_effect": pa.Column(F64, positive()), "opened_on": pa.Column(DT),
    }, checks=[pa.Check(lambda d: d["closes_minute"] > d["opens_minute"],
                        error="closes_minute > opens_minute", name="window_order")]),
    "suppliers": _schema("suppliers", {
        "supplier_id": _id(True), "name": pa.Column(str),
        "kind": pa.Column(str, one_of(["farm", "wholesaler", "factory"])),
        "lead_time_days": pa.Column(I32, positive()),
    }),
    "products": _schema("products", {
        "product_id": _id(True), "name": pa.Column(str),
        "category": pa.Column(str, one_of(list(CATEGORIES))), "supplier_id": _id(),
        "base_price": pa.Column(F64, positive()), "unit_cost": pa.Column(F64, positive()),
        "shelf_life_days": pa.Column(I32, positive()), "perishable": pa.Column(bool),
        "basket_qty": pa.Column(F64, pa.Check.ge(1.0)), "elasticity": pa.Column(F64, positive()),
        "base_rate": pa.Column(F64, positive()), "launch_date": pa.Column(DT),
        "min_group_size": pa.Column(I32, pa.Check.ge(2)),
    }),
    "product_scenes": _schema("product_scenes", {
        "product_id": _id(), "scene": pa.Column(str, one_of(list(SCENES))),
        "lift": pa.Column(F64, positive()),
    }),
    "households": _schema("households", {
        "household_id": _id(True), "pickup_point_id": _id(), "community_id": _id(),
        "family_structure": pa.Column(str, one_of(list(FAMILY_STRUCTURES))),
        "household_size": pa.Column(I32, positive()),
        "price_sensitivity": pa.Column(str, one_of(["low", "medium", "high"])),
        "loyalty": pa.Column(F64, between(0, 2)),
        **{f"scene_{s}": pa.Column(bool) for s in SCENES},
    }),
    "calendar": _schema("calendar", {
        "date": pa.Column(DT, unique=True), "weekday": pa.Column(I32, between(0, 6)),
        "is_weekend": pa.Column(bool), "is_holiday": pa.Column(bool),
        "holiday_name": pa.Column(str), "pre_holiday": pa.Column(bool),
        "shopping_festival": pa.Column(str), "temperature_c": pa.Column(F64),
        "rain_mm": pa.Column(F64, non_negative()),
    }),
    "prices": _schema("prices", {
        "date": pa.Column(DT), "product_id": _id(),
        "regular_price": pa.Column(F64, positive()), "price": pa.Column(F64, positive()),
        "discount": pa.Column(F64, between(0, 1)), "promo": pa.Column("int8", one_of([0, 1])),
    }, unique=["date", "product_id"]),
    "daily_demand": _schema("daily_demand", {
        "date": pa.Column(DT), "pickup_point_id": _id(), "product_id": _id(),
        "price": pa.Column(F32, positive()), "discount": pa.Column(F32, between(0, 1)),
        "promo": pa.Column("int8", one_of([0, 1])),
        **{c: pa.Column(I32, non_negative())
           for c in ("views", "clicks", "carts", "orders", "units_ordered", "units")},
        "group_formed": pa.Column(bool), "expected_units": pa.Column(F32, non_negative()),
    }, unique=["date", "pickup_point_id", "product_id"], checks=[
        pa.Check(lambda d: (d["views"] >= d["clicks"]) & (d["clicks"] >= d["carts"])
                 & (d["carts"] >= d["orders"]), error="views >= clicks >= carts >= orders",
                 name="funnel_order"),
        pa.Check(lambda d: d["units_ordered"] >= d["orders"],
                 error="units_ordered >= orders", name="units_per_order")]),
    "events": _schema("events", {
        "date": pa.Column(DT), "minute": pa.Column(I32, between(0, 1440)),
        "household_id": _id(), "pickup_point_id": _id(), "product_id": _id(),
        "event_type": pa.Column("category"),
    }),
    "orders": _schema("orders", {
        "order_id": pa.Column("int64", unique=True), "date": pa.Column(DT),
        "delivery_date": pa.Column(DT), "minute": pa.Column(I32, between(0, 1440)),
        "household_id": _id(), "pickup_point_id": _id(), "product_id": _id(),
        "quantity": pa.Column(I32, positive()), "unit_price": pa.Column(F32, positive()),
        "status": pa.Column("category"),
    }),
}
