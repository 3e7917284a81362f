"""The Ray Serve app end to end: every endpoint, the API key, and a hot swap under load."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from groupbuy_ml.serving.runner import running_app

KEY = "test-key-123"
ROUTE = {"depot": {"x": 0, "y": 0, "due_time": 1000},
         "stops": [{"id": i, "x": 3 * i, "y": 4 * (i % 3), "demand": 10, "due_time": 500,
                    "service_time": 5} for i in range(1, 6)],
         "vehicles": {"count": 2, "capacity": 40}, "time_limit_s": 0.5}


def _versions(client: httpx.Client) -> tuple[int, int]:
    models = client.get("/v1/models").json()
    return models["forecast"]["version"], models["recommend"]["version"]


def _listener(url: str) -> str:
    """Name of the process whose HAProxy config binds ``url``'s port (or "not haproxy")."""
    port = url.rsplit(":", 1)[1]
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if cmdline and Path(cmdline[0]).name == "haproxy" and "-f" in cmdline:
            config = Path(cmdline[cmdline.index("-f") + 1])
            if config.exists() and re.search(rf"^\s*bind\s+\S*:{port}\s*$",
                                             config.read_text(), re.MULTILINE):
                return "haproxy"
    return "not haproxy"


@pytest.mark.server
def test_serve_app_end_to_end_and_hot_swap(serving_store, monkeypatch) -> None:
    monkeypatch.setenv("GROUPBUY_API_KEY", KEY)
    serving_store.train_text_models()
    config = serving_store.text_config(poll_interval_s=0.5)
    options = {"api": {"user_config": {"recommend_max_batch_size": 8, "poll_interval_s": 0.5,
                                       "forecast_model": config.forecast_model}}}
    with running_app(config, deployment_options=options) as url, \
            httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=60) as client:
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert _listener(url) == "haproxy"  # the shipped ingress: HAProxy, no proxy actor hop
        assert httpx.get(f"{url}/v1/models").status_code == 401
        denied = httpx.post(f"{url}/v1/recommend", json={"user_id": 1},
                            headers={"X-API-Key": "wrong"})
        assert denied.status_code == 401 and denied.json()["error"] == "unauthorized"
        before = _versions(client)

        forecast = client.post("/v1/forecast", json={
            "series": [{"location_id": 0, "product_id": 1}], "horizon": 3})
        assert forecast.status_code == 200, forecast.text
        assert len(forecast.json()["forecasts"][0]["points"]) == 3
        recommend = client.post("/v1/recommend", json={"user_id": 2, "k": 3})
        assert recommend.status_code == 200 and len(recommend.json()["items"]) <= 3
        route = client.post("/v1/route", json=ROUTE)
        assert route.status_code == 200 and route.json()["found"]
        review = client.post("/v1/review", json={"reviews": [{"text": "送餐太慢了"}]})
        assert review.status_code == 200 and review.json()["results"][0]["sentiment"] == \
            "negative"
        intent = client.post("/v1/intent", json={"questions": [{"text": "我要退款"}]})
        assert intent.status_code == 200 and intent.json()["results"][0]["intent"] == \
            "refund_return"
        empty = client.post("/v1/review", json={"reviews": [{"text": ""}]})
        assert empty.status_code == 422 and empty.json()["detail"][0]["field"] == \
            "body.reviews.0.text"
        bad = client.post("/v1/recommend", json={"user_id": 2, "k": 0})
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.k"
        missing = client.post("/v1/recommend", json={"user_id": 10**6})
        assert missing.status_code == 404 and missing.json()["detail"][0]["field"] == \
            "body.user_id"

        failures, answered, stop = [], [0], threading.Event()

        def load() -> None:
            with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=60) as c:
                while not stop.is_set():
                    for path, body in (("/v1/recommend", {"user_id": 3, "k": 5}),
                                       ("/v1/forecast", {"series": [
                                           {"location_id": 1, "product_id": 2}]})):
                        r = c.post(path, json=body)
                        answered[0] += 1
                        if r.status_code != 200:
                            failures.append((path, r.status_code, r.text[:200]))

        workers = [threading.Thread(target=load) for _ in range(2)]
        for w in workers:
            w.start()
        try:
            after = (serving_store.train_forecaster(num_leaves=5),
                     serving_store.train_recommender())
            assert after[0] > before[0] and after[1] > before[1]
            deadline = time.monotonic() + 60
            while _versions(client) != after and time.monotonic() < deadline:
                time.sleep(0.5)
            assert _versions(client) == after
            served = client.post("/v1/recommend", json={"user_id": 3}).json()["model"]
            assert served["version"] == after[1]
        finally:
            stop.set()
            for w in workers:
                w.join()
        assert answered[0] > 0 and failures == []
