"""Purchase lists and pickup points: what a next-morning delivery problem is built from.

A purchase list says how many units go to each pickup point on a delivery date (the forecasting
and ordering steps produce it; the simulated market's ``daily_demand`` has the same shape). Extra
columns (``product_id``, ``supplier_id``, ...) are allowed and ignored by routing, which sums the
units per pickup point and date.

``purchase_list_schema``

| column | type | meaning |
|---|---|---|
| ``pickup_point_id`` | int or str | the pickup point receiving the goods |
| ``units`` | numeric >= 0 | units to deliver (``demand`` is accepted as an alias) |
| ``date`` | date (optional) | delivery (or order) date; routing selects one date |

``routing_pickup_points_schema``

| column | type | meaning |
|---|---|---|
| ``pickup_point_id`` | int or str, unique | id used by the purchase list |
| ``x_km``, ``y_km`` | finite numeric | planar position (km from the warehouse) |
| ``opens_minute``, ``closes_minute`` | numeric in [0, 1440] | receiving window (minutes) |
| (window rule) | | ``closes_minute >= opens_minute`` |
| ``lat``, ``lon`` | numeric (optional) | for haversine distances |
| ``service_minutes`` | numeric >= 0 (optional) | unloading time at the shop |
"""

from __future__ import annotations

import pandera.pandas as pa

from groupbuy_ml.data.schemas import checks

purchase_list_schema = pa.DataFrameSchema(
    {
        "pickup_point_id": pa.Column(checks=[checks.id_like()], nullable=False),
        "units": pa.Column(checks=[checks.numeric(), checks.finite(), checks.non_negative()],
                           nullable=False),
    },
    strict=False,
    coerce=False,
    name="purchase_list",
)

routing_pickup_points_schema = pa.DataFrameSchema(
    {
        "pickup_point_id": pa.Column(checks=[checks.id_like()], unique=True, nullable=False),
        "x_km": pa.Column(checks=[checks.numeric(), checks.finite()], nullable=False),
        "y_km": pa.Column(checks=[checks.numeric(), checks.finite()], nullable=False),
        "opens_minute": pa.Column(checks=[checks.numeric(), checks.between(0, 1440)],
                                  nullable=False),
        "closes_minute": pa.Column(checks=[checks.numeric(), checks.between(0, 1440)],
                                   nullable=False),
    },
    checks=[
        pa.Check(
            lambda df: df["closes_minute"] >= df["opens_minute"],
            error="closes_minute >= opens_minute on every pickup point",
            name="window_order",
        )
    ],
    strict=False,
    coerce=False,
    name="routing_pickup_points",
)
