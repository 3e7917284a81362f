"""Property-based fuzzing of the HTTP API from its own OpenAPI document (schemathesis).

schemathesis reads ``/openapi.json`` of the in-process FastAPI app (:func:`create_api` with the
real services on a tiny simulated market and freshly fitted models; only the registry polling is
replaced by a fixed champion), generates valid and invalid requests for every operation and
checks that no answer is a 5xx and that every answer conforms to the documented status codes,
content type and response schema. Valid delivery problems (which JSON Schema cannot describe)
come from a Hypothesis strategy of their own, and the two route problems the live fuzz run found
answered with 500 are kept as regression cases. The live Ray Serve app gets the same treatment
with >= 1,000 cases in ``experiments/serving/fuzz.py``.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

# The fuzz helpers are shared with the live run in experiments/serving (fuzz_cases.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "experiments" / "serving"))
from fuzz_cases import failed_checks, for_each_case, generated, route_problems  # noqa: E402

from groupbuy_ml.data.market import market_panel
from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.forecasting import LightGBMForecaster
from groupbuy_ml.recommendation import SceneGraphFilterCF
from groupbuy_ml.recommendation.matrix import interaction_matrix
from groupbuy_ml.recommendation.sources import MarketInteractionsSource, MarketSource
from groupbuy_ml.serving.api import LocalBackend, create_api
from groupbuy_ml.serving.champion import Loaded
from groupbuy_ml.serving.schemas import ModelRef
from groupbuy_ml.serving.services import (
    ForecastService,
    IntentService,
    RecommendService,
    ReviewService,
    RouteService,
)
from groupbuy_ml.serving.services.forecast_inputs import load_forecast_state
from groupbuy_ml.serving.services.merchandising import FormationService, PriceService
from groupbuy_ml.serving.services.recommend import load_recommend_state

API_KEY = "fuzz-key"
EXAMPLES_PER_OPERATION = 40


@dataclass
class FixedChampion:
    """Stands in for :class:`ChampionWatcher`: one loaded version, no registry polling."""

    model_name: str
    current: Loaded[Any]
    alias: str = "champion"
    last_error: str | None = None


def _champion(name: str, state: Any) -> FixedChampion:
    model = getattr(state, "model", state)  # text services hold the model itself
    ref = ModelRef(name=name, alias="champion", version=1, model_class=type(model).__name__)
    return FixedChampion(name, Loaded(ref, state))


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory, text_models: Any) -> Any:
    market: Path = tmp_path_factory.mktemp("fuzz_market")
    simulate_market(MarketConfig(n_pickup_points=4, n_products=8, n_days=60,
                                 households_per_pickup_point=20), market)
    forecaster = LightGBMForecaster(horizon=7, n_estimators=20, num_threads=1).fit(
        market_panel(market))
    data = MarketInteractionsSource(MarketSource(market)).load()
    recommender = SceneGraphFilterCF.from_market(market, n_components=8).fit(
        interaction_matrix(data.train, data.num_users, data.num_items))
    backend = LocalBackend(
        forecast=ForecastService(_champion("forecast_market",
                                           load_forecast_state(forecaster, market, 56))),
        recommend=RecommendService(_champion("recommend_market",
                                             load_recommend_state(recommender, market))),
        route=RouteService.from_registry(None),
        review=ReviewService(_champion("review", text_models.sentiment),
                             _champion("aspects", text_models.aspects)),
        intent=IntentService(_champion("intent", text_models.intent)),
        price=PriceService(), group_formation=FormationService(),
    )
    return create_api(backend, api_key=API_KEY)


@pytest.fixture(scope="module")
def api_schema(api_app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", api_app)


OPERATIONS = {("GET", "/healthz"), ("GET", "/v1/models"), ("POST", "/v1/forecast"),
              ("POST", "/v1/recommend"), ("POST", "/v1/route"), ("POST", "/v1/review"),
              ("POST", "/v1/intent"), ("POST", "/v1/price"), ("POST", "/v1/group-formation")}


def _fuzz_operation(operation: Any, mode: GenerationMode, examples: int, statuses: Counter,
                    failures: list[str]) -> None:
    name = f"{operation.method.upper()} {operation.path}"

    def handle(case: schemathesis.Case) -> None:
        response = case.call(headers={"X-API-Key": API_KEY})
        statuses[(operation.method.upper(), operation.path, response.status_code)] += 1
        if mode is GenerationMode.NEGATIVE and response.status_code < 400:
            failures.append(f"{name} accepted an invalid request ({response.status_code}): "
                            f"{case.as_curl_command()[:400]}")
        titles = failed_checks(case, response)
        if titles:
            failures.append(f"{name} -> {response.status_code}: {titles}: "
                            f"{response.text[:200]}")

    for_each_case(operation, mode, examples, {"X-API-Key": API_KEY}, handle)


def fuzz(schema: Any, mode: GenerationMode, examples: int) -> tuple[Counter, list[str]]:
    """Run ``examples`` generated cases per operation; returns the status counts and every
    failed check (operation, status, what failed), without stopping at the first one."""
    statuses: Counter = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        try:
            _fuzz_operation(result.ok(), mode, examples, statuses, failures)
        except Unsatisfiable:  # no input to make invalid (GET /healthz in negative mode)
            continue
    return statuses, failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_generated_requests_get_no_5xx_and_match_the_documented_responses(
        api_schema: Any, mode: GenerationMode) -> None:
    statuses, failures = fuzz(api_schema, mode, EXAMPLES_PER_OPERATION)
    tested = {(method, path) for method, path, _ in statuses}
    assert {op for op in OPERATIONS if op[0] == "POST"} <= tested
    server_errors = {k: n for k, n in statuses.items() if k[2] >= 500}
    assert not server_errors, server_errors
    assert not failures, "\n".join(f"{n} x {f}" for f, n in Counter(failures).most_common(10))
    assert sum(statuses.values()) >= 100
    if mode is GenerationMode.POSITIVE:  # schema-valid bodies reach the services
        assert tested >= OPERATIONS
        # cross-field rules (x with y, user_id or profile) are not in JSON Schema, so some
        # generated bodies are still refused; forecasts of generated series ids get answered
        answered = {(m, p) for m, p, status in statuses if status == 200}
        assert {("GET", "/v1/models"), ("POST", "/v1/forecast")} <= answered
    else:  # invalid bodies are refused with 4xx (the API key is right, so not 401)
        accepted = {k: n for k, n in statuses.items()
                    if k[1].startswith("/v1/") and k[1] != "/v1/models" and not 400 <= k[2] < 500}
        assert not accepted, accepted


# Two delivery problems the live fuzz run (experiments/serving/fuzz.py, route-problems) found
# answered with 500: in groupbuy_ml.routing, a plan that routes no stop is re-solved with 0
# vehicles and OR-Tools aborts the process (a failed CHECK), and a time window narrower than the
# integer time scale makes CumulVar.SetRange raise "CP Solver fail". Both are fixed in the
# routing package; RouteService must answer both with a plan. They run in a subprocess: if the
# abort came back it would take the test run down with it.
ALL_STOPS_UNSERVABLE = {"depot": {"x": 0, "y": 0}, "vehicles": {"count": 3, "capacity": 1},
                        "stops": [{"id": 1, "x": 1, "y": 1, "demand": 5}]}
WINDOW_NARROWER_THAN_TIME_SCALE = {
    "depot": {"x": 0, "y": 0, "due_time": 1440}, "vehicles": {"count": 2, "capacity": 100},
    "stops": [{"id": 1, "x": 3, "y": 4, "demand": 1, "ready_time": 774.8146925987887,
               "due_time": 774.8147025987887},
              {"id": 2, "x": -3, "y": 4, "demand": 1}]}
_ANSWER = """
import json, sys
from groupbuy_ml.serving.errors import ServiceError
from groupbuy_ml.serving.schemas import RouteRequest
from groupbuy_ml.serving.services import RouteService
service = RouteService.from_registry(None)
for body in json.loads(sys.argv[1]):
    try:
        plan = service.handle(RouteRequest.model_validate(body))
        print("answered", plan.found, [d.stop_id for d in plan.dropped], flush=True)
    except ServiceError as error:
        print("refused", error.status, flush=True)
