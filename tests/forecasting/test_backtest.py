"""backtest(): any frame or CSV, a table per model; bad input named; the CLI prints it."""

from __future__ import annotations

import pandas as pd
import pytest

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.forecasting import SeasonalNaive
from groupbuy_ml.forecasting.backtest import backtest, make_model

from .conftest import make_panel


@pytest.fixture(scope="module")
def user_frame() -> pd.DataFrame:
    return make_panel(n_days=60).rename(columns={"location_id": "store", "units": "qty"})


MAPPING = {"location_id": "store", "product_id": "product_id", "date": "date", "units": "qty"}


def test_backtest_table_per_model(user_frame) -> None:
    table = backtest(user_frame, MAPPING, horizon=7, models=["seasonal_naive", "lightgbm"],
                     n_origins=2)
    assert table["model"].tolist() == ["seasonal_naive", "lightgbm"]
    assert {"rmsse", "wape", "fit_seconds", "predict_seconds"} <= set(table.columns)
    assert (table["n_origins"] == 2).all()
    assert len(table.attrs["folds"]) == 4


def test_backtest_accepts_objects_and_never_fits_them(user_frame) -> None:
    template = SeasonalNaive(7)
    table = backtest(user_frame, MAPPING, horizon=7, models={"snaive": template}, n_origins=1)
    assert table["model"].tolist() == ["snaive"] and not hasattr(template, "seasons_")


def test_backtest_reads_a_csv(user_frame, tmp_path) -> None:
    path = tmp_path / "sales.csv"
    user_frame.assign(date=user_frame["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    table = backtest(path, MAPPING, horizon=7, models=["seasonal_naive"], n_origins=1)
    assert table.loc[0, "rmsse"] > 0


@pytest.mark.parametrize(("change", "match"), [
    (lambda f: f.drop(columns="qty"), "qty|units"),
    (lambda f: f.assign(qty=f["qty"].where(f.index != 3)), "units"),
    (lambda f: f.assign(qty=f["qty"].where(f.index != 3, -1.0)), "units"),
])
def test_bad_frames_are_named(user_frame, change, match) -> None:
    with pytest.raises((ValueError, DataValidationError), match=match):
        backtest(change(user_frame), MAPPING, horizon=7, models=["seasonal_naive"])


def test_gaps_and_long_horizons_are_named(user_frame) -> None:
    gap = user_frame.drop(index=user_frame.index[10])
    with pytest.raises(ValueError, match="skip dates"):
        backtest(gap, MAPPING, horizon=7, models=["seasonal_naive"], n_origins=1)
    with pytest.raises(ValueError, match="dates"):
        backtest(user_frame, MAPPING, horizon=100, models=["seasonal_naive"], n_origins=1)
    with pytest.raises(ValueError, match="unknown model"):
        backtest(user_frame, MAPPING, horizon=7, models=["prophet"])
    with pytest.raises(ValueError, match="no parameter"):
        make_model("tft", 7, 7, not_a_parameter=1)


def test_backtest_command_prints_a_table(user_frame, tmp_path, capsys) -> None:
    from groupbuy_ml.cli.backtest import backtest_command

    path = tmp_path / "sales.csv"
    user_frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    out = tmp_path / "table.csv"
    backtest_command([f"data.path={path}", "data.columns.location_id=store",
                      "data.columns.units=qty", "horizon=7", "n_origins=1",
                      "models=[seasonal_naive]", f"output={out}"])
    printed = capsys.readouterr().out
    assert "seasonal_naive" in printed and "rmsse" in printed
    assert pd.read_csv(out)["model"].tolist() == ["seasonal_naive"]
    assert out.with_suffix(".folds.csv").exists()
