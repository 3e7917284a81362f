"""User-item interactions: the input of every recommender.

| column | type | meaning |
|---|---|---|
| ``user_id`` | int >= 0 | contiguous user index (household in the simulated market) |
| ``item_id`` | int >= 0 | contiguous item index (product) |
| ``weight`` | numeric > 0 | optional edge weight (e.g. order > cart > click > view) |
| ``timestamp`` | datetime64[ns] | optional time of the interaction |

Gowalla and any dataset in its ``train.txt`` / ``test.txt`` format load into this table.
"""

from __future__ import annotations

import pandera.pandas as pa

from groupbuy_ml.data.schemas import checks

interactions_schema = pa.DataFrameSchema(
    {
        "user_id": pa.Column("int64", checks=[checks.non_negative()], nullable=False),
        "item_id": pa.Column("int64", checks=[checks.non_negative()], nullable=False),
        "weight": pa.Column(checks=[checks.numeric(), checks.positive()], required=False),
        "timestamp": pa.Column("datetime64[ns]", required=False),
    },
    strict=False,
    coerce=False,
    name="interactions",
)