"""


def test_route_problems_found_by_fuzzing_are_answered_not_crashed() -> None:
    import json
    import subprocess
    import sys

    bodies = [ALL_STOPS_UNSERVABLE, WINDOW_NARROWER_THAN_TIME_SCALE]
    done = subprocess.run([sys.executable, "-c", _ANSWER, json.dumps(bodies)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    answers = done.stdout.splitlines()
    # Since the routing fixes both get a plan: the oversized stop dropped, the narrow window served.
    assert answers == ["answered True [1]", "answered True []"], answers


def test_generated_delivery_problems_get_a_plan_or_a_4xx(api_app: Any) -> None:
    from fastapi.testclient import TestClient

    from groupbuy_ml.serving.schemas import RouteResponse

    client = TestClient(api_app, headers={"X-API-Key": API_KEY})
    statuses: Counter = Counter()

    @given(body=route_problems(max_stops=12, max_vehicles=4, time_limit_s=0.1))
    @generated(15)
    def run(body: dict[str, Any]) -> None:
        response = client.post("/v1/route", json=body)
        statuses[response.status_code] += 1
        assert response.status_code < 500, (response.text, body)
        if response.status_code == 200:
            RouteResponse.model_validate(response.json())

    run()
    assert statuses[200] > 0, statuses  # some problems are solved, not all refused
