"""Fault runs against the live Ray Serve app, each under closed-loop load from ``loadgen.py``.

1. memory: 60 s of sustained load at 16 concurrent clients (12 on ``/v1/recommend``, 4 on
   ``/v1/forecast``) while the RSS and USS of every Serve replica process are sampled (psutil)
   every 2 s: start / end / max and the least-squares slope per deployment;
2. alias move: the ``champion`` alias of the recommender is moved to a second trained version
   (``tracking.promote``) under load at 16 clients; every failed or non-200 request counts as
   dropped, and ``/v1/models`` is polled to time when the replicas serve the new version
   (then the alias is moved back);
3. replica kill: the deployment that answers ``/v1/recommend`` (``api`` in the shipped config)
   runs 2 replicas; one is killed (``ray.kill`` on its actor) under load at 16 clients; the
   failed-request fraction and the time until Serve reports 2 running replicas again are
   measured.

Writes ``results/faults.json`` and regenerates ``RESULTS.md``.

    python experiments/serving/faults.py --root /tmp/gb_serving
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import Sample, summarize  # noqa: E402
from report import RESULTS_DIR, machine, write_results  # noqa: E402
from servers import (  # noqa: E402
    API_KEY_ENV,
    replica_processes,
    serve_app,
    shipped_deployments,
    start_loadgen,
    uptime,
    with_replicas,
)
from setup_models import RECOMMEND_MODEL, promote_run, setup_champions, train_recommender  # noqa: E402,I001

from groupbuy_ml.serving.config import ServingConfig  # noqa: E402
from groupbuy_ml.tracking import (  # noqa: E402
    champion_info,
    resolve_tracking,
    tracking_client,
)

API_KEY = "faults-key"
WARMUP_S = 10.0


def _samples(path: Path) -> tuple[list[Sample], float, dict[str, Any]]:
    record = json.loads(path.read_text())
    return [Sample(**s) for s in record["samples"]], record["began_unix"], record["summary"]


def slope_per_minute(times: list[float], values: list[float]) -> float:
    """Least-squares slope of ``values`` against ``times`` (s), per minute."""
    n = len(times)
    if n < 2:
        return float("nan")
    mt, mv = sum(times) / n, sum(values) / n
    var = sum((t - mt) ** 2 for t in times)
    return 60 * sum((t - mt) * (v - mv) for t, v in zip(times, values, strict=True)) / var


def memory_run(url: str, market: Path, seconds: float, work: Path,
               deployments: tuple[str, ...]) -> dict[str, Any]:
    """Sustained load with the memory of Serve's processes (ingress and replicas) sampled every
    2 s (after a 10 s warm-up load)."""
    procs = {d: replica_processes(d) for d in ("proxy", "haproxy_manager", "haproxy",
                                               *deployments)}
    procs = {d: p for d, p in procs.items() if p}
    loads = [start_loadgen(url, "recommend", 12, seconds, market, work / "mem_rec.json", API_KEY,
                           warmup_s=WARMUP_S),
             start_loadgen(url, "forecast", 4, seconds, market, work / "mem_fc.json", API_KEY,
                           warmup_s=WARMUP_S)]
    t0, trace = time.time(), []
    while any(p.poll() is None for p in loads):
        point: dict[str, Any] = {"t": round(time.time() - t0, 1), "unix": time.time()}
        for name in procs:
            try:
                infos = [p.memory_full_info() for p in procs[name]]
                point[name] = {"rss_mb": sum(i.rss for i in infos) / 2**20,
                               "uss_mb": sum(i.uss for i in infos) / 2**20}
            except Exception as error:  # a process went away: record it, follow its successor
                point[name] = {"error": type(error).__name__}
                procs[name] = replica_processes(name) or procs[name]  # HAProxy reloads: new pid
        trace.append(point)
        time.sleep(2.0)
    began = max(_samples(work / f)[1] for f in ("mem_rec.json", "mem_fc.json"))
    result: dict[str, Any] = {"seconds": seconds, "warmup_s": WARMUP_S,
                              "clients": {"recommend": 12, "forecast": 4},
                              "replicas": {d: len(p) for d, p in procs.items()},
                              "measured_from_t": round(began - t0, 1), "deployments": {},
                              "trace": trace}
    for name in procs:  # statistics over the measured part (after the warm-up load)
        points = [(p["t"], p[name]) for p in trace
                  if p["unix"] >= began and "rss_mb" in p.get(name, {})]
        if not points:
            continue
        rss = [m["rss_mb"] for _, m in points]
        uss = [m["uss_mb"] for _, m in points]
        times = [t for t, _ in points]
        half = len(times) // 2
        result["deployments"][name] = {
            "rss_start_mb": rss[0], "rss_end_mb": rss[-1], "rss_max_mb": max(rss),
            "rss_slope_mb_per_min": slope_per_minute(times, rss),
            "uss_start_mb": uss[0], "uss_end_mb": uss[-1],
            "uss_slope_mb_per_min": slope_per_minute(times, uss),
            "uss_slope_first_half": slope_per_minute(times[:half], uss[:half]),
            "uss_slope_second_half": slope_per_minute(times[half:], uss[half:])}
    for endpoint, file in (("recommend", "mem_rec.json"), ("forecast", "mem_fc.json")):
        samples, _, _ = _samples(work / file)
        result[f"load_{endpoint}"] = summarize(endpoint, 0, samples, seconds).__dict__
    return result


def served_version(client: httpx.Client, url: str) -> int | None:
    """The recommender version ``/v1/models`` reports."""
    answer = client.get(f"{url}/v1/models", headers={"X-API-Key": API_KEY}).json()
    return (answer.get("recommend") or {}).get("version")


def alias_run(url: str, market: Path, root: Path, other_run: str, work: Path) -> dict[str, Any]:
    """Move the alias to ``other_run``'s version under load; count drops, time the switch."""
    target = champion_info(RECOMMEND_MODEL, resolve_tracking(None, root))
    load = start_loadgen(url, "recommend", 16, 25.0, market, work / "alias.json", API_KEY)
    time.sleep(5.0)
    moved_at = time.time()
    promotion = promote_run(root, "recommend", other_run)
    switch_s = None
    with httpx.Client(timeout=10) as client:
        while time.time() - moved_at < 60:
            if served_version(client, url) == promotion.version:
                switch_s = time.time() - moved_at
                break
            time.sleep(0.25)
    load.wait()
    samples, began, summary = _samples(work / "alias.json")
    after = [s for s in samples if began + s.start >= moved_at]
    promote_run(root, "recommend", target.run_id if target else None)  # move it back
    return {"from_version": promotion.previous_version, "to_version": promotion.version,
            "switch_s": switch_s, "requests": summary["requests"],
            "dropped": summary["requests"] - summary["ok"], "statuses": summary["statuses"],
            "requests_after_move": len(after), "p99_ms": summary["p99_ms"]}


