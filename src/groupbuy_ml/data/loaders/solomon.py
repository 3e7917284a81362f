"""Solomon VRPTW instances (100 customers) and their best-known solutions.

M. M. Solomon (1987), "Algorithms for the vehicle routing and scheduling problems with time window
constraints", Operations Research 35(2):254-265. Files as distributed by
``graphhopper/jsprit:jsprit-instances/instances/solomon`` (Apache-2.0 repository); best-known
(vehicles, distance) from SINTEF's TOP benchmark page. See ``data/cards/solomon.md``.

Format (whitespace separated, CRLF or LF)::

    C101
    VEHICLE
    NUMBER     CAPACITY
      25         200
    CUSTOMER
    CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
        0      40         50          0          0       1236          0

Every field is an integer; they are kept as int64. The customer table maps into
:data:`~groupbuy_ml.data.schemas.stops_schema` as ``stop_id, x, y, demand, ready_time, due_time,
service_time`` (``DUE DATE`` -> ``due_time``), row 0 is the depot and its ``due_time`` is the
horizon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pandas as pd

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.loaders.paths import dataset_dir, require_file
from groupbuy_ml.data.schemas import stops_schema
from groupbuy_ml.data.validation import validate, with_row_label

STOP_COLUMNS = ["stop_id", "x", "y", "demand", "ready_time", "due_time", "service_time"]
INSTANCES = ["C101", "C201", "R101", "R201", "RC101", "RC201"]
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class SolomonInstance:
    """One VRPTW instance.

    Attributes:
        name: instance name from line 1 (e.g. ``"C101"``).
        num_vehicles: maximum number of vehicles.
        capacity: capacity of every vehicle (same unit as ``demand``).
        stops: the stops table (stops schema); row 0 is the depot (``stop_id`` 0, demand 0).
    """

    name: str
    num_vehicles: int
    capacity: int
    stops: pd.DataFrame

    @property
    def horizon(self) -> int:
        """Latest return time to the depot: the depot's ``due_time``."""
        return int(self.stops["due_time"].iloc[0])

    @property
    def depot(self) -> pd.Series:
        """The depot row."""
        return self.stops.iloc[0]

    @property
    def customers(self) -> pd.DataFrame:
        """Every stop but the depot."""
        return self.stops.iloc[1:]


def read_solomon(path: Path | str) -> SolomonInstance:
    """Parse a Solomon-format instance file.

    Raises:
        DataValidationError: naming the file, the line and what was expected when a section
            header is missing, a line has the wrong number of fields or a field is not an integer,
            and (through the stops schema) when a value breaks a routing rule; the first stop
            must be the depot 0 with no demand.
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()  # handles CRLF and LF
    content = [(n, line.split()) for n, line in enumerate(lines, start=1) if line.strip()]
    if len(content) < 6:
        _fail(
            path,
            "<file>",
            "a name, VEHICLE and CUSTOMER sections and a customer table",
            content[-1][0] if content else 1,
            " ".join(content[-1][1]) if content else "",
        )
    (_, name_tokens), *rest = content
    _expect_header(path, rest[0], "VEHICLE")
    _expect_header(path, rest[1], "NUMBER")
    vehicles, capacity = _integers(path, rest[2], ["NUMBER", "CAPACITY"])
    _expect_header(path, rest[3], "CUSTOMER")
    _expect_header(path, rest[4], "CUST")
    rows = [_integers(path, item, STOP_COLUMNS) for item in rest[5:]]
    if not rows:
        _fail(path, "<table>", "at least the depot row", rest[4][0], " ".join(rest[4][1]))
    line_numbers = [n for n, _ in rest[5:]]
    stops = pd.DataFrame(rows, columns=STOP_COLUMNS, index=line_numbers, dtype="int64")
    try:
        validate(stops, stops_schema, source=path)
    except DataValidationError as err:
        raise with_row_label(err, "line") from None
    depot = stops.iloc[0]
    if depot["stop_id"] != 0 or depot["demand"] != 0:
        _fail(
            path,
            "stop_id",
            "the depot (stop 0, demand 0) as the first customer row",
            line_numbers[0],
            " ".join(rest[5][1]),
        )
    return SolomonInstance(
        name=" ".join(name_tokens),
        num_vehicles=vehicles,
        capacity=capacity,
        stops=stops.reset_index(drop=True),
    )


def load_solomon(name: str, root: Path | str | None = None) -> SolomonInstance:
    """Read instance ``name`` (e.g. ``"R101"``) from ``root`` (default: the shared folder)."""
    return read_solomon(require_file(dataset_dir("solomon", root), f"{name}.txt"))


def load_solomon_bks(root: Path | str | None = None) -> pd.DataFrame:
    """Best-known solutions: ``instance, group, bks_vehicles, bks_distance`` (hierarchical
    objective: vehicles first, then unrounded Euclidean distance)."""
    path = require_file(dataset_dir("solomon", root), "bks.csv")
    dtypes = {"instance": str, "group": str, "bks_vehicles": "int64", "bks_distance": "float64"}
    try:
        table = pd.read_csv(path, dtype=dtypes, usecols=list(dtypes))
    except ValueError as err:
        raise DataValidationError(
            str(path),
            [
                {
                    "column": "<table>",
                    "expected": f"columns {list(dtypes)} with "
                    f"integer vehicles and numeric distances ({err})",
                    "count": 1,
                    "examples": [],
                }
            ],
        ) from None
    return table


def _expect_header(path: Path, item: tuple[int, list[str]], word: str) -> None:
    number, tokens = item
    if not tokens or tokens[0].upper() != word:
        _fail(path, "<header>", f"a line starting with {word!r}", number, " ".join(tokens))


def _integers(path: Path, item: tuple[int, list[str]], columns: list[str]) -> list[int]:
    number, tokens = item
    if len(tokens) != len(columns):
        _fail(
            path,
            "<line>",
            f"{len(columns)} fields ({', '.join(columns)})",
            number,
            " ".join(tokens),
        )
    values = []
    for column, token in zip(columns, tokens, strict=True):
        if not _INTEGER.fullmatch(token):
            _fail(path, column, "an integer", number, token)
        values.append(int(token))
    return values


def _fail(path: Path, column: str, expected: str, line: int, value: str) -> NoReturn:
    raise DataValidationError(
        str(path),
        [
            {
                "column": column,
                "expected": expected,
                "count": 1,
                "examples": [(line, value)],
                "row_label": "line",
            }
        ],
    )
