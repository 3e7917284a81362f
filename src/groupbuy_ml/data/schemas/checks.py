"""Reusable column checks with messages that say what was expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa


def non_negative() -> pa.Check:
    return pa.Check.ge(0, error="values >= 0")


def positive() -> pa.Check:
    return pa.Check.gt(0, error="values > 0")


def between(low: float, high: float) -> pa.Check:
    return pa.Check.in_range(low, high, error=f"values between {low} and {high}")


def one_of(values: list[str]) -> pa.Check:
    return pa.Check.isin(values, error=f"one of {values}")


def binary() -> pa.Check:
    return pa.Check.isin([0, 1], error="0 or 1")


def finite() -> pa.Check:
    return pa.Check(
        lambda s: pd.Series(pd.to_numeric(s, errors="coerce")).abs() < float("inf"),
        element_wise=False,
        error="finite numbers (no inf)",
        name="finite",
    )


def id_like() -> pa.Check:
    """Identifiers may be integers or non-empty strings (never floats, which lose leading zeros)."""

    def valid(v: object) -> bool:
        return isinstance(v, str | int) and str(v) != ""

    def check(s: pd.Series) -> pd.Series:
        if pd.api.types.is_integer_dtype(s):
            return pd.Series(True, index=s.index)
        if isinstance(s.dtype, pd.CategoricalDtype):
            # Check each category once; Series.map on a categorical can return a categorical.
            ok = np.array([valid(v) for v in s.cat.categories] + [False], dtype=bool)
            return pd.Series(ok[s.cat.codes.to_numpy()], index=s.index)  # code -1 -> False
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            return s.map(valid).astype(bool)
        return pd.Series(False, index=s.index)

    return pa.Check(check, error="integer or non-empty string identifiers", name="id_like")


def numeric() -> pa.Check:
    return pa.Check(
        lambda s: pd.Series(pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s),
                            index=s.index),
        error="a numeric column (int or float)",
        name="numeric",
    )
