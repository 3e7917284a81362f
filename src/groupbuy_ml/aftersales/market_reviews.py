"""Reviews attached to the simulated market's orders: real review texts sampled by a seeded
delivery outcome.

The real review sets carry no product, supplier or pickup point ids, so the operations loop
(:mod:`groupbuy_ml.aftersales.complaint_monitor`) is exercised on the simulated market
(:mod:`groupbuy_ml.data.simulate`) instead. **What is simulated and what is real:** for every
delivered order, :class:`ReviewSimulator` draws whether the household reviews it, whether
something went wrong and which step failed (the *outcome*; the ground truth); the review
*text* is then a real review drawn from a pool: a positive review for a good outcome, a
negative review whose aspect (by the guide's seed cues, :data:`~groupbuy_ml.aftersales.
aspects.SEED_CUES`, exactly one aspect firing) is the failed step for a bad one. The pool holds
test-split reviews of the waimai, fruit and dairy sets only, so no text was trained on.

The outcome model, per review: ``logit P(problem) = logit(base_problem_rate) +
supplier effect + pickup point effect (both normal(0, entity_spread)) + log(incident
multiplier)`` while an incident runs on the order's supplier or pickup point. The failed step
follows the product's perishability (fresh produce fails mostly on freshness); during an
incident, ``incident_share`` of the problems are the incident's step. Incidents (which entity,
which step, from when) are drawn with the seed and returned, so a flagging rule can be scored
against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.aftersales.aspects import ASPECTS, AspectLexicon
from groupbuy_ml.data.market import load_market_table

__all__ = ["ReviewSimulator", "TextPool", "build_text_pool", "score_detection",
           "test_split_pool"]

PERISHABLE_WEIGHTS = (0.2, 0.1, 0.4, 0.1, 0.12, 0.08)
SHELF_STABLE_WEIGHTS = (0.25, 0.15, 0.15, 0.15, 0.15, 0.15)
"""Which step fails, per aspect in :data:`ASPECTS` order, for perishable / other products."""


@dataclass(frozen=True)
class TextPool:
    """Real review texts to draw from: positive ones and negative ones per aspect."""

    positive: tuple[str, ...]
    negative: dict[str, tuple[str, ...]]

    def sizes(self) -> dict[str, int]:
        """Texts per pool."""
        return {"positive": len(self.positive), **{a: len(t) for a, t in self.negative.items()}}


def build_text_pool(texts: Sequence[str], labels: Sequence[int],
                    lexicon: AspectLexicon | None = None) -> TextPool:
    """Positive texts, and negative texts grouped by the one aspect the lexicon finds in them
    (texts with none or several aspects are left out)."""
    lexicon = lexicon or AspectLexicon()
    labels = np.asarray(labels)
    positive = tuple(t for t, y in zip(texts, labels, strict=True) if y == 1)
    negatives = [t for t, y in zip(texts, labels, strict=True) if y == 0]
    flags = lexicon.label(negatives)
    single = flags.sum(axis=1) == 1
    pools = {a: tuple(t for t, f, s in zip(negatives, flags[:, j], single, strict=True)
                      if f and s) for j, a in enumerate(ASPECTS)}
    empty = [a for a, p in pools.items() if not p]
    if empty or not positive:
        raise ValueError(f"the text pool needs positive texts and negative texts of every "
                         f"aspect; none for {empty or ['positive']}")
    return TextPool(positive, pools)


@dataclass(frozen=True)
class ReviewSimulator:
    """Seeded reviews for the delivered orders of a simulated market (module docstring).

    Args:
        review_rate: share of delivered orders reviewed.
        base_problem_rate: share of reviews reporting a problem, before entity effects.
        entity_spread: standard deviation of the supplier and pickup point log-odds effects.
        n_supplier_incidents, n_pickup_point_incidents: deteriorations to inject.
        incident_multiplier: odds multiplier of a problem during an incident.
        incident_share: share of problems during an incident that are its step.
        incident_start: where in the period incidents start (0 first day, 1 last).
        seed: the random stream.
    """

    review_rate: float = 0.1
    base_problem_rate: float = 0.12
    entity_spread: float = 0.3
    n_supplier_incidents: int = 1
    n_pickup_point_incidents: int = 1
    incident_multiplier: float = 5.0
    incident_share: float = 0.8
    incident_start: float = 0.65
    seed: int = 0

    def simulate(self, market_dir: str | Path, pool: TextPool
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(reviews, incidents)``: one row per review (``review_id, order_id, date,
        household_id, pickup_point_id, product_id, supplier_id, category, problem,
        true_aspect, in_incident, text``) and one per injected incident (``entity,
        entity_id, aspect, start``)."""
        rng = np.random.default_rng(self.seed)
        orders = load_market_table(market_dir, "orders", [
            "order_id", "delivery_date", "household_id", "pickup_point_id", "product_id",
            "status"])
        products = load_market_table(market_dir, "products", [
            "product_id", "supplier_id", "category", "perishable"])
        orders = orders.loc[orders["status"] == "delivered"].drop(columns="status")
        reviewed = orders.loc[rng.random(len(orders)) < self.review_rate]
        reviews = reviewed.merge(products, on="product_id", how="left", validate="many_to_one")
        reviews = reviews.rename(columns={"delivery_date": "date"}).reset_index(drop=True)
        incidents = self._incidents(rng, reviews)
        logit = np.full(len(reviews), np.log(self.base_problem_rate / (1 - self.base_problem_rate)))
        for column in ("supplier_id", "pickup_point_id"):
            ids = reviews[column].to_numpy()
            effect = rng.normal(0.0, self.entity_spread, int(ids.max()) + 1)
            logit += effect[ids]
        incident_aspect = np.full(len(reviews), None, dtype=object)
        for row in incidents.itertuples():
            hit = (reviews[row.entity].to_numpy() == row.entity_id) & \
                (reviews["date"] >= row.start).to_numpy()
            logit[hit] += np.log(self.incident_multiplier)
            incident_aspect[hit] = row.aspect
        problem = rng.random(len(reviews)) < 1 / (1 + np.exp(-logit))
        weights = np.where(reviews["perishable"].to_numpy()[:, None],
                           np.array(PERISHABLE_WEIGHTS), np.array(SHELF_STABLE_WEIGHTS))
        aspect = np.array([ASPECTS[rng.choice(len(ASPECTS), p=w / w.sum())] for w in weights],
                          dtype=object)
        running = pd.notna(incident_aspect)
        from_incident = running & (rng.random(len(reviews)) < self.incident_share)
        aspect[from_incident] = incident_aspect[from_incident]
        aspect[~problem] = None
        texts = [pool.positive[rng.integers(len(pool.positive))] if a is None else
                 pool.negative[a][rng.integers(len(pool.negative[a]))] for a in aspect]
        reviews["problem"] = problem
        reviews["true_aspect"] = aspect
        reviews["in_incident"] = running
        reviews["text"] = texts
        reviews.insert(0, "review_id", np.arange(len(reviews), dtype=np.int64))
        return reviews.drop(columns="perishable"), incidents

    def _incidents(self, rng: np.random.Generator, reviews: pd.DataFrame) -> pd.DataFrame:
        first, last = reviews["date"].min(), reviews["date"].max()
        start = first + (last - first) * self.incident_start
        rows = []
        for entity, count, aspects in (
                ("supplier_id", self.n_supplier_incidents, ("freshness_quality", "packaging",
                                                            "quantity_wrong_item")),
                ("pickup_point_id", self.n_pickup_point_incidents, ("delivery_time",
                                                                    "rider_service"))):
            ids = np.sort(reviews[entity].unique())
            for entity_id in rng.choice(ids, min(count, len(ids)), replace=False):
                rows.append({"entity": entity, "entity_id": int(entity_id),
                             "aspect": str(rng.choice(aspects)), "start": start.normalize()})
        return pd.DataFrame(rows, columns=["entity", "entity_id", "aspect", "start"])


