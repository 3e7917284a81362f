"""/v1/review and /v1/intent in-process (FastAPI TestClient over the real services, with fixed
champions): answers, aspects, routing, and the 4xx for empty, overlong and non-text input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from groupbuy_ml.serving.api import LocalBackend, create_api
from groupbuy_ml.serving.champion import Loaded
from groupbuy_ml.serving.schemas import ModelRef
from groupbuy_ml.serving.schemas.text import MAX_TEXT_CHARS
from groupbuy_ml.serving.services import IntentService, ReviewService


@dataclass
class FixedChampion:
    model_name: str
    current: Loaded[Any] | None
    alias: str = "champion"
    last_error: str | None = None


def fixed(name: str, model: Any) -> FixedChampion:
    return FixedChampion(name, Loaded(ModelRef(name=name, alias="champion", version=1,
                                               model_class=type(model).__name__), model))


@pytest.fixture(scope="module")
def client(text_models) -> TestClient:
    backend = LocalBackend(
        review=ReviewService(fixed("review_test", text_models.sentiment),
                             fixed("aspects_test", text_models.aspects)),
        intent=IntentService(fixed("intent_test", text_models.intent)))
    return TestClient(create_api(backend))


def test_reviews_get_sentiment_and_blamed_steps(client: TestClient) -> None:
    answer = client.post("/v1/review", json={"reviews": [
        {"text": "送餐太慢了，汤洒了", "id": "o-1"}, {"text": "很好吃"},
        {"text": "蘋果爛了"}, {"text": "👍👍"}, {"text": "好" * 1500}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["model"]["name"] == "review_test" and body["aspect_model"]["version"] == 1
    slow, good, rotten, emoji, long = body["results"]
    assert slow["id"] == "o-1" and slow["sentiment"] == "negative"
    assert {a["aspect"] for a in slow["aspects"]} >= {"delivery_time"}
    assert good["sentiment"] == "positive" and good["aspects"] == []
    assert rotten["converted"] and rotten["sentiment"] == "negative"
    assert not emoji["informative"] and long["truncated"]


def test_questions_get_an_intent_and_a_route(client: TestClient) -> None:
    answer = client.post("/v1/intent", json={"questions": [{"text": "我要退款"},
                                                           {"text": "嗯嗯"}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["threshold"] == 0.3
    first = body["results"][0]
    assert first["intent"] == "refund_return" and first["automatic"]
    assert len(first["alternatives"]) == 3
    strict = client.post("/v1/intent", json={"questions": [{"text": "我要退款"}],
                                             "threshold": 1.0}).json()
    assert strict["results"][0]["automatic"] is False   # a person answers


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/review", {"reviews": [{"text": ""}]}, "body.reviews.0.text"),
    ("/v1/review", {"reviews": [{"text": "好"}, {"text": "   "}]}, "body.reviews.1.text"),
    ("/v1/review", {"reviews": [{"text": "好" * (MAX_TEXT_CHARS + 1)}]}, "body.reviews.0.text"),
    ("/v1/review", {"reviews": [{"text": 5}]}, "body.reviews.0.text"),
    ("/v1/review", {"reviews": [{"text": None}]}, "body.reviews.0.text"),
    ("/v1/review", {"reviews": []}, "body.reviews"),
    ("/v1/intent", {"questions": [{"text": ["退款"]}]}, "body.questions.0.text"),
    ("/v1/intent", {"questions": [{"text": "退款"}], "threshold": 2}, "body.threshold"),
])
def test_bad_text_is_a_422_naming_the_field(client: TestClient, path: str, body: dict,
                                            field: str) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["field"] == field


def test_non_utf8_body_is_a_4xx(client: TestClient) -> None:
    answer = client.post("/v1/review", content=b'{"reviews": [{"text": "\xb2\xbb\xba\xc3"}]}',
                         headers={"content-type": "application/json"})
    assert 400 <= answer.status_code < 500


def test_without_a_champion_the_endpoints_answer_503(text_models) -> None:
    backend = LocalBackend(review=ReviewService(FixedChampion("review_test", None)))
    api = TestClient(create_api(backend))
    assert api.post("/v1/review", json={"reviews": [{"text": "好"}]}).status_code == 503
    assert api.post("/v1/intent", json={"questions": [{"text": "好"}]}).status_code == 503
