"""Back to operations on the simulated market: predicted sentiment and aspects -> weekly
rising-complaint flags, scored against the incidents the simulation injected.

    gb-bench -c 1 python experiments/aftersales/market_feedback.py

Market: 10 pickup points x 30 products x 120 days (seed 7); reviews: ReviewSimulator(seed=1)
with real test-split texts; models: the TF-IDF sentiment peer (configs) and the weak aspect
classifier (configs), trained on the training split only. Writes market_feedback.md and
complaint_rates.png.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hydra.utils import instantiate

from groupbuy_ml.aftersales.analyzer import ReviewAnalyzer
from groupbuy_ml.aftersales.aspect_experiment import aspect_training_texts
from groupbuy_ml.aftersales.aspects import ASPECTS, WeakAspectClassifier
from groupbuy_ml.aftersales.complaint_monitor import plot_complaint_rates, weekly_flags
from groupbuy_ml.aftersales.market_reviews import ReviewSimulator, score_detection, test_split_pool
from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.data.simulate import MarketConfig, simulate_market

HERE = Path(__file__).resolve().parent


def main() -> None:
    market = Path("/tmp/groupbuy-aftersales-market")
    simulate_market(MarketConfig(n_pickup_points=10, n_products=30, n_days=120, seed=7), market)
    reviews, incidents = ReviewSimulator(seed=1).simulate(market, test_split_pool())
    cfg = compose_config("train", ["experiment=review_sentiment_tfidf_waimai"])
    split = instantiate(cfg.data).load()
    sentiment = instantiate(cfg.model).fit(split.train["text"], split.train["label"],
                                           (split.validation["text"], split.validation["label"]))
    aspects = WeakAspectClassifier(threshold=0.15).fit(aspect_training_texts())
    analyzed = ReviewAnalyzer(sentiment, aspects).analyze(reviews["text"])
    table = pd.concat([reviews, analyzed[["p_negative", "negative", *ASPECTS]]], axis=1)
    rows = []
    for name, frame in (("predicted", table), ("oracle", table.assign(
            negative=table["problem"], **{a: (table["true_aspect"] == a).astype(int)
                                          for a in ASPECTS}))):
        flags = weekly_flags(frame)
        rows.append({"predictions": name, **score_detection(flags, incidents)})
    result = pd.DataFrame(rows)
    hit = incidents.iloc[0]
    fig = plot_complaint_rates(table, hit["entity"], [hit["entity_id"]], flagged_at=hit["start"])
    fig.savefig(HERE / "complaint_rates.png", dpi=80)
    text = ("# Rising-complaint flags on the simulated market\n\n"
            f"{len(reviews):,} reviews of delivered orders; incidents injected:\n\n"
            f"{incidents.to_markdown(index=False)}\n\n"
            "Weekly job (RisingComplaintRule defaults: 14-day window vs 42-day baseline):\n\n"
            f"{result.to_markdown(index=False)}\n\n"
            "`false_flags` count flag-weeks of entities without an incident (a product of the "
            "incident supplier counts as false here).\n")
    (HERE / "market_feedback.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
