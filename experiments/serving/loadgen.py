"""A closed-loop HTTP load generator: N workers, each sending its next request when the last
one returns, for a fixed duration or request count.

Every request is recorded (start offset, latency, status, error); the summary gives throughput,
p50 / p99 latency and the error rate. It runs in its own process (``python loadgen.py ...``
writes a JSON file) so that the client's CPU is never the server's event loop. aiohttp on uvloop
keeps the client's own cost per request low, which matters on a 2-core machine where client and
server share the CPUs.

    python experiments/serving/loadgen.py --url http://127.0.0.1:8000 --endpoint recommend \\
        --concurrency 16 --duration 20 --market-dir /tmp/gb_serving/outputs/market --out r.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import Body, Catalog, factory_for  # noqa: E402

RequestFactory = Callable[[random.Random], Body]


@dataclass(frozen=True)
class Sample:
    """One request: ``start`` seconds after the run began, ``latency`` in seconds, HTTP
    ``status`` (0 when no response came back) and the client-side ``error``, if any."""

    start: float
    latency: float
    status: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.error is None


@dataclass(frozen=True)
class LoadSummary:
    """Throughput (successful requests per second), latency percentiles over all answered
    requests (ms) and the error fraction of one load run."""

    endpoint: str
    concurrency: int
    requests: int
    ok: int
    errors: int
    error_rate: float
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    statuses: dict[str, int]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation between closest ranks
    (NumPy's default, Hyndman & Fan type 7); NaN for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must lie in [0, 100], not {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(endpoint: str, concurrency: int, samples: Sequence[Sample],
              seconds: float) -> LoadSummary:
    """Aggregate ``samples`` of a run that lasted ``seconds``."""
    latencies = [s.latency * 1000 for s in samples if s.status]
    ok = sum(s.ok for s in samples)
    statuses: dict[str, int] = {}
    for s in samples:
        key = str(s.status) if s.status else f"error:{s.error}"
        statuses[key] = statuses.get(key, 0) + 1
    errors = len(samples) - ok
    return LoadSummary(
        endpoint=endpoint, concurrency=concurrency, requests=len(samples), ok=ok, errors=errors,
        error_rate=errors / len(samples) if samples else math.nan, seconds=seconds,
        throughput=ok / seconds if seconds > 0 else math.nan,
        p50_ms=percentile(latencies, 50), p99_ms=percentile(latencies, 99),
        mean_ms=sum(latencies) / len(latencies) if latencies else math.nan,
        max_ms=max(latencies) if latencies else math.nan, statuses=statuses,
    )


async def _worker(session: aiohttp.ClientSession, base_url: str, factory: RequestFactory,
                  rng: random.Random, t0: float, stop: Callable[[], bool],
                  out: list[Sample]) -> None:
    while not stop():
        method, path, body = factory(rng)
        started = time.perf_counter()
        status, error = 0, None
        try:
            async with session.request(method, base_url + path, json=body) as response:
                await response.read()
                status = response.status
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            error = type(exc).__name__
        out.append(Sample(started - t0, time.perf_counter() - started, status, error))


async def run_load(base_url: str, factory: RequestFactory, concurrency: int,
                   duration_s: float | None = None, n_requests: int | None = None,
                   headers: dict[str, str] | None = None, timeout_s: float = 30.0,
                   seed: int = 0) -> tuple[list[Sample], float]:
    """Closed-loop load: ``concurrency`` workers until ``duration_s`` passed or ``n_requests``
    were sent; returns every sample and the wall time in seconds."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, not {concurrency}")
    if (duration_s is None) == (n_requests is None):
        raise ValueError("give exactly one of duration_s and n_requests")
    samples: list[Sample] = []
    sent = [0]
    t0 = time.perf_counter()

    def stop() -> bool:
        if duration_s is not None:
            return time.perf_counter() - t0 >= duration_s
        sent[0] += 1
        return sent[0] > n_requests  # type: ignore[operator]

    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     headers=headers or {}) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(
            _worker(session, base_url.rstrip("/"), factory, random.Random(seed * 1000 + i), t0,
                    stop, samples)
            for i in range(concurrency)
        ))
    return samples, time.perf_counter() - t0


def measure(base_url: str, endpoint: str, catalog: Catalog, concurrency: int,
            duration_s: float, warmup_s: float = 2.0, api_key: str | None = None,
            seed: int = 0, **factory_args: int) -> tuple[LoadSummary, list[Sample], float]:
    """Warm up, then run the load; returns the summary, the samples and the Unix time the
    measured run began."""
    import uvloop

    factory = factory_for(endpoint, catalog, **factory_args)
    headers = {"X-API-Key": api_key} if api_key else {}
    if warmup_s > 0:
        uvloop.run(run_load(base_url, factory, concurrency, duration_s=warmup_s,
                            headers=headers, seed=seed + 7919))
    began = time.time()
    samples, seconds = uvloop.run(run_load(base_url, factory, concurrency,
                                           duration_s=duration_s, headers=headers, seed=seed))
    return summarize(endpoint, concurrency, samples, seconds), samples, began


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="closed-loop HTTP load generator")
    parser.add_argument("--url", required=True)
    parser.add_argument("--endpoint", required=True, choices=["recommend", "forecast", "route",
                                                              "models", "healthz"])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--market-dir", type=Path, required=True)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--series", type=int, default=100, help="series per forecast request")
    parser.add_argument("--stops", type=int, default=8, help="stops per route request")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", action="store_true", help="also write every sample")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    catalog = Catalog.from_market(args.market_dir)
    summary, samples, began = measure(
        args.url, args.endpoint, catalog, args.concurrency, args.duration, args.warmup,
        args.api_key, args.seed, n_series=args.series, n_stops=args.stops)
    record = {"summary": asdict(summary), "began_unix": began}
    if args.samples:
        record["samples"] = [asdict(s) for s in samples]
    args.out.write_text(json.dumps(record))


if __name__ == "__main__":
    main()
