"""Structure, consistency and reproducibility of a simulated market."""

from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.schemas.market import MARKET_SCHEMAS
from groupbuy_ml.data.simulate import MarketSummary, simulate_market


def _read(summary_or_dir: MarketSummary | Path, name: str) -> pd.DataFrame:
    out = getattr(summary_or_dir, "out_dir", summary_or_dir)
    return load_market_table(out, name)


@pytest.mark.parametrize("name", list(MARKET_SCHEMAS))
def test_every_table_is_written_and_valid(tiny_market: MarketSummary, name: str) -> None:
    frame = _read(tiny_market, name)
    assert len(frame) == tiny_market.rows[name] > 0


def test_households_match_pickup_points(tiny_market: MarketSummary) -> None:
    points = _read(tiny_market, "pickup_points")
    households = _read(tiny_market, "households")
    counts = households.groupby("pickup_point_id").size()
    assert counts.reindex(points["pickup_point_id"]).tolist() == points["n_households"].tolist()


def test_event_log_matches_daily_demand(tiny_market: MarketSummary) -> None:
    demand = _read(tiny_market, "daily_demand").set_index(["date", "pickup_point_id",
                                                           "product_id"])
    events = _read(tiny_market, "events")
    counts = events.groupby(["date", "pickup_point_id", "product_id", "event_type"],
                            observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(demand.index, fill_value=0)
    for stage, column in [("view", "views"), ("click", "clicks"), ("cart", "carts"),
                          ("order", "orders")]:
        assert (counts[stage] == demand[column]).all(), stage


def test_orders_sum_to_daily_demand_and_follow_group_formation(tiny_market: MarketSummary) -> None:
    demand = _read(tiny_market, "daily_demand")
    orders = _read(tiny_market, "orders")
    keys = ["date", "pickup_point_id", "product_id"]
    units = orders.groupby(keys)["quantity"].sum()
    ordered = demand.set_index(keys)["units_ordered"]
    assert (units.reindex(ordered.index, fill_value=0).to_numpy() == ordered.to_numpy()).all()
    merged = orders.merge(demand[[*keys, "group_formed"]], on=keys)
    assert ((merged["status"] == "delivered") == merged["group_formed"]).all()
    assert (orders["delivery_date"] - orders["date"] == pd.Timedelta(days=1)).all()
    assert (orders["minute"] < 23 * 60).all()


def test_orders_come_from_households_of_that_pickup_point(tiny_market: MarketSummary) -> None:
    orders = _read(tiny_market, "orders")
    home = _read(tiny_market, "households").set_index("household_id")["pickup_point_id"]
    assert (home.loc[orders["household_id"]].to_numpy() == orders["pickup_point_id"]).all()


def test_group_buy_forms_only_at_min_group_size(tiny_market: MarketSummary) -> None:
    demand = _read(tiny_market, "daily_demand")
    products = _read(tiny_market, "products").set_index("product_id")
    city = demand.groupby(["date", "product_id"]).agg(
        participants=("orders", "sum"), formed=("group_formed", "first"))
    needed = products.loc[city.index.get_level_values("product_id"), "min_group_size"].to_numpy()
    assert ((city["participants"] >= needed) == city["formed"]).all()
    assert (demand.loc[~demand["group_formed"], "units"] == 0).all()
    assert 0 < (~city["formed"]).mean() < 0.5  # some groups fail, most form


def test_no_rows_before_launch_or_opening(tiny_market: MarketSummary) -> None:
    demand = _read(tiny_market, "daily_demand")
    launch = _read(tiny_market, "products").set_index("product_id")["launch_date"]
    opened = _read(tiny_market, "pickup_points").set_index("pickup_point_id")["opened_on"]
    assert (demand["date"].to_numpy() >= launch.loc[demand["product_id"]].to_numpy()).all()
    assert (demand["date"].to_numpy() >= opened.loc[demand["pickup_point_id"]].to_numpy()).all()


def test_same_seed_same_market_whatever_the_chunking(tmp_path: Path,
                                                     tiny_market: MarketSummary) -> None:
    cfg = tiny_market.config.model_copy(update={"chunk_days": 4, "workers": 2})
    simulate_market(cfg, tmp_path / "again")
    for name in ("daily_demand", "events", "orders", "households", "prices"):
        pdt.assert_frame_equal(_read(tiny_market, name), _read(tmp_path / "again", name))


def test_aggregates_do_not_depend_on_household_logging(tmp_path: Path,
                                                       tiny_market: MarketSummary) -> None:
    simulate_market(tiny_market.config.model_copy(update={"event_log_days": 5}),
                    tmp_path / "partial")
    pdt.assert_frame_equal(_read(tiny_market, "daily_demand"),
                           _read(tmp_path / "partial", "daily_demand"))
    assert _read(tmp_path / "partial", "events")["date"].nunique() == 5


def test_other_seed_other_market(tmp_path: Path, tiny_market: MarketSummary) -> None:
    simulate_market(tiny_market.config.model_copy(update={"seed": 8, "event_log_days": 0}),
                    tmp_path / "s8")
    a = _read(tiny_market, "daily_demand")["units"].to_numpy()
    b = _read(tmp_path / "s8", "daily_demand")["units"].to_numpy()
    assert len(a) != len(b) or not np.array_equal(a, b)
    assert _read(tmp_path / "s8", "events").empty


def test_missing_folder_gives_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="groupbuy simulate"):
        load_market_table(tmp_path, "products")


def test_communities_sum_their_pickup_points(tiny_market: MarketSummary) -> None:
    communities = _read(tiny_market, "communities").set_index("community_id")
    points = _read(tiny_market, "pickup_points")
    per = points.groupby("community_id")["n_households"].agg(["size", "sum"])
    assert (communities.loc[per.index, "n_pickup_points"] == per["size"]).all()
    assert communities["n_households"].sum() == len(_read(tiny_market, "households"))
