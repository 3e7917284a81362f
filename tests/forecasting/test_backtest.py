"""backtest(): any frame or CSV, a table per model; bad input named; the CLI prints it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
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
    with pytest.raises(ValueError, match="gaps=fill"):
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


def _weekly_file(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """A user's weekly file: zipped, cp1252, its own column names, one series with gaps and
    one too short."""
    weeks = pd.date_range("2023-01-01", periods=40, freq="W-SUN")
    rng = np.random.default_rng(3)
    rows = [pd.DataFrame({"Filiale": f"Köln-{s}", "Woche": weeks.strftime("%d.%m.%Y"),
                          "Menge": rng.poisson(20, len(weeks)).astype(float),
                          "Aktion": rng.integers(0, 2, len(weeks))}) for s in range(3)]
    rows[1] = rows[1].drop(index=[5, 6])                      # two missing weeks
    rows.append(rows[0].tail(6).assign(Filiale="Neu"))        # a new shop: 6 weeks
    frame = pd.concat(rows, ignore_index=True)
    path = tmp_path / "weekly_sales.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weekly_sales.csv", frame.to_csv(index=False, sep=";").encode("cp1252"))
    return path, frame


def test_backtest_command_on_a_users_zipped_weekly_file(tmp_path, capsys) -> None:
    from groupbuy_ml.cli import main

    path, _ = _weekly_file(tmp_path)
    columns = ["data.columns.location_id=Filiale", "data.columns.date=Woche",
               "data.columns.units=Menge", "data.columns.product_id=null",
               "data.columns.promo=Aktion", "data.columns.date_format=%d.%m.%Y",
               "data.columns.sep=';'"]
    with pytest.raises(SystemExit) as caught:  # not UTF-8: one line naming file and option
        main(["backtest", f"data.path={path}", *columns, "models=[seasonal_naive]"])
    message = str(caught.value)
    assert "weekly_sales.csv.zip" in message and "data.columns.encoding=" in message
    assert "\n" not in message
    capsys.readouterr()
    main(["backtest", f"data.path={path}", *columns, "data.columns.encoding=cp1252",
          "data.gaps=fill", "data.min_length=20", "horizon=4", "n_origins=2",
          "season_length=4", "models=[seasonal_naive,naive]"])
    out, err = capsys.readouterr()
    assert "1 series had gaps" in out and "2 missing rows filled" in out
    assert "1 series shorter than min_length=20 dropped" in out and "3 series kept" in out
    assert "naive" in out and "rmsse" in out                       # the table, on stdout
    assert "backtest: seasonal_naive at origin 1/2 (fit 1/4" in err  # progress, on stderr
    assert "backtest: naive at origin 2/2 (fit 4/4" in err and "4 fits in" in err
    assert "backtest:" not in out


def test_filled_rows_are_never_scored(user_frame) -> None:
    gap = user_frame.drop(index=user_frame.index[55:58])  # inside the last test window
    table = backtest(gap, MAPPING, horizon=7, models=["naive"], n_origins=1, gaps="fill")
    report = table.attrs["gap_report"]
    assert report.n_rows_filled == 3 and report.n_series_with_gaps == 1
    full = backtest(user_frame, MAPPING, horizon=7, models=["naive"], n_origins=1)
    assert table.loc[0, "wape"] != full.loc[0, "wape"]  # 3 true rows less (not 3 zeros more)
    assert np.isfinite(table.loc[0, "wape"])
