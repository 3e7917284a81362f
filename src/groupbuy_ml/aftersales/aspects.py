"""Which step of the chain a negative review blames: a lexicon seeded from the labelling
guide, grown from the data, and a classifier trained on its weak labels.

1. **Seeds** (:data:`SEED_CUES`): the cue list of each aspect in
   ``data/labels/complaint_aspects/GUIDE.md``, written before any sample was drawn, as regular
   expressions. A single-character cue preceded by a negation (``不慢``) does not fire.
2. **Expansion** (:meth:`AspectLexicon.expand`): on unlabelled negative reviews (the training
   split), character 2-3-grams are ranked per aspect by the log-odds ratio with an informative
   Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words", Political Analysis 16(4))
   between the reviews the seeds flag and the rest; the ``top_k`` n-grams with the highest
   z-score join the aspect (``top_k`` is chosen on the labelled dev part).
3. **Weak supervision** (:class:`WeakAspectClassifier`): the lexicon labels the unlabelled
   reviews; a character n-gram TF-IDF + one-vs-rest logistic regression learns from those weak
   labels (the data programming idea of Ratner et al. 2016, "Data programming: creating large
   training sets, quickly", NeurIPS, with one labelling function per aspect), so that it also
   fires on wordings the lexicon lacks. One decision threshold, chosen on the dev part.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from groupbuy_ml.aftersales.classifier import as_texts
from groupbuy_ml.aftersales.text import TextNormalizer

__all__ = ["ASPECTS", "SEED_CUES", "AspectLexicon", "WeakAspectClassifier"]

ASPECTS = ("delivery_time", "rider_service", "freshness_quality", "packaging",
           "quantity_wrong_item", "price")
"""The steps of the chain a complaint can blame (multi-label)."""

SEED_CUES: dict[str, tuple[str, ...]] = {
    "delivery_time": ("慢", "超时", "等了.{0,6}(小时|分钟)", "迟到", "还没到", "送达时间",
                      "半天才(到|送)"),
    "rider_service": ("态度(差|不好|恶劣)", "骑手", "送餐员", "快递员", "客服.{0,4}不理",
                      "电话.{0,3}不接|不接电话", "不回复", "失联"),
    "freshness_quality": ("不新鲜", "坏", "烂", "变质", "馊", "难吃", "咸", "生的", "凉了",
                          "太小", "不甜", "假货", "质量差"),
    "packaging": ("洒|撒了", "漏", "包装.{0,2}破", "压坏", "盒子", "封口", "包装简陋"),
    "quantity_wrong_item": ("分量少|份量少|量少", "少送|漏送|没送", "缺斤少两", "送错|发错",
                            "不是我点的", "没.{0,2}筷子"),
    "price": ("贵", "不值", "性价比", "比超市贵", "降价", "配送费"),
}
"""The guide's cues per aspect, as regular expressions."""

_NEGATION = re.compile(r"[不没无别未]$")


