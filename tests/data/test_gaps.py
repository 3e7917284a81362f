from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.data.gaps import (
    OBSERVED,
    PanelGapError,
    SeriesTooShortError,
    apply_gap_policy,
    observed_mask,
)
from groupbuy_ml.data.periods import infer_frequency
from groupbuy_ml.data.sources import CsvSource
from groupbuy_ml.errors import UserInputError


def _panel() -> pd.DataFrame:
    """Store 1: Jan 1-3 and Jan 6-7 (Jan 4-5 missing); store 2: Jan 1-7; store 3: Jan 6-7."""
    days = {1: [1, 2, 3, 6, 7], 2: [1, 2, 3, 4, 5, 6, 7], 3: [6, 7]}
    rows = []
    for store, ds in days.items():
        for d in ds:
            rows.append({"location_id": store, "product_id": "all",
                         "date": pd.Timestamp(2025, 1, d), "units": float(10 * store + d),
                         "is_open": 1, "promo": int(d in (4, 5)), "store_size": store * 100,
                         "price": float(d)})
    return pd.DataFrame(rows)


def test_raise_names_the_series_the_missing_dates_and_the_fix() -> None:
    with pytest.raises(PanelGapError) as info:
        apply_gap_policy(_panel(), "raise", source="sales.csv")
    text = str(info.value)
    assert "sales.csv" in text and "(1, 'all')" in text and "2025-01-04 .. 2025-01-05" in text
    assert "gaps=fill" in text and "gaps=trim" in text
    assert isinstance(info.value, UserInputError)


def test_fill_adds_unobserved_closed_rows_with_calendar_flags_and_static_values() -> None:
    filled, report = apply_gap_policy(_panel(), "fill")
    store1 = filled.loc[filled["location_id"] == 1]
    store1 = store1.set_axis(store1["date"].dt.day)
    assert list(store1.index) == [1, 2, 3, 4, 5, 6, 7]
    assert store1.loc[[4, 5], OBSERVED].tolist() == [0, 0]
    assert store1.loc[[4, 5], "units"].tolist() == [0.0, 0.0]
    assert store1.loc[[4, 5], "is_open"].tolist() == [0, 0]
    assert store1.loc[[4, 5], "promo"].tolist() == [1, 1]  # store 2's calendar on those days
    assert store1.loc[[4, 5], "store_size"].tolist() == [100, 100]
    assert store1.loc[[4, 5], "price"].tolist() == [3.0, 3.0]  # last observed value
    assert store1.loc[[1, 2, 3, 6, 7], OBSERVED].tolist() == [1] * 5
    assert (report.n_series_with_gaps, report.n_rows_filled, report.n_series_out) == (1, 2, 3)
    assert observed_mask(filled).sum() == len(_panel())
    assert report.metrics()["gaps_n_rows_filled"] == 2.0


def test_trim_keeps_each_series_from_its_last_gap_and_min_length_drops_short_ones() -> None:
    trimmed, report = apply_gap_policy(_panel(), "trim", min_length=3)
    kept = trimmed.groupby("location_id")["date"].agg(["min", "size"])
    assert list(kept.index) == [2]  # store 1 keeps 2 days after its gap, store 3 has 2 days
    assert kept.loc[2, "size"] == 7
    assert (report.n_rows_trimmed, report.n_series_too_short, report.n_rows_too_short) == (3, 2, 4)
    assert "min_length=3" in report.summary() and "(1, 'all')" in report.summary()


def test_min_length_dropping_everything_is_an_error_and_bad_settings_are_named() -> None:
    with pytest.raises(SeriesTooShortError, match="min_length"):
        apply_gap_policy(_panel(), "fill", min_length=50)
    with pytest.raises(UserInputError, match="gaps"):
        apply_gap_policy(_panel(), "interpolate")
    off_grid = _panel()
    off_grid.loc[0, "date"] = pd.Timestamp("2025-01-01 12:00")
    with pytest.raises(UserInputError, match="grid"):
        apply_gap_policy(off_grid, "fill", frequency="D")


def test_weekly_and_monthly_panels_with_missing_periods_keep_their_frequency() -> None:
    weeks = pd.date_range("2025-01-06", periods=10, freq="W-MON").delete([3, 4])
    assert infer_frequency(weeks).freqstr == "W-MON"
    months = pd.date_range("2020-01-01", periods=12, freq="MS").delete([5])
    assert infer_frequency(months).freqstr == "MS"
    panel = pd.DataFrame({"location_id": 1, "product_id": "a", "date": months,
                          "units": np.arange(11.0)})
    filled, report = apply_gap_policy(panel, "fill")
    assert len(filled) == 12 and report.n_rows_filled == 1


def test_csv_source_applies_the_policy_and_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("shop,day,qty\nA,2025-01-01,3\nA,2025-01-03,4\nB,2025-01-02,1\n")
    columns = {"location_id": "shop", "date": "day", "units": "qty"}
    with pytest.raises(PanelGapError, match="sales.csv"):
        CsvSource(path, columns).load()
    source = CsvSource(path, columns, gaps="fill", min_length=2)
    panel = source.load()
    assert panel["units"].tolist() == [3.0, 0.0, 4.0]
    assert source.gap_report_.n_rows_filled == 1 and source.gap_report_.n_series_too_short == 1
