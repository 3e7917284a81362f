"""Solomon VRPTW instances: per-class constants on the real files and malformed copies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from groupbuy_ml.data import DataValidationError, validate
from groupbuy_ml.data.loaders import load_solomon, load_solomon_bks, read_solomon
from groupbuy_ml.data.schemas import stops_schema

# class: (capacity, horizon, total demand) from the README (checked on all 56 files upstream)
CONSTANTS = {
    "C101": (200, 1236, 1810),
    "C201": (700, 3390, 1810),
    "R101": (200, 230, 1458),
    "R201": (1000, 1000, 1458),
    "RC101": (200, 240, 1724),
    "RC201": (1000, 960, 1724),
}
HEAD = (
    "T1\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  2         50\r\n\r\nCUSTOMER\r\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n"
)
DEPOT = "    0      40         50          0          0       100          0   \r\n"


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_real_instances(shared_data: Path, name: str) -> None:
    instance = load_solomon(name, shared_data / "solomon")
    capacity, horizon, demand = CONSTANTS[name]
    assert instance.name == name
    assert (instance.num_vehicles, instance.capacity, instance.horizon) == (25, capacity, horizon)
    assert len(instance.stops) == 101 and len(instance.customers) == 100
    assert instance.stops["stop_id"].tolist() == list(range(101))
    assert instance.customers["demand"].sum() == demand
    assert instance.depot["demand"] == 0
    assert (instance.stops.dtypes == "int64").all()
    validate(instance.stops, stops_schema, name)


def test_c101_first_customer(shared_data: Path) -> None:
    stops = load_solomon("C101", shared_data / "solomon").stops
    assert stops.iloc[1].tolist() == [1, 45, 68, 10, 912, 967, 90]


def test_bks_matches_the_readme(shared_data: Path) -> None:
    bks = load_solomon_bks(shared_data / "solomon").set_index("instance")
    assert bks.loc["R101", "bks_vehicles"] == 19
    assert bks.loc["RC101", "bks_distance"] == pytest.approx(1696.94)
    expected = {"C101": 828.94, "C201": 591.56, "R201": 1252.37, "RC201": 1406.94}
    assert bks["bks_distance"].loc[list(expected)].tolist() == list(expected.values())
    # All 56 Solomon instances: C1 9, C2 8, R1 12, R2 11, RC1 8, RC2 8 (the README's classes).
    counts = bks["group"].value_counts().to_dict()
    assert counts == {"C1": 9, "C2": 8, "R1": 12, "R2": 11, "RC1": 8, "RC2": 8}
    groups = bks.index.str.rstrip("0123456789") + bks.index.str[-3]
    assert groups.tolist() == bks["group"].tolist()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "T1.txt"
    path.write_bytes(text.encode())
    return path


def test_tiny_instance_crlf(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEAD + DEPOT + "    1      45         68         10        10        50         5\r\n",
    )
    instance = read_solomon(path)
    assert (instance.name, instance.num_vehicles, instance.capacity, instance.horizon) == (
        "T1",
        2,
        50,
        100,
    )
    assert isinstance(instance.stops, pd.DataFrame) and len(instance.customers) == 1


def test_short_customer_line_names_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path, HEAD + DEPOT + "    1      45         68         10        10        50\r\n"
    )
    with pytest.raises(DataValidationError) as err:
        read_solomon(path)
    message = str(err.value)
    assert str(path) in message and "line 11" in message and "7 fields" in message


def test_non_integer_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEAD + DEPOT + "    1      45         6.8        10        10        50         5\r\n",
    )
    with pytest.raises(
        DataValidationError, match=r"(?s)column 'y': expected an integer.*line 11: '6.8'"
    ):
        read_solomon(path)


def test_missing_vehicle_section(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD.replace("VEHICLE", "VEHICLES") + DEPOT)
    with pytest.raises(DataValidationError, match=r"(?s)'VEHICLE'.*line 3: 'VEHICLES'"):
        read_solomon(path)


def test_window_order_is_checked_per_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEAD + DEPOT + "    1      45         68         10        60        50         5\r\n",
    )
    with pytest.raises(DataValidationError, match=r"(?s)T1.txt.*due_time >= ready_time.*line 11"):
        read_solomon(path)


def test_depot_must_come_first(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + DEPOT.replace("    0 ", "    7 "))
    with pytest.raises(DataValidationError, match=r"(?s)depot.*line 10"):
        read_solomon(path)


def test_truncated_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "T1\r\nVEHICLE\r\n")
    with pytest.raises(DataValidationError, match=r"T1.txt"):
        read_solomon(path)
