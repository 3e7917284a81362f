"""Complaint rates and the rising-complaint rule on a hand-made review table."""

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.aftersales.aspects import ASPECTS
from groupbuy_ml.aftersales.complaint_monitor import (
    RisingComplaintRule,
    complaint_rates,
    flag_rising_complaints,
    plot_complaint_rates,
    weekly_flags,
)
from groupbuy_ml.errors import UserInputError


def table() -> pd.DataFrame:
    """Two pickup points, 10 reviews a day for 56 days; point 1 turns bad (late deliveries)
    in the last 14 days, point 0 stays at a 10% complaint rate."""
    rows = []
    for day in pd.date_range("2025-01-01", periods=56):
        for point in (0, 1):
            bad_share = 0.6 if point == 1 and day >= pd.Timestamp("2025-02-12") else 0.1
            for k in range(10):
                negative = k < round(10 * bad_share)
                rows.append({"date": day, "pickup_point_id": point, "negative": negative,
                             "p_negative": 0.9 if negative else 0.1,
                             "text": f"{day.date()}-{point}-{k}", "review_id": len(rows),
                             **{a: int(negative and a == "delivery_time") for a in ASPECTS}})
    return pd.DataFrame(rows)


def test_rates_per_week() -> None:
    rates = complaint_rates(table(), "pickup_point_id")
    last = rates.loc[rates["pickup_point_id"] == 1].iloc[-1]
    assert last["negative_rate"] == pytest.approx(0.6) and last["delivery_time"] == 1.0


def test_rule_flags_the_rising_point_with_evidence() -> None:
    flagged = flag_rising_complaints(table(), ["pickup_point_id"],
                                     RisingComplaintRule(recent_days=14, baseline_days=28))
    assert flagged["entity_id"].tolist() == [1]
    row = flagged.iloc[0]
    assert row["recent_rate"] == pytest.approx(0.6) and row["baseline_rate"] == pytest.approx(0.1)
    assert row["top_aspect"] == "delivery_time" and len(row["evidence"]) == 3
    weekly = weekly_flags(table(), ["pickup_point_id"],
                          RisingComplaintRule(recent_days=7, baseline_days=21))
    assert set(weekly["entity_id"]) == {1}
    assert plot_complaint_rates(table(), "pickup_point_id", [1]) is not None


def test_missing_columns_are_named() -> None:
    with pytest.raises(UserInputError, match="negative"):
        complaint_rates(table().drop(columns="negative"), "pickup_point_id")
    assert np.isfinite(table()["p_negative"]).all()


def test_aspect_rule_sees_a_shift_the_overall_rate_hides() -> None:
    """Point 1 keeps a 30% complaint rate, but its complaints turn from price to freshness in
    the last 14 days: only the per-aspect rule flags it, naming freshness."""
    rows = []
    for day in pd.date_range("2025-01-01", periods=56):
        late = day >= pd.Timestamp("2025-02-12")
        for point in (0, 1):
            for k in range(10):
                negative = k < 3
                blamed = "freshness_quality" if point == 1 and late else "price"
                rows.append({"date": day, "pickup_point_id": point, "negative": negative,
                             "text": f"{day.date()}-{point}-{k}", "review_id": len(rows),
                             **{a: int(negative and a == blamed) for a in ASPECTS}})
    reviews = pd.DataFrame(rows)
    rule = RisingComplaintRule(recent_days=14, baseline_days=28)
    assert flag_rising_complaints(reviews, ["pickup_point_id"], rule).empty
    flagged = flag_rising_complaints(reviews, ["pickup_point_id"], rule, by_aspect=True)
    assert flagged["entity_id"].tolist() == [1]
    assert flagged.iloc[0]["rule_aspect"] == "freshness_quality"
    assert flagged.iloc[0]["top_aspect"] == "freshness_quality"
    with pytest.raises(UserInputError, match="aspect must be one of"):
        RisingComplaintRule(aspect="weather")(reviews, "pickup_point_id")
