"""Rossmann's Promo2 and competition attributes as daily covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.data.loaders.rossmann_calendar import add_store_calendar


def test_promo2_runs_in_its_months_after_it_began_and_competition_age() -> None:
    dates = pd.to_datetime(["2014-01-06", "2014-02-03", "2015-01-05", "2015-04-06"])
    frame = pd.DataFrame({
        "location_id": [1, 1, 1, 1], "date": dates, "promo2": 1,
        "promo2_since_week": 10.0, "promo2_since_year": 2014.0,
        "promo_interval": "Jan,Apr,Jul,Oct",
        "competition_open_since_month": 3.0, "competition_open_since_year": 2014.0})
    out = add_store_calendar(frame)
    # Jan 2014: before week 10 of 2014; Feb: not a Promo2 month; Jan / Apr 2015: running
    assert out["promo2_active"].tolist() == [0, 0, 1, 1]
    assert out["promo2_weeks"].tolist() == [-8.0, -4.0, 44.0, 57.0]
    assert out["competition_open_months"].tolist() == [-2.0, -1.0, 10.0, 13.0]
    none = add_store_calendar(frame.assign(promo2=0, promo_interval=np.nan,
                                           competition_open_since_year=np.nan))
    assert none["promo2_active"].eq(0).all() and none["promo2_weeks"].isna().all()
    assert none["competition_open_months"].isna().all()
