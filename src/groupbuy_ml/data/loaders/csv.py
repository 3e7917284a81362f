"""Bring your own CSV: map a user's columns onto the demand panel.

A :class:`ColumnMapping` says which CSV column feeds each panel column (it usually comes from the
Hydra config group ``data.columns``). :func:`read_demand_csv` reads every cell as text, converts
each mapped column explicitly (dates with the given format, numbers, 0/1 flags) and validates the
result against :data:`~groupbuy_ml.data.schemas.demand_panel_schema`. Nothing is coerced, dropped
or de-duplicated: any bad cell, missing column or repeated (location, product, date) key raises one
:class:`~groupbuy_ml.data.errors.DataValidationError` naming the file, each column, what was
expected and the first bad CSV lines (1-based, the header is line 1, blank lines and quoted cells
that span lines counted). See ``data/cards/bring_your_own_csv.md`` for an example.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.loaders import conversions
from groupbuy_ml.data.loaders.compression import check_decodes, csv_bytes
from groupbuy_ml.data.schemas import SERIES_KEYS, TIME, demand_panel_schema
from groupbuy_ml.data.validation import validate, with_row_label
from groupbuy_ml.errors import ConfigError, InputNotFoundError

#: Optional panel columns a mapping may fill, by kind of conversion.
NUMBER_COLUMNS = ["price", "discount", "temperature_c", "rain_mm"]
FLAG_COLUMNS = ["promo", "is_holiday", "is_open"]
TEXT_COLUMNS = ["category"]
#: Panel columns whose empty cells mean "unknown" (NaN); everywhere else an empty cell is an error.
MISSING_ALLOWED = {"price"}


class ColumnMapping(BaseModel):
    """Which CSV column feeds each demand-panel column (values are CSV header names).

    ``location_id``, ``date`` and ``units`` are required. Without ``product_id`` every row gets
    ``constant_product_id``. ``passthrough`` columns are kept as text under their own names.
    Unknown keys are rejected, so a typo such as ``temprature_c`` fails loudly.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    location_id: str
    product_id: str | None = None
    constant_product_id: str = "all"
    date: str
    units: str
    price: str | None = None
    discount: str | None = None
    promo: str | None = None
    is_holiday: str | None = None
    is_open: str | None = None
    temperature_c: str | None = None
    rain_mm: str | None = None
    category: str | None = None
    passthrough: list[str] = []
    date_format: str = "%Y-%m-%d"
    sep: str = ","
    encoding: str = "utf-8"

    @model_validator(mode="after")
    def _passthrough_does_not_shadow(self) -> ColumnMapping:
        clash = set(self.passthrough) & set(_PANEL_COLUMNS)
        if clash:
            raise ValueError(f"passthrough columns {sorted(clash)} would overwrite panel columns")
        return self

    @classmethod
    def of(cls, mapping: ColumnMapping | Mapping[str, Any], field: str = "data.columns"
           ) -> ColumnMapping:
        """Accept a ColumnMapping, a plain dict or an OmegaConf ``DictConfig``.

        Keys set to ``None`` mean "not mapped" (the config lists every optional key as null).

        Raises:
            ConfigError: an unknown key or a bad value, named as ``<field>.<key>``.
        """
        if isinstance(mapping, cls):
            return mapping
        if type(mapping).__name__ == "DictConfig":
            from omegaconf import OmegaConf

            mapping = OmegaConf.to_container(mapping, resolve=True)  # type: ignore[assignment]
        given = {k: v for k, v in dict(mapping).items() if v is not None}
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            raise ConfigError.from_validation(error, field, cls.model_fields) from None

    def sources(self) -> dict[str, str]:
        """Panel column -> CSV column, for every mapped panel column."""
        return {c: getattr(self, c) for c in _PANEL_COLUMNS if getattr(self, c) is not None}


_PANEL_COLUMNS = [
    "location_id",
    "product_id",
    "date",
    "units",
    *NUMBER_COLUMNS,
    *FLAG_COLUMNS,
    *TEXT_COLUMNS,
]


def read_demand_csv(path: Path | str, mapping: ColumnMapping | Mapping[str, Any]) -> pd.DataFrame:
    """Read a user CSV into a validated demand panel, sorted by location, product and date.

    Args:
        path: the CSV file (header on the first line).
        mapping: a :class:`ColumnMapping` or a dict / DictConfig with the same keys.

    Raises:
        InputNotFoundError: there is no such file.
        ConfigError: the mapping has an unknown key or a bad value.
        DataValidationError: a mapped column is missing, a cell does not convert (the message
            names the column, what was expected and the first bad lines), a required cell is
            empty, the file has no data rows, or a (location, product, date) key repeats.
    """
    path, mapping = Path(path), ColumnMapping.of(mapping)
    if not path.is_file():
        raise InputNotFoundError(f"{path}: no such file")
    sources = mapping.sources()
    raw = _read_text(path, mapping, [*sources.values(), *mapping.passthrough])
    columns: dict[str, pd.Series] = {}
    problems: list[dict | None] = []
    for panel, column in sources.items():
        values, issue = _convert(panel, raw[column], column, mapping)
        columns[panel] = values
        problems.append(issue)
    conversions.raise_if_any(path, problems)
    if mapping.product_id is None:
        columns["product_id"] = pd.Series(
            mapping.constant_product_id, index=raw.index, dtype=object
        )
    for column in mapping.passthrough:
        columns[column] = raw[column]
    order = [c for c in _PANEL_COLUMNS if c in columns] + list(mapping.passthrough)
    panel = pd.DataFrame(columns)[order]
    try:
        validate(panel, demand_panel_schema, source=path)
    except DataValidationError as err:
        named = [{**p, "column": _label(p["column"], sources)} for p in err.problems]
        raise with_row_label(DataValidationError(err.source, named), "line") from None
    return panel.sort_values([*SERIES_KEYS, TIME], kind="stable").reset_index(drop=True)


