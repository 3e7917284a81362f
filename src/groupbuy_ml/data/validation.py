"""Schema validation at every entry point of the data layer.

Thin wrapper around pandera: it validates lazily (all problems at once), never coerces, and turns
pandera's failure table into a :class:`~groupbuy_ml.data.errors.DataValidationError` that names the
file, the column, the first bad rows and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from groupbuy_ml.data.errors import DataValidationError

MAX_EXAMPLES = 5


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str | Path) -> pd.DataFrame:
    """Validate ``frame`` against ``schema`` and return it unchanged.

    Args:
        frame: the table to check.
        schema: a pandera schema; its ``coerce`` setting must be False (nothing is silently cast).
        source: file path or table name used in the error message.

    Raises:
        DataValidationError: listing every failing column and check with example rows.
    """
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        raise DataValidationError(str(source), _problems(err.failure_cases, schema)) from None
    except SchemaError as err:  # raised eagerly for frame-level problems
        raise DataValidationError(
            str(source), [{"column": "<table>", "expected": str(err), "count": 1, "examples": []}]
        ) from None


def _problems(cases: pd.DataFrame, schema: pa.DataFrameSchema) -> list[dict]:
    problems: list[dict] = []
    cases = cases.copy()
    cases["column"] = cases["column"].fillna("<table>").astype(str)
    for (column, check), group in cases.groupby(["column", "check"], sort=False):
        problems.append(
            {
                "column": column,
                "expected": _expected(schema, column, str(check)),
                "count": len(group),
                "examples": [
                    (_row(idx), _value(val))
                    for idx, val in zip(
                        group["index"].head(MAX_EXAMPLES),
                        group["failure_case"].head(MAX_EXAMPLES),
                        strict=True,
                    )
                ],
            }
        )
    return problems


def _expected(schema: pa.DataFrameSchema, column: str, check: str) -> str:
    col = schema.columns.get(column)
    if check == "column_in_dataframe":
        return f"a column named {column!r} (it is missing)"
    if col is None:
        return check
    if check.startswith("dtype("):
        return f"dtype {col.dtype} without conversion, found {check[6:-1]}"
    if check == "not_nullable":
        return "no missing values"
    if check == "field_uniqueness":
        return "unique values"
    described = [c.error for c in col.checks if c.error and c.name == check]
    return described[0] if described else check


def _row(idx: object) -> object:
    return None if pd.isna(idx) else idx


def _value(val: object) -> object:
    return val.item() if hasattr(val, "item") else val
