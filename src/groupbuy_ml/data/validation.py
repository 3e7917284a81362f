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


def with_row_label(error: DataValidationError, label: str) -> DataValidationError:
    """Return a copy of ``error`` whose row numbers are reported as ``label`` (e.g. ``"line"``).

    Loaders of text files index their frame by 1-based line numbers before validating, then use
    this so that the message says ``line 7`` instead of ``row 7``.
    """
    return DataValidationError(error.source, [{**p, "row_label": label} for p in error.problems])


def _problems(cases: pd.DataFrame, schema: pa.DataFrameSchema) -> list[dict]:
    problems: list[dict] = []
    cases = cases.copy()
    cases["column"] = cases["column"].fillna("<table>").astype(str)
    # pandera names the schema, not the column, when a column is missing: the case holds it.
    missing = cases["check"].astype(str) == "column_in_dataframe"
    for name in cases.loc[missing, "failure_case"].astype(str):
        problems.append({"column": name, "expected": f"a column named {name!r} (it is missing)",
                         "count": 1, "examples": []})
    cases = cases.loc[~missing]
    # A multi-column unique key fails once per key column: report it once, as key tuples.
    key_rows = cases["check"].astype(str) == "multiple_fields_uniqueness"
    if key_rows.any():
        problems.append(_key_problem(cases.loc[key_rows]))
        cases = cases.loc[~key_rows]
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


def _key_problem(cases: pd.DataFrame) -> dict:
    keys = list(dict.fromkeys(cases["column"]))
    by_column = {k: cases.loc[cases["column"] == k] for k in keys}
    first = by_column[keys[0]].sort_values("index", kind="stable")
    examples = []
    for idx in first["index"].head(MAX_EXAMPLES):
        values = tuple(
            _key_value(g.loc[g["index"] == idx, "failure_case"].iloc[0])
            for g in by_column.values()
        )
        examples.append((_row(idx), values))
    return {
        "column": ", ".join(keys),
        "expected": f"unique ({', '.join(keys)}) combinations; these rows repeat a key "
        "(nothing is merged or dropped: aggregate or fix them)",
        "count": len(first),
        "examples": examples,
    }


def _key_value(val: object) -> object:
    if isinstance(val, pd.Timestamp):
        return str(val.date()) if val == val.normalize() else val.isoformat()
    return _value(val)


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