def _read_text(path: Path, mapping: ColumnMapping, needed: list[str]) -> pd.DataFrame:
    """Read the needed columns as text, indexed by the 1-based line each record starts on.
    A compressed file (gzip, bz2, xz, a zip of one file) is unpacked first."""
    data = csv_bytes(path)
    check_decodes(path, data, mapping.encoding)
    header, lines, fields = _records(data, mapping)
    if header is None:
        raise _table_error(path, "a CSV file with a header line (the file is empty)")
    available = header
    problems = [
        _problem(c, f"a column named {c!r} ({target}); the file has {available}")
        for c, target in _targets(mapping, needed).items()
        if c not in available
    ]
    repeated = sorted({c for c in available if available.count(c) > 1})
    problems += [_problem(c, "a unique column name (it repeats in the header)") for c in repeated]
    ragged = fields[1:] != fields[0]
    if ragged.any():
        counts = pd.Series(fields[1:][ragged], index=lines[1:][ragged]).astype(str) + " fields"
        problems.append(
            conversions.problem(
                "<line>", f"{fields[0]} fields per line, as in the header", counts, "line"
            )
        )
    if problems:
        raise DataValidationError(str(path), problems)
    raw = pd.read_csv(
        io.BytesIO(data), sep=mapping.sep, encoding=mapping.encoding, dtype=str,
        keep_default_na=False,
    )
    if raw.empty:
        raise _table_error(path, "at least one data row")
    raw.index = lines[1:] if len(lines) - 1 == len(raw) else raw.index + 2
    return raw[list(dict.fromkeys(needed))]


def _records(data: bytes, mapping: ColumnMapping
             ) -> tuple[list[str] | None, np.ndarray, np.ndarray]:
    """The header, and the start line (1-based) and field count of every non-blank record."""
    sep = mapping.sep.encode(mapping.encoding)
    if b'"' not in data and len(sep) == 1:  # no quoting: one record per physical line
        numbered = [(n, line) for n, line in enumerate(data.splitlines(), start=1) if line]
        header = _header(numbered[0][1].decode(mapping.encoding), mapping) if numbered else None
        starts = np.fromiter((n for n, _ in numbered), dtype=np.int64, count=len(numbered))
        fields = np.fromiter((line.count(sep) + 1 for _, line in numbered), np.int64, len(numbered))
        return header, starts, fields
    header: list[str] | None = None
    starts_list, fields_list = [], []
    with io.TextIOWrapper(io.BytesIO(data), encoding=mapping.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=mapping.sep)
        previous_end = 0
        for record in reader:
            if record:
                header = _header(record, mapping) if header is None else header
                starts_list.append(previous_end + 1)
                fields_list.append(len(record))
            previous_end = reader.line_num
    return header, np.asarray(starts_list, np.int64), np.asarray(fields_list, np.int64)


def _header(line_or_record: str | list[str], mapping: ColumnMapping) -> list[str]:
    """Column names of the header record (a UTF-8 byte-order mark is not part of the name)."""
    record = line_or_record
    if isinstance(record, str):
        record = next(csv.reader([record], delimiter=mapping.sep))
    return [record[0].removeprefix("\ufeff"), *record[1:]] if record else record


def _targets(mapping: ColumnMapping, needed: list[str]) -> dict[str, str]:
    panel_of = {v: k for k, v in mapping.sources().items()}
    return {
        c: f"mapped to {panel_of[c]}" if c in panel_of else "listed in passthrough"
        for c in dict.fromkeys(needed)
    }


def _problem(column: str, expected: str) -> dict:
    return {"column": column, "expected": expected, "count": 1, "examples": []}


def _table_error(path: Path, expected: str) -> DataValidationError:
    return DataValidationError(str(path), [_problem("<table>", expected)])


def _convert(
    panel: str, raw: pd.Series, column: str, mapping: ColumnMapping
) -> tuple[pd.Series, dict | None]:
    """Convert one CSV column for ``panel`` and report problems under the CSV column name."""
    if panel == "date":
        values, issue = conversions.to_dates(raw, column, mapping.date_format, "line")
    elif panel == "units" or panel in NUMBER_COLUMNS:
        values, issue = conversions.to_numbers(
            raw, column, allow_missing=panel in MISSING_ALLOWED, row_label="line"
        )
    elif panel in FLAG_COLUMNS:
        values, issue = conversions.to_flags(raw, column, "line")
    elif panel in TEXT_COLUMNS:
        values, issue = (
            raw.astype(str),
            None,
        )  # the schema's text dtype (object, or str in pandas 3)
    else:
        values, issue = conversions.to_ids(raw, column, "line")
    if issue is not None:
        issue["column"] = _label(panel, {panel: column})
    return values, issue


def _label(panel: str, sources: dict[str, str]) -> str:
    """``"qty (-> units)"`` when the CSV column name differs from the panel column."""
    column = sources.get(panel, panel)
    return panel if column == panel else f"{column} (-> {panel})"
