"""The load generator's statistics (hand-computed numbers) and its closed loop against a real
loopback server that answers 200, 503 or closes the connection."""

from __future__ import annotations

import asyncio
import math
import socket

import pytest
from aiohttp import web
from loadgen import Sample, percentile, run_load, summarize


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]  # sorted 10 20 30 40; rank = (n - 1) q / 100
    assert percentile(values, 50) == pytest.approx(25.0)   # rank 1.5
    assert percentile(values, 99) == pytest.approx(39.7)   # rank 2.97: 30 + 0.97 * 10
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="q must lie"):
        percentile(values, 101)


def test_summarize_counts_errors_and_throughput() -> None:
    samples = [Sample(0.0, 0.010, 200), Sample(0.1, 0.020, 200), Sample(0.2, 0.030, 503),
               Sample(0.3, 1.000, 0, "ServerDisconnectedError")]
    s = summarize("recommend", 4, samples, seconds=2.0)
    assert (s.requests, s.ok, s.errors) == (4, 2, 2)
    assert s.error_rate == 0.5
    assert s.throughput == 1.0                      # 2 successful requests in 2 s
    assert s.p50_ms == pytest.approx(20.0)          # latencies of answered requests: 10 20 30
    assert s.p99_ms == pytest.approx(29.8)          # rank 1.98: 20 + 0.98 * 10
    assert s.mean_ms == pytest.approx(20.0)
    assert s.statuses == {"200": 2, "503": 1, "error:ServerDisconnectedError": 1}


async def _serve_and_load(n_requests: int, concurrency: int) -> tuple[list[Sample], list[str]]:
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(request.headers.get("X-API-Key", ""))
        if body["i"] % 5 == 4:
            return web.json_response({"error": "busy"}, status=503)
        return web.json_response({"echo": body["i"]})

    app = web.Application()
    app.router.add_post("/v1/echo", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    counter = iter(range(10**6))
    try:
        samples, _ = await run_load(
            f"http://127.0.0.1:{port}", lambda rng: ("POST", "/v1/echo", {"i": next(counter)}),
            concurrency, n_requests=n_requests, headers={"X-API-Key": "k"})
    finally:
        await runner.cleanup()
    return samples, seen


def test_closed_loop_sends_exactly_n_requests_and_records_statuses() -> None:
    samples, seen = asyncio.run(_serve_and_load(n_requests=50, concurrency=4))
    assert len(samples) == 50 and len(seen) == 50
    assert set(seen) == {"k"}
    statuses = sorted(s.status for s in samples)
    assert statuses.count(503) == 10 and statuses.count(200) == 40
    assert all(s.latency > 0 and s.start >= 0 for s in samples)


def test_refused_connection_is_an_error_not_a_crash() -> None:
    with socket.socket() as sock:  # a port nothing listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    samples, _ = asyncio.run(run_load(f"http://127.0.0.1:{port}",
                                      lambda rng: ("GET", "/healthz", None), 2, n_requests=3))
    assert len(samples) == 3
    assert all(s.status == 0 and s.error and not s.ok for s in samples)


def test_run_load_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        asyncio.run(run_load("http://x", lambda rng: ("GET", "/", None), 1))
    with pytest.raises(ValueError, match="concurrency"):
        asyncio.run(run_load("http://x", lambda rng: ("GET", "/", None), 0, n_requests=1))
