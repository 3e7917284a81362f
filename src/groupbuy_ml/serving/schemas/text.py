"""``POST /v1/review`` (sentiment + complaint aspects of a batch of reviews) and
``POST /v1/intent`` (what shoppers ask, and whether a person should answer).

A text must be a JSON string of 1 to :data:`MAX_TEXT_CHARS` characters that is not only
whitespace: a number, ``null``, an empty or an overlong string is a 422 naming the field
(``body.reviews.3.text``). Emoji-only or punctuation-only texts are answered and flagged
``informative: false``; traditional characters are converted (``converted: true``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictFloat, StrictStr

from groupbuy_ml.aftersales.text import EmptyTextError, TextNormalizer
from groupbuy_ml.serving.schemas.common import ModelRef, RequestModel, ResponseModel

__all__ = ["MAX_TEXT_CHARS", "MAX_TEXTS", "AspectScore", "IntentAlternative", "IntentRequest",
           "IntentResponse", "QuestionIn", "QuestionIntent", "ReviewAnalysisOut", "ReviewIn",
           "ReviewRequest", "ReviewResponse"]

MAX_TEXT_CHARS = 2000
MAX_TEXTS = 256
Aspect = Literal["delivery_time", "rider_service", "freshness_quality", "packaging",
                 "quantity_wrong_item", "price"]


def _not_blank(text: str) -> str:
    try:  # what the models would read: nothing left (whitespace, control characters) is a 422
        TextNormalizer()(text)
    except EmptyTextError:
        raise ValueError("the text is empty or only whitespace / control characters; send "
                         "the review or question") from None
    return text


Text = Annotated[StrictStr, Field(min_length=1, max_length=MAX_TEXT_CHARS),
                 AfterValidator(_not_blank)]
TextId = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class ReviewIn(RequestModel):
    """One review."""

    text: Text
    id: TextId | None = Field(None, description="echoed back, e.g. the order or review id")


class ReviewRequest(RequestModel):
    """A batch of reviews."""

    reviews: list[ReviewIn] = Field(min_length=1, max_length=MAX_TEXTS)


class AspectScore(ResponseModel):
    """A step of the chain the review blames, with its probability."""

    aspect: Aspect
    probability: float


class ReviewAnalysisOut(ResponseModel):
    """Sentiment and blamed steps of one review (aspects only for negative reviews)."""

    id: str | None
    sentiment: Literal["positive", "negative"]
    p_negative: float
    aspects: list[AspectScore]
    informative: bool = Field(description="false: only emoji / punctuation, read with care")
    converted: bool = Field(description="traditional characters were converted to simplified")
    truncated: bool = Field(description="only the first characters were read")


class ReviewResponse(ResponseModel):
    """One analysis per review, in request order."""

    model: ModelRef
    aspect_model: ModelRef | None
    results: list[ReviewAnalysisOut]


class QuestionIn(RequestModel):
    """One shopper question."""

    text: Text
    id: TextId | None = None


class IntentRequest(RequestModel):
    """A batch of questions; ``threshold`` overrides the served model's answering threshold."""

    questions: list[QuestionIn] = Field(min_length=1, max_length=MAX_TEXTS)
    threshold: StrictFloat | None = Field(None, ge=0.0, le=1.0)


class IntentAlternative(ResponseModel):
    """A candidate intent with its probability."""

    intent: str
    probability: float


class QuestionIntent(ResponseModel):
    """The recognised intent, and whether it is answered automatically."""

    id: str | None
    intent: str
    confidence: float
    automatic: bool = Field(description="false: hand the question to a person")
    alternatives: list[IntentAlternative]
    informative: bool


class IntentResponse(ResponseModel):
    """One answer per question, in request order."""

    model: ModelRef
    threshold: float
    results: list[QuestionIntent]
