"""BodySizeLimit: 413 before parsing, with or without a Content-Length header."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from groupbuy_ml.serving.request_limits import BodySizeLimit


def _echo_app(limit: int) -> TestClient:
    app = FastAPI()
    app.add_middleware(BodySizeLimit, max_bytes=limit)

    @app.post("/echo")
    async def echo(request: Request) -> dict:
        return {"size": len(await request.body())}

    return TestClient(app)


def test_small_bodies_pass_and_large_ones_get_413() -> None:
    client = _echo_app(100)
    assert client.post("/echo", content=b"x" * 100).json() == {"size": 100}
    answer = client.post("/echo", content=b"x" * 101)
    assert answer.status_code == 413 and answer.json()["error"] == "payload_too_large"


def test_chunked_bodies_are_counted_as_they_arrive() -> None:
    client = _echo_app(100)

    def chunks(n: int):
        for _ in range(n):
            yield b"x" * 40

    assert client.post("/echo", content=chunks(2)).json() == {"size": 80}
    answer = client.post("/echo", content=chunks(5))
    assert answer.status_code == 413
    assert "100 bytes" in answer.text
