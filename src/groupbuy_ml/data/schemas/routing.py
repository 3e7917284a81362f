"""Routing stops: the table a delivery problem is built from.

Row 0 of a Solomon instance (and the warehouse of the simulated market) is the depot. Times are in
the instance's own unit (minutes for the market, abstract units for Solomon).

| column | type | meaning |
|---|---|---|
| ``stop_id`` | int or str | unique stop id |
| ``x``, ``y`` | numeric | planar coordinates (km, or Solomon units) |
| ``demand`` | numeric >= 0 | units to deliver |
| ``ready_time`` | numeric >= 0 | earliest service start |
| ``due_time`` | numeric >= ``ready_time`` | latest service start |
| ``service_time`` | numeric >= 0 | time spent at the stop |
"""

from __future__ import annotations

import pandera.pandas as pa

from groupbuy_ml.data.schemas import checks

stops_schema = pa.DataFrameSchema(
    {
        "stop_id": pa.Column(checks=[checks.id_like()], unique=True, nullable=False),
        "x": pa.Column(checks=[checks.numeric(), checks.finite()], nullable=False),
        "y": pa.Column(checks=[checks.numeric(), checks.finite()], nullable=False),
        "demand": pa.Column(checks=[checks.numeric(), checks.non_negative()], nullable=False),
        "ready_time": pa.Column(checks=[checks.numeric(), checks.non_negative()], nullable=False),
        "due_time": pa.Column(checks=[checks.numeric(), checks.non_negative()], nullable=False),
        "service_time": pa.Column(checks=[checks.numeric(), checks.non_negative()], nullable=False),
    },
    checks=[
        pa.Check(
            lambda df: df["due_time"] >= df["ready_time"],
            error="due_time >= ready_time on every stop",
            name="window_order",
        )
    ],
    strict=False,
    coerce=False,
    name="stops",
)
