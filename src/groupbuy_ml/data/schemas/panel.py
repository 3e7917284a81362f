"""The demand panel: the one long table every forecaster in the library consumes.

One row per (location, product, date). The simulated market's ``daily_demand`` and every real
dataset loader (Rossmann, Stallion, M5) are brought into this shape, and so is a user's own CSV
through a column mapping (:mod:`groupbuy_ml.data.loaders.csv`).

| column | type | meaning |
|---|---|---|
| ``location_id`` | int or str | pickup point / store / agency (required) |
| ``product_id`` | int or str | product / SKU; one constant for single-product data (required) |
| ``date`` | datetime64[ns] | day (or period start) (required) |
| ``units`` | numeric >= 0, no NaN | the target: units sold / ordered (required) |
| ``price`` | numeric > 0 | selling price (known future covariate) |
| ``discount`` | numeric in [0, 1] | fraction off the regular price |
| ``promo`` | 0/1 | promotion running |
| ``is_holiday`` | 0/1 | public holiday |
| ``is_open`` | 0/1 | location open (closed days carry ``units`` 0) |
| ``temperature_c`` | numeric | temperature (forecast, known future) |
| ``rain_mm`` | numeric >= 0 | rain (forecast, known future) |
| ``category`` | str | product category (static) |

Other columns pass through unchecked. (location_id, product_id, date) must be unique.
"""

from __future__ import annotations

import pandera.pandas as pa

from groupbuy_ml.data.schemas import checks

SERIES_KEYS = ["location_id", "product_id"]
TIME = "date"
TARGET = "units"


def _optional(*cs: pa.Check, nullable: bool = False) -> pa.Column:
    return pa.Column(checks=list(cs), required=False, nullable=nullable)


demand_panel_schema = pa.DataFrameSchema(
    {
        "location_id": pa.Column(checks=[checks.id_like()], nullable=False),
        "product_id": pa.Column(checks=[checks.id_like()], nullable=False),
        "date": pa.Column("datetime64[ns]", nullable=False),
        "units": pa.Column(checks=[checks.numeric(), checks.non_negative()], nullable=False),
        "price": _optional(checks.numeric(), checks.positive(), nullable=True),
        "discount": _optional(checks.numeric(), checks.between(0.0, 1.0)),
        "promo": _optional(checks.binary()),
        "is_holiday": _optional(checks.binary()),
        "is_open": _optional(checks.binary()),
        "temperature_c": _optional(checks.numeric(), checks.finite()),
        "rain_mm": _optional(checks.numeric(), checks.non_negative()),
        "category": pa.Column(str, required=False),
    },
    unique=["location_id", "product_id", "date"],
    strict=False,
    coerce=False,
    name="demand_panel",
)
