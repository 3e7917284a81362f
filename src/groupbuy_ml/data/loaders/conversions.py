"""Explicit, lossless conversions from raw text columns, with errors that name the bad rows.

Every loader turns raw file content into typed columns here. A value that does not convert is never
replaced by NaN or dropped: it becomes a problem entry (column, what was expected, the first bad
rows and their raw values) and the loader raises one
:class:`~groupbuy_ml.data.errors.DataValidationError` listing all problems of the file.

Row numbers are whatever the series' index holds; text loaders index by 1-based file line numbers
and report them with ``row_label="line"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.validation import MAX_EXAMPLES

TRUE_TOKENS = frozenset({"1", "true", "True", "TRUE"})
FALSE_TOKENS = frozenset({"0", "false", "False", "FALSE"})


def problem(column: str, expected: str, bad: pd.Series, row_label: str = "row") -> dict:
    """Build one problem entry from the raw values that failed (indexed by row or line)."""
    examples = [(idx, _plain(val)) for idx, val in bad.head(MAX_EXAMPLES).items()]
    return {
        "column": column,
        "expected": expected,
        "count": int(len(bad)),
        "examples": examples,
        "row_label": row_label,
    }


def raise_if_any(source: str | Path, problems: Sequence[dict | None]) -> None:
    """Raise a DataValidationError for ``source`` if any problem entry is not None."""
    found = [p for p in problems if p is not None]
    if found:
        raise DataValidationError(str(source), found)


def to_dates(
    raw: pd.Series, column: str, date_format: str, row_label: str = "row"
) -> tuple[pd.Series, dict | None]:
    """Parse text dates with an explicit format into ``datetime64[ns]``.

    Empty or unparseable values are reported, never turned into NaT.
    """
    parsed = pd.to_datetime(raw, format=date_format, errors="coerce")
    if not pd.api.types.is_datetime64_dtype(parsed) or isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed, problem(column, "dates without a time zone", raw.head(3), row_label)
    bad = parsed.isna()
    parsed = parsed.astype("datetime64[ns]")
    if bad.any():
        return parsed, problem(column, f"dates in format {date_format!r}", raw[bad], row_label)
    return parsed, None


def to_numbers(
    raw: pd.Series, column: str, *, allow_missing: bool = False, row_label: str = "row"
) -> tuple[pd.Series, dict | None]:
    """Parse text into float64; empty cells become NaN only when ``allow_missing``.

    Unparseable text (``"12 kg"``, ``"1,5"``, ``"nan"``) and non-finite numbers (``inf``) are
    reported; surrounding spaces are allowed.
    """
    empty = _is_empty(raw)
    parsed = pd.to_numeric(raw.mask(empty), errors="coerce").astype("float64")
    bad = (parsed.isna() & ~empty) | np.isinf(parsed)
    expected = "finite numbers (decimal point '.', no units or thousands separators)"
    if not allow_missing:
        bad |= empty
        expected += ", no empty cells"
    if bad.any():
        return parsed, problem(column, expected, raw[bad], row_label)
    return parsed, None


def to_flags(raw: pd.Series, column: str, row_label: str = "row") -> tuple[pd.Series, dict | None]:
    """Parse 0/1 flags (also ``true``/``false``) into int8; anything else is reported."""
    ones, zeros = raw.isin(TRUE_TOKENS), raw.isin(FALSE_TOKENS)
    flags = pd.Series(np.where(ones, 1, 0), index=raw.index, dtype="int8")
    bad = ~(ones | zeros)
    if bad.any():
        return flags, problem(column, "0/1 flags (or true/false)", raw[bad], row_label)
    return flags, None


def to_ids(raw: pd.Series, column: str, row_label: str = "row") -> tuple[pd.Series, dict | None]:
    """Keep identifiers as text exactly as written (leading zeros kept); empty ids are reported."""
    text = raw.astype(str)
    bad = _is_empty(raw)
    if bad.any():
        return text, problem(column, "non-empty identifiers", raw[bad], row_label)
    return text, None


def _is_empty(raw: pd.Series) -> pd.Series:
    """True where a cell is missing or holds an empty string."""
    return raw.isna() | (raw == "")


def _plain(value: object) -> object:
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return value.item() if hasattr(value, "item") else value
