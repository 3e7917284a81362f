"""Customer-service intents of a group-buying platform: labelling rules for weak supervision
and the confidence router that sends uncertain questions to a person.

:data:`SHOPPING_INTENTS` and :data:`INTENT_CUES` follow ``data/labels/shopping_intents/
GUIDE.md`` (written before any turn was labelled): one labelling function per intent fires on
the guide's cues, and when several fire the guide's priority order decides (the data
programming recipe of Ratner et al. 2016, "Data programming", NeurIPS, with the simplest
label model: priority instead of learned accuracies). A turn no rule fires on is weakly
labelled ``other``. A classifier trained on those weak labels generalises past the cues;
:class:`ConfidenceRouter` answers automatically only above a threshold chosen on labelled dev
turns (:func:`choose_threshold`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.aftersales.classifier import as_texts
from groupbuy_ml.aftersales.metrics import coverage_curve
from groupbuy_ml.aftersales.text import TextNormalizer

__all__ = ["INTENT_CUES", "SHOPPING_INTENTS", "ConfidenceRouter", "IntentRules",
           "RoutedAnswer", "choose_threshold"]

SHOPPING_INTENTS = ("damaged_missing", "refund_return", "change_address", "order_status",
                    "invoice", "product_question", "complaint", "other")
"""The intents, in the guide's priority order (the first that applies wins)."""

INTENT_CUES: dict[str, tuple[str, ...]] = {
    "damaged_missing": ("坏了", "破损", "碎了", "少了", "漏发", "少件", "发错", "不能用",
                        "有问题"),
    "refund_return": ("退货", "退款", "换货", "取消订单", "取消", "退钱", "到账", "保价",
                      "价保", "售后"),
    "change_address": ("改地址", "修改地址", "换个地址", "地址", "收货人", "改电话", "自提",
                       "改时间", "送货时间"),
    "order_status": ("什么时候到", "发货", "物流", "查件", "到哪", "还没到", "几天能到",
                     "能到", "快递"),
    "invoice": ("发票", "开票", "增值税", "抬头", "专票", "增票"),
    "product_question": ("有货", "多大", "怎么用", "正品", "能用吗", "保修", "优惠", "赠品"),
    "complaint": ("投诉", "太慢", "态度", "差评", "什么服务", "不满意"),
}
"""The guide's cues per intent (``other`` has none: it is what no rule claims)."""


class IntentRules:
    """The labelling functions: ``label(texts)`` gives one intent per text (``other`` when no
    cue fires), ``fired(texts)`` the 0/1 matrix of every rule."""

    def __init__(self, cues: dict[str, Sequence[str]] | None = None,
                 normalizer: TextNormalizer | None = None) -> None:
        self.cues = {k: tuple(v) for k, v in (cues or INTENT_CUES).items()}
        self.normalizer = normalizer or TextNormalizer()
        self._patterns = {k: re.compile("|".join(v)) for k, v in self.cues.items() if v}

    def fired(self, texts: Any) -> np.ndarray:
        """``(n, len(SHOPPING_INTENTS) - 1)`` 0/1: which rules fire (``other`` excluded)."""
        items = [self.normalizer(t) for t in as_texts(texts)]
        names = SHOPPING_INTENTS[:-1]
        return np.array([[int(n in self._patterns and bool(self._patterns[n].search(t)))
                          for n in names] for t in items], dtype=np.int64).reshape(-1, len(names))

    def label(self, texts: Any) -> np.ndarray:
        """One intent per text: the first rule in priority order that fires, else ``other``."""
        fired = self.fired(texts)
        names = np.array(SHOPPING_INTENTS, dtype=object)
        first = np.where(fired.any(axis=1), fired.argmax(axis=1), len(SHOPPING_INTENTS) - 1)
        return names[first]


@dataclass(frozen=True)
class RoutedAnswer:
    """What the router decided for one question."""

    intent: str
    confidence: float
    automatic: bool


class ConfidenceRouter:
    """Answer automatically when the top probability is at least ``threshold``; otherwise
    hand the question to a person (``automatic=False``)."""

    def __init__(self, threshold: float = 0.5) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must lie in [0, 1], got {threshold}")
        self.threshold = threshold

    def __call__(self, proba: np.ndarray, classes: Sequence[str]) -> list[RoutedAnswer]:
        top = proba.argmax(axis=1)
        return [RoutedAnswer(str(classes[k]), float(proba[i, k]),
                             bool(proba[i, k] >= self.threshold))
                for i, k in enumerate(top)]


def choose_threshold(y_true: Sequence[Any], proba: np.ndarray, classes: Sequence[Any],
                     target_accuracy: float = 0.9, grid: Sequence[float] | None = None
                     ) -> tuple[float, pd.DataFrame]:
    """The lowest threshold whose answered accuracy reaches ``target_accuracy`` (the largest
    coverage that keeps the promise), with the whole curve; if none does, the threshold of the
    best answered accuracy."""
    grid = np.round(np.arange(0.0, 1.0, 0.01), 2) if grid is None else grid
    curve = coverage_curve(y_true, proba, classes, grid)
    good = curve.loc[curve["accuracy"] >= target_accuracy]
    if not good.empty:
        return float(good["threshold"].min()), curve
    best = curve.dropna().sort_values(["accuracy", "coverage"], ascending=False)
    return float(best["threshold"].iloc[0]), curve
