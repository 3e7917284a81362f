"""/v1/price and /v1/group-formation: answers from the request, 422s that name the field."""

import datetime as dt

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import stats

from groupbuy_ml.serving.api import LocalBackend, create_api
from groupbuy_ml.serving.services.merchandising import (
    FormationService,
    PriceService,
    formation_probability,
)


@pytest.fixture(scope="module")
def client() -> TestClient:
    backend = LocalBackend(price=PriceService(), group_formation=FormationService())
    return TestClient(create_api(backend, api_key="k"), headers={"X-API-Key": "k"})


def history(e: float = 2.0, days: int = 60, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    price = 10 * np.exp(rng.normal(0, 0.1, days))
    units = rng.poisson(50 * (price / 10) ** -e)
    start = dt.date(2025, 1, 1)
    return [{"date": str(start + dt.timedelta(days=d)), "price": round(float(p), 3),
             "units": int(u)} for d, (p, u) in enumerate(zip(price, units, strict=True))]


def test_price_estimates_the_elasticity_and_picks_the_margin_optimum(client) -> None:
    body = {"product_id": "p1", "list_price": 10.0, "unit_cost": 6.0, "bounds": [0.8, 1.5],
            "grid_points": 36, "history": history(e=2.0)}
    out = client.post("/v1/price", json=body).json()
    low, high = out["elasticity_ci95"]
    assert out["elasticity_source"] == "estimated" and low < 2.0 < high
    # constant elasticity e: the optimum is cost * e / (e - 1) = 12 at e = 2
    assert abs(out["price"] - 6.0 * out["elasticity"] / (out["elasticity"] - 1)) < 0.25
    margins = [p["expected_margin"] for p in out["curve"]]
    assert out["expected_margin"] == max(margins) and len(margins) == 36


def test_price_with_a_known_elasticity_and_bad_input(client) -> None:
    body = {"product_id": 1, "list_price": 10.0, "unit_cost": 9.0, "elasticity": 0.5,
            "expected_units": 100}
    out = client.post("/v1/price", json=body).json()
    assert out["price"] == pytest.approx(13.0) and out["elasticity_source"] == "given"
    for bad, field in (({"bounds": [1.3, 0.8]}, "bounds"), ({"list_price": 0}, "list_price"),
                       ({"elasticity": None, "expected_units": None}, "history")):
        r = client.post("/v1/price", json={**body, **bad})
        assert r.status_code == 422 and field in r.json()["message"], r.json()
    flat = [{**row, "price": 10.0} for row in history()]
    r = client.post("/v1/price", json={**body, "elasticity": None, "history": flat})
    assert r.status_code == 422 and "price variation" in r.json()["message"]


def test_formation_probability_matches_the_poisson_tail_and_updates(client) -> None:
    assert formation_probability(12, 10.0, 10.0) == pytest.approx(stats.poisson.sf(11, 10.0))
    assert formation_probability(12, 10.0, 30.0) > formation_probability(12, 10.0, 10.0)
    body = {"threshold": 30, "recent_participants": [18, 22, 20, 19, 21], "target": 0.9}
    out = client.post("/v1/group-formation", json=body).json()
    assert out["probability"] < 0.05 and out["model"] == "poisson"
    # no threshold down to the supplier's minimum (default half: 15) reaches 0.9: the minimum
    assert out["suggested_threshold"] == 15 and out["suggested_probability"] < 0.9
    out = client.post("/v1/group-formation", json={**body, "min_threshold": 5}).json()
    k = out["suggested_threshold"]
    assert 5 < k < 15 and out["suggested_probability"] >= 0.9
    assert formation_probability(k + 1, 20.0, 20.0) < 0.9  # the largest that reaches it
    late = client.post("/v1/group-formation", json={
        **body, "joined_so_far": 28, "share_of_day_elapsed": 0.8}).json()
    assert late["probability"] > 0.9
    r = client.post("/v1/group-formation", json={**body, "threshold": 0})
    assert r.status_code == 422 and "threshold" in r.json()["message"]
