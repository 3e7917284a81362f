"""Back to operations: complaint rates per product, supplier and pickup point over time, and
the entities whose complaint rate rises, with the reviews as evidence.

Works on any review table with a ``date``, the entity id columns, a ``negative`` flag and one
0/1 (or probability) column per aspect of :data:`~groupbuy_ml.aftersales.aspects.ASPECTS`
(what :meth:`ReviewAnalyzer.analyze <groupbuy_ml.aftersales.analyzer.ReviewAnalyzer.analyze>`
adds to the texts), plus ``text`` and ``review_id`` for the evidence.

:class:`RisingComplaintRule` (one object, one method) compares the negative-review rate of the
last ``recent_days`` with the ``baseline_days`` before them by a one-sided two-proportion
z-test (pooled variance), and flags an entity when the recent window holds at least
``min_reviews`` reviews, ``z >= min_z`` and the rate rose by ``min_lift`` times (a rise from
near zero with few reviews is not flagged). The most blamed aspect of the recent complaints
says which step to fix. With ``aspect`` set, the rule counts only the complaints blaming that
step (an incident at one step, such as a supplier's produce going bad, lifts its own rate far
more than the overall negative rate); ``by_aspect=True`` in :func:`flag_rising_complaints` and
:func:`weekly_flags` runs the overall rule and one per aspect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.aftersales.aspects import ASPECTS
from groupbuy_ml.errors import UserInputError

__all__ = ["ENTITIES", "RisingComplaintRule", "complaint_rates", "flag_rising_complaints",
           "plot_complaint_rates", "weekly_flags"]

ENTITIES = ("product_id", "supplier_id", "pickup_point_id")


def _require(reviews: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in reviews.columns]
    if missing:
        raise UserInputError(f"the review table lacks columns {missing}; it needs date, the "
                             f"entity ids, negative and the aspect columns {list(ASPECTS)}")


def complaint_rates(reviews: pd.DataFrame, entity: str, freq: str = "W-MON") -> pd.DataFrame:
    """Per entity and period (``freq``, weeks by default): ``n_reviews``, ``n_negative``,
    ``negative_rate`` and the share of complaints blaming each aspect."""
    _require(reviews, ["date", entity, "negative", *ASPECTS])
    frame = reviews.assign(period=pd.to_datetime(reviews["date"]).dt.to_period(freq)
                           .dt.start_time)
    negative = frame["negative"].astype(bool)
    blamed = frame[list(ASPECTS)].gt(0.5).to_numpy() & negative.to_numpy()[:, None]
    frame = frame.assign(**{a: blamed[:, j].astype(int) for j, a in enumerate(ASPECTS)})
    grouped = frame.groupby([entity, "period"], sort=True)
    table = grouped.agg(n_reviews=("negative", "size"), n_negative=("negative", "sum"),
                        **{a: (a, "sum") for a in ASPECTS}).reset_index()
    table["negative_rate"] = table["n_negative"] / table["n_reviews"]
    for a in ASPECTS:
        table[a] = np.where(table["n_negative"] > 0, table[a] / table["n_negative"].clip(1), 0.0)
    return table


@dataclass(frozen=True)
class RisingComplaintRule:
    """Flag entities whose negative-review rate rose (module docstring).

    Args:
        recent_days, baseline_days: the two windows ending at ``as_of``.
        min_reviews: reviews the recent window needs.
        min_z: one-sided z-score needed (2.33: p < 0.01).
        min_lift: recent rate / baseline rate needed.
        aspect: count only complaints blaming this aspect (``None``: every complaint).
    """

    recent_days: int = 14
    baseline_days: int = 42
    min_reviews: int = 8
    min_z: float = 2.33
    min_lift: float = 1.5
    aspect: str | None = None

    def __call__(self, reviews: pd.DataFrame, entity: str,
                 as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
        """One row per flagged entity: ``entity_id``, counts and rates of both windows,
        ``lift``, ``z``, ``top_aspect`` and its share of the recent complaints."""
        _require(reviews, ["date", entity, "negative", *ASPECTS])
        dates = pd.to_datetime(reviews["date"])
        end = pd.Timestamp(as_of) if as_of is not None else dates.max()
        recent_start = end - pd.Timedelta(days=self.recent_days)
        base_start = recent_start - pd.Timedelta(days=self.baseline_days)
        if self.aspect is not None and self.aspect not in ASPECTS:
            raise UserInputError(f"aspect must be one of {list(ASPECTS)}, got {self.aspect!r}")
        event = reviews["negative"].astype(bool)
        if self.aspect is not None:
            event = event & reviews[self.aspect].gt(0.5)
        reviews = reviews.assign(_event=event.astype(int))
        recent = reviews.loc[(dates > recent_start) & (dates <= end)]
        base = reviews.loc[(dates > base_start) & (dates <= recent_start)]
        r = recent.groupby(entity)["_event"].agg(["size", "sum"])
        b = base.groupby(entity)["_event"].agg(["size", "sum"])
        both = r.join(b, lsuffix="_recent", rsuffix="_base", how="left").fillna(0.0)
        n1, x1 = both["size_recent"], both["sum_recent"]
        n0, x0 = both["size_base"], both["sum_base"]
        p1, p0 = x1 / n1, np.where(n0 > 0, x0 / n0.clip(1), 0.0)
        pooled = (x1 + x0) / (n1 + n0)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0.clip(1)))
        z = np.where(se > 0, (p1 - p0) / np.where(se > 0, se, 1.0), 0.0)
        lift = np.where(p0 > 0, p1 / np.where(p0 > 0, p0, 1.0), np.inf)
        out = pd.DataFrame({"entity": entity, "entity_id": both.index, "n_recent": n1,
                            "recent_rate": p1, "n_baseline": n0, "baseline_rate": p0,
                            "lift": lift, "z": z}).reset_index(drop=True)
        keep = (out["n_recent"] >= self.min_reviews) & (out["z"] >= self.min_z) & \
            (out["n_baseline"] > 0) & (out["lift"] >= self.min_lift)
        out = out.loc[keep.to_numpy()].sort_values("z", ascending=False).reset_index(drop=True)
        complaints = recent.loc[recent["negative"].astype(bool)]
        tops, shares = [], []
        for entity_id in out["entity_id"]:
            own = complaints.loc[complaints[entity] == entity_id, list(ASPECTS)].gt(0.5).mean()
            tops.append(str(own.idxmax()) if own.max() > 0 else None)
            shares.append(float(own.max()) if len(own) else 0.0)
        out["top_aspect"], out["top_aspect_share"] = tops, shares
        out["rule_aspect"] = self.aspect
        out["as_of"] = end
        return out


def flag_rising_complaints(reviews: pd.DataFrame, entities: Sequence[str] = ENTITIES,
                           rule: RisingComplaintRule | None = None,
                           as_of: pd.Timestamp | str | None = None,
                           evidence: int = 3, by_aspect: bool = False) -> pd.DataFrame:
    """:class:`RisingComplaintRule` over every entity column, with ``evidence``: the texts of
    up to ``evidence`` recent complaints of each flagged entity (most negative first).
    ``by_aspect``: also the rule per aspect; an entity flagged by several keeps its highest-z
    row (``rule_aspect`` says which rule flagged it)."""
    rule = rule or RisingComplaintRule()
    rules = [rule, *(replace(rule, aspect=a) for a in ASPECTS)] if by_aspect else [rule]
    frames = [r(reviews, e, as_of) for r in rules for e in entities if e in reviews.columns]
    frames = [f for f in frames if not f.empty]
    flagged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if by_aspect and not flagged.empty:
        flagged = flagged.sort_values("z", ascending=False).drop_duplicates(
            ["entity", "entity_id"]).reset_index(drop=True)
    if flagged.empty or "text" not in reviews.columns or evidence == 0:
        return flagged
    dates = pd.to_datetime(reviews["date"])
    score = reviews["p_negative"] if "p_negative" in reviews.columns else \
        reviews["negative"].astype(float)
    texts: list[list[str]] = []
    for row in flagged.itertuples():
        since = row.as_of - pd.Timedelta(days=rule.recent_days)
        own = reviews.loc[(reviews[row.entity] == row.entity_id) & (dates > since)
                          & (dates <= row.as_of) & reviews["negative"].astype(bool)]
        top = own.assign(_s=score[own.index]).sort_values("_s", ascending=False)
        texts.append(top["text"].head(evidence).tolist())
    flagged["evidence"] = texts
    return flagged


def plot_complaint_rates(reviews: pd.DataFrame, entity: str, entity_ids: Sequence[Any],
                         freq: str = "W-MON", flagged_at: pd.Timestamp | None = None) -> Any:
    """A matplotlib figure: weekly negative-review rate of each of ``entity_ids`` against the
    rate of all others (the line a category manager reads), with review counts as bars."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    table = complaint_rates(reviews, entity, freq)
    overall = complaint_rates(reviews.assign(_all=0), "_all", freq)
    fig, axes = plt.subplots(len(entity_ids), 1, figsize=(8, 2.6 * len(entity_ids)),
                             squeeze=False, sharex=True)
    for ax, entity_id in zip(axes[:, 0], entity_ids, strict=True):
        own = table.loc[table[entity] == entity_id]
        ax.bar(own["period"], own["n_reviews"], width=5, color="0.85", label="reviews")
        twin = ax.twinx()
        twin.plot(own["period"], own["negative_rate"], "o-", color="tab:red",
                  label="complaint rate")
        twin.plot(overall["period"], overall["negative_rate"], "--", color="0.4",
                  label="all entities")
        twin.set_ylim(0, 1)
        twin.set_ylabel("complaint rate")
        ax.set_ylabel("reviews")
        ax.set_title(f"{entity} {entity_id}")
        if flagged_at is not None:
            ax.axvline(flagged_at, color="tab:orange", linestyle=":")
        twin.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def weekly_flags(reviews: pd.DataFrame, entities: Sequence[str] = ENTITIES,
                 rule: RisingComplaintRule | None = None, start: Any = None,
                 every_days: int = 7, by_aspect: bool = False) -> pd.DataFrame:
    """The rule run as a weekly job: every ``every_days`` from ``start`` (default: once a
    full baseline exists) to the last review date; flagged rows of all runs, with ``as_of``."""
    rule = rule or RisingComplaintRule()
    dates = pd.to_datetime(reviews["date"])
    first = dates.min() + pd.Timedelta(days=rule.recent_days + rule.baseline_days)
    day = pd.Timestamp(start) if start is not None else first
    runs = []
    while day <= dates.max():
        runs.append(flag_rising_complaints(reviews, entities, rule, day, evidence=0,
                                           by_aspect=by_aspect))
        day += pd.Timedelta(days=every_days)
    runs = [r for r in runs if not r.empty]
    return pd.concat(runs, ignore_index=True) if runs else pd.DataFrame(
        columns=["entity", "entity_id", "as_of"])
