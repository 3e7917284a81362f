"""Labelled texts: the input of every text classifier (review sentiment, intents, aspects).

| column | type | meaning |
|---|---|---|
| ``text`` | str, non-empty | the review or the customer's turn, as written (UTF-8) |
| ``label`` | int or str | the class: 0/1 sentiment (1 positive) or an intent name |
| ``domain`` | str | where the text comes from (``waimai``, a shopping category, ``smp2017``) |

Loaders may add columns (``session_id``, ``block``); they are kept.
"""

from __future__ import annotations

import pandera.pandas as pa

texts_schema = pa.DataFrameSchema(
    {
        "text": pa.Column(str, checks=[pa.Check.str_length(min_value=1,
                                                            error="non-empty strings")],
                          nullable=False),
        "label": pa.Column(nullable=False),
        "domain": pa.Column(str, nullable=False),
    },
    strict=False,
    coerce=False,
    name="texts",
)
