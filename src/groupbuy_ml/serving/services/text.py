"""ReviewService (``/v1/review``) and IntentService (``/v1/intent``): the champion text models.

The review service follows two registered models: the sentiment champion (required) and the
aspect champion (optional: without it reviews get no aspects). The intent service follows the
intent champion; its answering threshold is the one chosen on validation and stored on the
model (``answer_threshold_``), unless the request gives its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from groupbuy_ml.aftersales.analyzer import ReviewAnalyzer
from groupbuy_ml.aftersales.intents import ConfidenceRouter
from groupbuy_ml.aftersales.text import is_informative
from groupbuy_ml.serving.champion import ChampionWatcher
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.errors import ServiceError
from groupbuy_ml.serving.schemas.common import ModelRef
from groupbuy_ml.serving.schemas.text import (
    AspectScore,
    IntentAlternative,
    IntentRequest,
    IntentResponse,
    QuestionIntent,
    ReviewAnalysisOut,
    ReviewRequest,
    ReviewResponse,
)
from groupbuy_ml.serving.services.champion_service import ChampionService, watch_champion

__all__ = ["IntentService", "ReviewService"]

DEFAULT_THRESHOLD = 0.5


def _same(model: Any, ref: ModelRef) -> Any:
    return model


class ReviewService(ChampionService[Any]):
    """Answers :class:`ReviewRequest` with the sentiment champion and the aspect champion."""

    def __init__(self, watcher: ChampionWatcher[Any],
                 aspects: ChampionWatcher[Any] | None = None) -> None:
        super().__init__(watcher)
        self.aspects = aspects

    @classmethod
    def from_registry(cls, config: ServingConfig, poll: bool = True) -> ReviewService:
        if not config.review_model:
            raise ValueError("config.review_model is not set")
        aspects = None if not config.aspect_model else \
            watch_champion(config.aspect_model, config, _same, poll)
        return cls(watch_champion(config.review_model, config, _same, poll), aspects)

    def handle_batch(self, requests: Sequence[ReviewRequest]
                     ) -> list[ReviewResponse | ServiceError]:
        loaded = self.watcher.current
        if loaded is None:
            return [self.unavailable() for _ in requests]
        aspect_loaded = None if self.aspects is None else self.aspects.current
        analyzer = ReviewAnalyzer(loaded.state, None if aspect_loaded is None
                                  else aspect_loaded.state)
        texts = [r.text for request in requests for r in request.reviews]
        table = analyzer.analyze(texts)
        answers: list[ReviewResponse | ServiceError] = []
        row = 0
        for request in requests:
            results = []
            for review in request.reviews:
                line = table.iloc[row]
                row += 1
                results.append(ReviewAnalysisOut(
                    id=review.id, sentiment="negative" if line["negative"] else "positive",
                    p_negative=round(float(line["p_negative"]), 6),
                    aspects=[AspectScore(aspect=a, probability=round(float(line[a]), 6))
                             for a in line["aspects"]],
                    informative=bool(line["informative"]), converted=bool(line["converted"]),
                    truncated=bool(line["truncated"])))
            answers.append(ReviewResponse(model=loaded.ref, aspect_model=None if aspect_loaded
                                          is None else aspect_loaded.ref, results=results))
        return answers


class IntentService(ChampionService[Any]):
    """Answers :class:`IntentRequest` with the intent champion and its confidence router."""

    @classmethod
    def from_registry(cls, config: ServingConfig, poll: bool = True) -> IntentService:
        if not config.intent_model:
            raise ValueError("config.intent_model is not set")
        return cls(watch_champion(config.intent_model, config, _same, poll))

    def handle_batch(self, requests: Sequence[IntentRequest]
                     ) -> list[IntentResponse | ServiceError]:
        loaded = self.watcher.current
        if loaded is None:
            return [self.unavailable() for _ in requests]
        model = loaded.state
        classes = [str(c) for c in np.asarray(model.classes_).tolist()]
        texts = [q.text for request in requests for q in request.questions]
        proba = model.predict_proba(texts)
        answers: list[IntentResponse | ServiceError] = []
        row = 0
        for request in requests:
            threshold = request.threshold if request.threshold is not None else \
                float(getattr(model, "answer_threshold_", DEFAULT_THRESHOLD))
            part = proba[row:row + len(request.questions)]
            routed = ConfidenceRouter(threshold)(part, classes)
            results = []
            for question, answer, p in zip(request.questions, routed, part, strict=True):
                top = np.argsort(-p)[:3]
                results.append(QuestionIntent(
                    id=question.id, intent=answer.intent,
                    confidence=round(answer.confidence, 6), automatic=answer.automatic,
                    alternatives=[IntentAlternative(intent=classes[k],
                                                    probability=round(float(p[k]), 6))
                                  for k in top],
                    informative=is_informative(question.text)))
            row += len(request.questions)
            answers.append(IntentResponse(model=loaded.ref, threshold=threshold,
                                          results=results))
        return answers