def kill_run(url: str, market: Path, work: Path, deployment: str) -> dict[str, Any]:
    """Kill one of the two replicas of ``deployment`` (the one serving /v1/recommend) under
    load; failed fraction and recovery time."""
    import ray
    from ray import serve

    load = start_loadgen(url, "recommend", 16, 50.0, market, work / "kill.json", API_KEY)
    time.sleep(8.0)
    names = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
             if a["namespace"] == "serve" and f"#{deployment}#" in a["name"]]
    killed_at = time.time()
    ray.kill(ray.get_actor(names[0], namespace="serve"), no_restart=True)
    recovery_s, seen_down = None, False
    while time.time() - killed_at < 60:
        app = serve.status().applications["groupbuy"]
        states = app.deployments[deployment].replica_states
        running = states.get("RUNNING", 0)
        seen_down = seen_down or running < 2
        if seen_down and running >= 2:
            recovery_s = time.time() - killed_at
            break
        time.sleep(0.2)
    load.wait()
    samples, began, summary = _samples(work / "kill.json")
    failed = [s for s in samples if not s.ok]
    return {"replicas_before": len(names), "killed": names[0], "recovery_s": recovery_s,
            "requests": summary["requests"], "failed": len(failed),
            "failed_fraction": len(failed) / max(summary["requests"], 1),
            "failed_after_kill_s": [round(began + s.start - killed_at, 2) for s in failed][:50],
            "statuses": summary["statuses"], "p99_ms": summary["p99_ms"],
            "max_ms": summary["max_ms"]}


def second_recommend_run(champions: Any, champion_run: str | None) -> str:
    """A finished recommender run other than the champion's (trained once, then reused):
    what the alias is moved to under load."""
    client = tracking_client(champions.tracking)
    experiment = client.get_experiment_by_name(RECOMMEND_MODEL)
    runs = client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'")
    others = [r.info.run_id for r in runs if r.info.run_id != champion_run]
    if others:
        return others[0]
    return str(train_recommender(champions.root, "model.alpha=0.6",
                                 "model.n_components=128")["run_id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/gb_serving"))
    parser.add_argument("--memory-seconds", type=float, default=60.0)
    parser.add_argument("--memory-only", action="store_true",
                        help="only the memory run, into results/memory_long.json")
    args = parser.parse_args()
    champions = setup_champions(args.root)
    current = champion_info(RECOMMEND_MODEL, champions.tracking)
    other_run = second_recommend_run(champions, current.run_id if current else None)
    os.environ[API_KEY_ENV] = API_KEY
    config = ServingConfig(root=str(champions.root), market_dir=str(champions.market_dir))
    record: dict[str, Any] = {
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine(),
        "uptime_before": uptime(), "poll_interval_s": config.poll_interval_s,
        "champion_version": current.version if current else None}
    shipped = shipped_deployments()
    # the deployment that answers /v1/recommend: its own, or the api replicas that hold it
    target = "recommend" if "recommend" in shipped else "api"
    record.update(kill_deployment=target, replicas=2)
    deployments = with_replicas(shipped, target, 2)
    with tempfile.TemporaryDirectory(prefix="s2_faults_") as tmp, \
            serve_app(config, deployments) as url:
        work = Path(tmp)
        record["memory"] = memory_run(url, champions.market_dir, args.memory_seconds, work,
                                      tuple(deployments))
        print("memory", json.dumps(record["memory"]["deployments"], indent=1))
        if args.memory_only:
            record["uptime_after"] = uptime()
            RESULTS_DIR.mkdir(exist_ok=True)
            (RESULTS_DIR / "memory_long.json").write_text(json.dumps(record, indent=1))
            print(f"wrote {write_results()}")
            return
        record["alias"] = alias_run(url, champions.market_dir, champions.root, other_run, work)
        print("alias", record["alias"])
        record["kill"] = kill_run(url, champions.market_dir, work, target)
        print("kill", record["kill"])
    record["uptime_after"] = uptime()
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "faults.json").write_text(json.dumps(record, indent=1))
    print(f"wrote {write_results()}")


if __name__ == "__main__":
    main()