def test_split_pool(root: str | Path | None = None, max_rows: int | None = None,
                    part: str = "test") -> TextPool:
    """The :class:`TextPool` of the test-split reviews of the waimai, fruit and dairy sets
    (``part="validation"``: of the validation split, for a simulation that tunes)."""
    from groupbuy_ml.aftersales.sources import ReviewSource

    frames = [getattr(ReviewSource("waimai", root=root, max_rows=max_rows).load(), part),
              getattr(ReviewSource("shopping", ["水果", "蒙牛"], root=root,
                                   max_rows=max_rows).load(), part)]
    test = pd.concat(frames, ignore_index=True)
    return build_text_pool(test["text"].tolist(), test["label"].tolist())


def score_detection(flags: pd.DataFrame, incidents: pd.DataFrame) -> dict[str, float]:
    """How a weekly flagging job did against the injected incidents: ``detected`` (share of
    incidents flagged after they started), ``mean_delay_days`` (first flag - start),
    ``false_flags`` (flags of entities with no incident) and ``false_flag_entities``."""
    delays, detected = [], 0
    for row in incidents.itertuples():
        own = flags.loc[(flags["entity"] == row.entity) & (flags["entity_id"] == row.entity_id)
                        & (pd.to_datetime(flags["as_of"]) >= row.start)]
        if len(own):
            detected += 1
            delays.append((pd.to_datetime(own["as_of"]).min() - row.start).days)
    keys = set(zip(incidents["entity"], incidents["entity_id"], strict=True))
    false = flags.loc[[(e, i) not in keys for e, i in zip(flags["entity"], flags["entity_id"],
                                                          strict=True)]]
    return {"incidents": float(len(incidents)),
            "detected": detected / len(incidents) if len(incidents) else float("nan"),
            "mean_delay_days": float(np.mean(delays)) if delays else float("nan"),
            "false_flags": float(len(false)),
            "false_flag_entities": float(len(set(zip(false["entity"], false["entity_id"],
                                                     strict=True))))}
