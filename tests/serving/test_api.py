"""The FastAPI app in-process (TestClient) over the real services: routes, errors, API key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.serving.api import LocalBackend, create_api
from groupbuy_ml.serving.client import ServingClient, ServingHTTPError
from groupbuy_ml.serving.services import ForecastService, RecommendService, RouteService

KEY = "k-123"


@pytest.fixture(scope="module")
def backend(serving_store) -> LocalBackend:
    config = serving_store.config()
    return LocalBackend(ForecastService.from_registry(config, poll=False),
                        RecommendService.from_registry(config, poll=False), RouteService())


@pytest.fixture()
def client(backend: LocalBackend) -> TestClient:
    return TestClient(create_api(backend, api_key=KEY, max_body_bytes=4096),
                      headers={"X-API-Key": KEY})


def test_every_endpoint_answers(client: TestClient) -> None:
    api = ServingClient("http://testserver", KEY, http=client)
    assert api.health() == {"status": "ok"}
    models = api.models()
    assert models["forecast"]["model_class"] == "LightGBMForecaster"
    assert models["recommend"]["model_class"] == "SceneGraphFilterCF"
    assert models["route"]["solver"] == "ortools"
    forecast = api.forecast({"series": [{"location_id": 0, "product_id": 1}], "horizon": 2})
    assert len(forecast["forecasts"][0]["points"]) == 2
    assert api.recommend({"user_id": 1, "k": 2})["model"]["name"] == "recommend_test"
    route = api.route({"depot": {"x": 0, "y": 0}, "stops": [{"id": "s", "x": 1, "y": 1,
                                                             "demand": 1}],
                       "vehicles": {"count": 1, "capacity": 5}, "time_limit_s": 0.2})
    assert route["routes"][0]["stop_ids"] == ["s"]
    with pytest.raises(ServingHTTPError) as caught:
        api.recommend({"user_id": 10**6})
    assert caught.value.status == 404 and caught.value.body["error"] == "not_found"


def test_api_key_is_required_on_v1_only(client: TestClient) -> None:
    bare = TestClient(client.app)
    for path in ("/healthz", "/docs", "/openapi.json"):
        assert bare.get(path).status_code == 200
    answer = bare.get("/v1/models")
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    wrong = bare.post("/v1/recommend", json={"user_id": 1}, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    open_app = TestClient(create_api(LocalBackend(), api_key=None))
    assert open_app.get("/v1/models").status_code == 200


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/recommend", {"user_id": 1, "k": 500}, "body.k"),
    ("/v1/forecast", {"series": [{"location_id": 0}]}, "body.series.0.product_id"),
    ("/v1/route", {"depot": {"x": 0}, "stops": [], "vehicles": {"count": 1, "capacity": 1}},
     "body.depot"),
    ("/v1/forecast", {"series": [{"location_id": 0, "product_id": 1}], "horizon": 30},
     "body.horizon"),
])
def test_bad_input_is_422_naming_the_field(client: TestClient, path: str, body: dict,
                                          field: str) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 422
    assert field in [d["field"] for d in answer.json()["detail"]]


def test_malformed_oversized_unknown_and_unconfigured(client: TestClient) -> None:
    broken = client.post("/v1/recommend", content=b"{not json",
                         headers={"content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"] == "validation_error"
    big = client.post("/v1/recommend", content=b" " * 5000,
                      headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["error"] == "payload_too_large"
    chunked = client.post("/v1/recommend", content=iter([b" " * 3000, b" " * 3000]),
                          headers={"content-type": "application/json"})
    assert chunked.status_code == 413 and chunked.json()["error"] == "payload_too_large"
    assert client.get("/v1/nothing").json()["error"] == "http_404"
    assert client.get("/v1/forecast").status_code == 405
    empty = TestClient(create_api(LocalBackend()))
    answer = empty.post("/v1/recommend", json={"user_id": 1})
    assert answer.status_code == 503 and answer.json()["error"] == "model_unavailable"


def test_openapi_documents_bounds_and_error_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/forecast", "/v1/recommend", "/v1/route", "/v1/models", "/healthz"} <= set(
        spec["paths"])
    errors = spec["paths"]["/v1/recommend"]["post"]["responses"]
    assert errors["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorResponse")
    k = spec["components"]["schemas"]["RecommendRequest"]["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 100)


class _Failing:
    """A route service that raises ``error`` for every request."""

    model_info: dict = {}

    def __init__(self, error: Exception) -> None:
        self.error = error

    def handle(self, request):
        raise self.error


def test_a_bug_is_a_500_with_an_id_and_a_user_error_a_422(caplog) -> None:
    body = {"depot": {"x": 0, "y": 0}, "stops": [{"id": 1, "x": 1, "y": 1, "demand": 1}],
            "vehicles": {"count": 1, "capacity": 5}}
    secret = RuntimeError("cannot reach postgresql://ml:s3cret@db/mlflow")
    bug = TestClient(create_api(LocalBackend(route=_Failing(secret))),
                     raise_server_exceptions=False)
    with caplog.at_level("ERROR"):
        answer = bug.post("/v1/route", json=body)
    assert answer.status_code == 500 and answer.json()["error"] == "internal_error"
    assert "s3cret" not in answer.text and "RuntimeError" not in answer.text
    error_id = answer.json()["message"].rsplit(" ", 1)[1]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    user = TestClient(create_api(LocalBackend(route=_Failing(
        InvalidDataError("stop 1: demand is negative")))))
    answer = user.post("/v1/route", json=body)
    assert answer.status_code == 422 and "demand is negative" in answer.json()["message"]
