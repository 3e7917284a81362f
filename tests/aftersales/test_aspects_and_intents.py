"""Aspect lexicon, its expansion and weak classifier; intent rules, router and threshold."""

import numpy as np
import pytest

from groupbuy_ml.aftersales.aspects import ASPECTS, AspectLexicon, WeakAspectClassifier
from groupbuy_ml.aftersales.intents import ConfidenceRouter, IntentRules, choose_threshold


def aspects_of(row: np.ndarray) -> set[str]:
    return {a for a, f in zip(ASPECTS, row, strict=True) if f}


def test_seed_cues_fire_and_negation_blocks_single_characters() -> None:
    flags = AspectLexicon().label(["送餐太慢了，汤洒了", "一点都不慢，就是太贵", "差评"])
    assert aspects_of(flags[0]) == {"delivery_time", "packaging"}
    assert aspects_of(flags[1]) == {"price"}        # "不慢" is no delivery complaint
    assert aspects_of(flags[2]) == set()


def test_expansion_adds_ngrams_that_go_with_an_aspect() -> None:
    texts = ["送餐慢，骑手迷路了"] * 6 + ["骑手迷路了"] * 2 + ["菜很咸"] * 8
    ranked = AspectLexicon().rank_ngrams(texts, min_count=3)
    assert "迷路了" in ranked["delivery_time"][:5]
    grown = AspectLexicon().extend(ranked, 3)
    assert aspects_of(grown.label(["骑手又迷路了"])[0]) >= {"delivery_time"}


def test_weak_classifier_learns_from_lexicon_labels() -> None:
    texts = ["等了两个小时才送到，太慢"] * 10 + ["苹果烂了，不新鲜"] * 10 + ["还行吧"] * 10
    model = WeakAspectClassifier(threshold=0.5).fit(texts)
    proba = model.predict_proba(["送得太慢", "烂苹果"])
    assert proba.shape == (2, len(ASPECTS))
    assert proba[0, ASPECTS.index("delivery_time")] > proba[1, ASPECTS.index("delivery_time")]
    assert model.predict(["送得太慢"]).dtype == np.int64


@pytest.mark.parametrize(("text", "intent"), [
    ("我的订单什么时候到?", "order_status"),
    ("收到的杯子碎了，我要退款", "damaged_missing"),      # the guide's priority order
    ("能帮我改地址吗", "change_address"),
    ("发票抬头写错了", "invoice"),
    ("谢谢", "other"),
])
def test_intent_rules_follow_the_guide(text: str, intent: str) -> None:
    assert IntentRules().label([text])[0] == intent


def test_router_and_threshold_choice() -> None:
    proba = np.array([[0.9, 0.1], [0.55, 0.45], [0.2, 0.8]])
    routed = ConfidenceRouter(0.6)(proba, ["a", "b"])
    assert [(r.intent, r.automatic) for r in routed] == [("a", True), ("a", False),
                                                         ("b", True)]
    # answered accuracy: t<=0.55 -> 2/3, t in (0.55, 0.8] -> 1.0: the lowest such threshold
    threshold, curve = choose_threshold(["a", "b", "b"], proba, ["a", "b"], 0.9,
                                        grid=[0.5, 0.6, 0.7, 0.85])
    assert threshold == 0.6 and curve["coverage"].tolist() == [1.0, 2 / 3, 2 / 3, 1 / 3]
    with pytest.raises(ValueError, match="threshold"):
        ConfidenceRouter(1.5)
