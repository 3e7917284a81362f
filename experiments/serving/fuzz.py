"""schemathesis against the live Ray Serve app's OpenAPI document: >= 1,000 generated cases.

The app is started as in the benchmark (shipped Serve config, real champions, an API key);
schemathesis loads ``/openapi.json`` over HTTP and, for every operation, generates
``--examples`` schema-valid and as many schema-invalid requests (Hypothesis strategies from
``APIOperation.as_strategy``), sends each with the API key and runs the checks
``not_a_server_error``, ``status_code_conformance``, ``content_type_conformance`` and
``response_schema_conformance`` on the answer. Every status is counted; the run fails on any 5xx.

One change to generated data, so that 1,000+ cases fit in minutes: a generated route request
whose ``time_limit_s`` is valid but above 0.3 s gets 0.3 s (the solver uses its whole budget);
every other field is sent as generated.

JSON Schema cannot say "x together with y" or "lat/lon when metric is haversine", so schema-valid
route bodies almost never pass the request model's cross-field rules and never reach the solver.
A third mode, ``route-problems``, therefore draws *valid* delivery problems from a Hypothesis
strategy of its own (1-25 stops, any windows, demands and fleet, tight or loose) and sends them
to ``/v1/route``: every answer must be 2xx/4xx and a 200 must parse as ``RouteResponse``.

    python experiments/serving/fuzz.py --root /tmp/gb_serving --examples 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_cases import (  # noqa: E402
    CHECKS,
    ROUTE_BUDGET_S,
    failed_checks,
    for_each_case,
    generated,
    route_problems,
)
from report import RESULTS_DIR, machine, write_results  # noqa: E402
from servers import API_KEY_ENV, serve_app, uptime  # noqa: E402
from setup_models import setup_champions  # noqa: E402

from groupbuy_ml.serving.config import ServingConfig  # noqa: E402
from groupbuy_ml.serving.schemas import RouteResponse  # noqa: E402

API_KEY = "fuzz-key"


def _fuzz_operation(operation: Any, mode: GenerationMode, examples: int,
                    headers: dict[str, str], statuses: Counter, failures: list[str]) -> None:
    label = f"{operation.method.upper()}_{operation.path}"

    def handle(case: schemathesis.Case) -> None:
        try:
            response = case.call(headers=headers, timeout=60)
        except Exception as error:  # connection-level failure: count it, keep going
            statuses[f"{mode.value} {label} error:{type(error).__name__}"] += 1
            return
        statuses[f"{mode.value} {label} {response.status_code}"] += 1
        titles = failed_checks(case, response)
        if titles:
            failures.append(f"{mode.value} {label} -> {response.status_code}: {titles}: "
                            f"{response.text[:160]}")

    for_each_case(operation, mode, examples, headers, handle)


def fuzz_schema(schema: Any, modes: list[GenerationMode], examples: int,
                headers: dict[str, str]) -> tuple[Counter, list[str]]:
    """Every operation x mode: ``examples`` generated cases, sent and checked.

    Returns status counts keyed ``"<mode> <METHOD /path> <status>"`` and the failed checks."""
    statuses: Counter = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            try:
                _fuzz_operation(operation, mode, examples, headers, statuses, failures)
            except Unsatisfiable:  # nothing to make invalid (GET /healthz)
                continue
    return statuses, failures


def fuzz_route_problems(url: str, examples: int, headers: dict[str, str],
                        statuses: Counter, failures: list[str]) -> None:
    """Send ``examples`` valid generated delivery problems to ``/v1/route``."""
    label = "route-problems POST_/v1/route"
    with httpx.Client(timeout=60, headers=headers) as client:

        @given(body=route_problems())
        @generated(examples)
        def run(body: dict[str, Any]) -> None:
            try:
                response = client.post(f"{url}/v1/route", json=body)
            except httpx.HTTPError as error:
                statuses[f"{label} error:{type(error).__name__}"] += 1
                failures.append(f"{label}: {type(error).__name__} for {json.dumps(body)[:300]}")
                return
            statuses[f"{label} {response.status_code}"] += 1
            if response.status_code >= 500:
                failures.append(f"{label} -> {response.status_code}: {response.text[:160]} "
                                f"for {json.dumps(body)[:300]}")
            elif response.status_code == 200:
                RouteResponse.model_validate(response.json())

        run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/gb_serving"))
    parser.add_argument("--examples", type=int, default=200,
                        help="generated cases per operation and mode")
    parser.add_argument("--route-examples", type=int, default=100,
                        help="generated valid delivery problems")
    args = parser.parse_args()
    champions = setup_champions(args.root)
    os.environ[API_KEY_ENV] = API_KEY
    config = ServingConfig(root=str(champions.root), market_dir=str(champions.market_dir))
    record: dict[str, Any] = {
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine(),
        "schemathesis": schemathesis.__version__, "examples": args.examples,
        "route_examples": args.route_examples,
        "checks": [c.__name__ for c in CHECKS], "route_budget_s": ROUTE_BUDGET_S,
        "uptime_before": uptime()}
    with serve_app(config) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        started = time.perf_counter()
        statuses, failures = fuzz_schema(schema, [GenerationMode.POSITIVE,
                                                  GenerationMode.NEGATIVE],
                                         args.examples, {"X-API-Key": API_KEY})
        fuzz_route_problems(url, args.route_examples, {"X-API-Key": API_KEY}, statuses,
                            failures)
        record["seconds"] = time.perf_counter() - started
    record["uptime_after"] = uptime()
    record["statuses"] = dict(statuses)
    record["cases"] = sum(statuses.values())
    record["server_errors"] = sum(n for k, n in statuses.items()
                                  if k.rsplit(" ", 1)[1].startswith("5"))
    record["failed_checks"] = len(failures)
    record["failures"] = [f"{n} x {f}" for f, n in Counter(failures).most_common()]
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "fuzz.json").write_text(json.dumps(record, indent=1))
    print(f"{record['cases']} cases, {record['server_errors']} 5xx, "
          f"{len(failures)} failed checks in {record['seconds']:.0f} s")
    for line in record["failures"][:10]:
        print(" ", line)
    print(f"wrote {write_results()}")


if __name__ == "__main__":
    main()