class AspectLexicon:
    """Cue patterns per aspect; ``label(texts)`` gives a ``(n, len(ASPECTS))`` 0/1 array.

    Args:
        cues: aspect -> regular expressions (default: :data:`SEED_CUES`).
        normalizer: applied to texts before matching.
    """

    def __init__(self, cues: Mapping[str, Sequence[str]] | None = None,
                 normalizer: TextNormalizer | None = None) -> None:
        self.cues = {a: tuple((cues or SEED_CUES).get(a, ())) for a in ASPECTS}
        self.normalizer = normalizer or TextNormalizer()
        self._compiled = {a: [re.compile(c) for c in cs] for a, cs in self.cues.items()}

    def _fires(self, pattern: re.Pattern[str], text: str) -> bool:
        for match in pattern.finditer(text):
            single = len(match.group()) == 1
            if not (single and _NEGATION.search(text[max(0, match.start() - 1):match.start()])):
                return True
        return False

    def label(self, texts: Any, normalized: bool = False) -> np.ndarray:
        """0/1 per text and aspect: 1 when a cue of the aspect fires."""
        items = as_texts(texts) if normalized else [self.normalizer(t) for t in as_texts(texts)]
        out = np.zeros((len(items), len(ASPECTS)), dtype=np.int64)
        for i, text in enumerate(items):
            for j, aspect in enumerate(ASPECTS):
                out[i, j] = any(self._fires(p, text) for p in self._compiled[aspect])
        return out

    def rank_ngrams(self, texts: Sequence[str], min_count: int = 5, prior: float = 0.01
                    ) -> dict[str, list[str]]:
        """Per aspect, the character 2-3-grams seen ``min_count`` times ranked by their
        Fightin'-words z-score between the texts the lexicon flags now and the others
        (n-grams a cue of the aspect already matches left out; equal scores: longer first)."""
        items = [self.normalizer(t) for t in texts]
        flags = self.label(items, normalized=True)
        grams = [set(_ngrams(t)) for t in items]
        total = Counter(g for gs in grams for g in gs)
        vocab = [g for g, n in total.items() if n >= min_count]
        ranked: dict[str, list[str]] = {}
        for j, aspect in enumerate(ASPECTS):
            inside = Counter(g for gs, f in zip(grams, flags[:, j], strict=True) if f
                             for g in gs)
            scores = _log_odds_z(vocab, inside, total, flags[:, j].sum(), len(items), prior)
            known = [re.compile(c) for c in self.cues[aspect]]
            # ties (n-grams of the same texts) go to the longer, more specific n-gram, then
            # in code-point order, so that the ranking does not depend on set order
            ranked[aspect] = [g for g, _ in sorted(scores.items(),
                                                   key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
                              if not any(c.search(g) for c in known)]
        return ranked

    def extend(self, ranked: Mapping[str, Sequence[str]], top_k: int) -> AspectLexicon:
        """A lexicon with the first ``top_k`` n-grams of each aspect's ranking added."""
        return AspectLexicon({a: (*self.cues[a], *(re.escape(g) for g in ranked[a][:top_k]))
                              for a in ASPECTS}, self.normalizer)

    def expand(self, texts: Sequence[str], top_k: int = 10, min_count: int = 5,
               prior: float = 0.01) -> AspectLexicon:
        """:meth:`rank_ngrams` then :meth:`extend` (the lexicon grown from the data)."""
        return self.extend(self.rank_ngrams(texts, min_count, prior), top_k)


def _ngrams(text: str) -> list[str]:
    return [text[i:i + n] for n in (2, 3) for i in range(len(text) - n + 1)
            if not any(ch in "，。！？!?,. 、~…" for ch in text[i:i + n])]


def _log_odds_z(vocab: Sequence[str], inside: Counter, total: Counter, n_in: int, n_all: int,
                prior: float) -> dict[str, float]:
    """Per n-gram z-score of the log-odds ratio (document counts) of the flagged texts vs the
    others, with a Dirichlet prior proportional to the n-gram's overall count."""
    scores: dict[str, float] = {}
    n_out = n_all - n_in
    if n_in == 0 or n_out == 0:
        return scores
    for g in vocab:
        a = inside.get(g, 0)
        b = total[g] - a
        alpha = prior * total[g]
        la = np.log((a + alpha) / (n_in - a + alpha + 1e-9))
        lb = np.log((b + alpha) / (n_out - b + alpha + 1e-9))
        variance = 1.0 / (a + alpha) + 1.0 / (b + alpha)
        scores[g] = float((la - lb) / np.sqrt(variance))
    return scores


class WeakAspectClassifier:
    """TF-IDF + one-vs-rest logistic regression trained on a lexicon's weak labels.

    Args:
        lexicon: labels the training texts (and answers for an aspect it never fires on).
        threshold: probability above which an aspect is predicted.
        ngram_range, min_df, c: the TF-IDF and logistic regression settings.
    """

    def __init__(self, lexicon: AspectLexicon | None = None, threshold: float = 0.5,
                 ngram_range: tuple[int, int] = (1, 3), min_df: int = 2, c: float = 4.0) -> None:
        self.lexicon = lexicon or AspectLexicon()
        self.threshold, self.ngram_range, self.min_df, self.c = threshold, tuple(ngram_range), \
            min_df, c

    @property
    def normalizer(self) -> TextNormalizer:
        return self.lexicon.normalizer

    def fit(self, texts: Sequence[str]) -> Self:
        """Label ``texts`` with the lexicon and fit one classifier per aspect."""
        items = [self.normalizer(t) for t in texts]
        weak = self.lexicon.label(items, normalized=True)
        self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range,
                                           min_df=self.min_df, sublinear_tf=True,
                                           lowercase=False)
        x = self.vectorizer_.fit_transform(items)
        self.models_: dict[str, LogisticRegression | None] = {}
        for j, aspect in enumerate(ASPECTS):
            y = weak[:, j]
            self.models_[aspect] = None if y.min() == y.max() else \
                LogisticRegression(C=self.c, max_iter=1000).fit(x, y)
        self.weak_label_rate_ = {a: float(weak[:, j].mean()) for j, a in enumerate(ASPECTS)}
        return self

    def predict_proba(self, texts: Any) -> np.ndarray:
        """``(n, len(ASPECTS))`` probability that each aspect is blamed."""
        items = [self.normalizer(t) for t in as_texts(texts)]
        x = self.vectorizer_.transform(items)
        out = np.zeros((len(items), len(ASPECTS)))
        for j, aspect in enumerate(ASPECTS):
            model = self.models_[aspect]
            out[:, j] = 0.0 if model is None else model.predict_proba(x)[:, 1]
        return out

    def predict(self, texts: Any) -> np.ndarray:
        """0/1 per text and aspect (probability >= ``threshold``)."""
        return (self.predict_proba(texts) >= self.threshold).astype(np.int64)
