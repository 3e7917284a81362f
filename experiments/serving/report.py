"""RESULTS.md of the serving benchmarks, assembled from the JSON files the runs write.

``benchmark.py``, ``fuzz.py`` and ``faults.py`` each write ``results/<name>.json`` and call
:func:`write_results`, which renders whatever results exist (with every target of issue 7 and
whether it was met) plus the hand-written reading in ``analysis.md``, if present.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
RESULTS_MD = HERE / "RESULTS.md"
ANALYSIS_MD = HERE / "analysis.md"


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, OS and Python of this machine."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                      .splitlines() if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version()}


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _row(rows: list[dict[str, Any]], server: str, endpoint: str, c: int) -> dict | None:
    return next((r for r in rows if r["server"] == server and r["endpoint"] == endpoint
                 and r["concurrency"] == c), None)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**missed**")


def targets(bench: dict | None, fuzz: dict | None, faults: dict | None) -> list[list[str]]:
    """[target, measured, verdict] for every target of issue 7's benchmark section."""
    out: list[list[str]] = []
    rows = [r for s in (bench or {}).get("servers", []) for r in s["rows"]]
    serve16 = _row(rows, "serve", "recommend", 16)
    plain16 = _row(rows, "plain", "recommend", 16)
    out.append(["/v1/recommend p99 <= 150 ms at 16 clients (Serve)",
                f"{serve16['p99_ms']:.1f} ms (load {serve16['uptime'].split('average:')[-1]})"
                if serve16 else "not run", _verdict(serve16["p99_ms"] <= 150 if serve16 else None)])
    if serve16 and plain16 and plain16["throughput"]:
        ratio = serve16["throughput"] / plain16["throughput"]
        out.append(["/v1/recommend throughput >= 50% of plain FastAPI at 16 clients",
                    f"{serve16['throughput']:.1f} / {plain16['throughput']:.1f} req/s = "
                    f"{ratio:.0%}", _verdict(ratio >= 0.5)])
    else:
        out.append(["/v1/recommend throughput >= 50% of plain FastAPI", "not run", "n/a"])
    for c in (1, 16):
        f = _row(rows, "serve", "forecast", c)
        out.append([f"/v1/forecast (100 series) p99 <= 500 ms, {c} client(s) (Serve)",
                    f"{f['p99_ms']:.1f} ms" if f else "not run",
                    _verdict(f["p99_ms"] <= 500 if f else None)])
    if fuzz:
        out.append([">= 1,000 schemathesis cases, zero 5xx (live Serve app)",
                    f"{fuzz['cases']} cases, {fuzz['server_errors']} 5xx",
                    _verdict(fuzz["cases"] >= 1000 and fuzz["server_errors"] == 0)])
    else:
        out.append([">= 1,000 schemathesis cases, zero 5xx", "not run", "n/a"])
    kill = (faults or {}).get("kill")
    out.append(["replica killed under load: < 1% failed requests",
                f"{kill['failed']} of {kill['requests']} failed ({kill['failed_fraction']:.3%}),"
                f" back to 2 replicas after {kill['recovery_s']:.1f} s"
                if kill and kill.get("recovery_s") is not None else
                (f"{kill['failed']} of {kill['requests']} failed; no recovery seen in 60 s"
                 if kill else "not run"),
                _verdict(kill["failed_fraction"] < 0.01 if kill else None)])
    alias = (faults or {}).get("alias")
    out.append(["champion alias moved under load: no dropped request",
                f"{alias['dropped']} of {alias['requests']} dropped; v{alias['from_version']} -> "
                f"v{alias['to_version']} served after {alias['switch_s']:.1f} s"
                if alias and alias.get("switch_s") is not None else
                (f"{alias['dropped']} dropped; switch not seen" if alias else "not run"),
                _verdict(alias["dropped"] == 0 and alias.get("switch_s") is not None
                         if alias else None)])
    memory = (faults or {}).get("memory")
    if memory and memory.get("deployments"):
        worst = max(memory["deployments"].items(), key=lambda kv: kv[1]["uss_slope_mb_per_min"])
        name, m = worst
        flat = all(d["uss_end_mb"] <= d["uss_start_mb"] * 1.05 + 5
                   for d in memory["deployments"].values())
        out.append([f"{memory['seconds']:.0f} s sustained load: flat memory (every process: "
                    "USS end <= start x 1.05 + 5 MB)",
                    f"steepest USS slope {name}: {m['uss_slope_mb_per_min']:+.1f} MB/min "
                    f"({m['uss_start_mb']:.0f} -> {m['uss_end_mb']:.0f} MB)", _verdict(flat)])
    else:
        out.append(["60 s sustained load: flat memory", "not run", "n/a"])
    return out


SPEED_RUNS = {
    "forecast_speed_before": "before (671e961): the per-request pandas path, main before issue "
                             "14 item 8",
    "forecast_speed_vectorised_49149b1": "vectorised, no memo (49149b1, `--no-forecast-memo`): "
                                         "one predict per batch, responses validated per point",
    "forecast_speed_memo_49149b1": "vectorised + memo (49149b1): responses validated, then "
                                   "dumped on the event loop",
    "forecast_speed_vectorised": "vectorised, no memo (fdccd1a, `--no-forecast-memo`): JSON "
                                 "rendered in the worker thread",
    "forecast_speed_memo": "vectorised + memo (fdccd1a, as shipped): JSON rendered in the worker "
                           "thread"}


def speed_target(runs: dict[str, dict]) -> list[str] | None:
    """[target, measured, verdict] of issue 14's /v1/forecast target, from the shipped run."""
    shipped = runs.get("forecast_speed_memo")
    row = _row([r for s in shipped["servers"] for r in s["rows"]], "serve", "forecast", 16) \
        if shipped else None
    if row is None:
        return None
    plain = runs.get("forecast_speed_vectorised")
    other = _row([r for s in plain["servers"] for r in s["rows"]], "serve", "forecast", 16) \
        if plain else None
    extra = f"; without the memo {other['p99_ms']:.1f} ms" if other else ""
    return ["/v1/forecast (100 series) p99 <= 200 ms at 16 clients (Serve, issue 14)",
            f"{row['p99_ms']:.1f} ms{extra}", _verdict(row["p99_ms"] <= 200)]


def _speed_section(runs: dict[str, dict]) -> list[str]:
    lines = ["## /v1/forecast speed (issue 14, item 8)", "",
             "The forecast rows alone (`--servers serve --endpoints forecast`), Serve through "
             "HAProxy, the same champion (forecast_market v1, LightGBM, 4 boosters: mean and 3 "
             "quantiles), 100 series x 7 days per request at a 90% service level; before and after"
             " the vectorised answer path (`groupbuy_ml.serving.services.forecast_answers`). "
             "Each row ran the code of the commit in its label (671e961 and fdccd1a from `git "
             "archive` copies of the tree, 49149b1 from the worktree); each run's command is "
             "printed under the table (its `--out` file copied to `results/`). With the memo "
             "every series is forecast once per champion version: the 1-client row (~1,000 "
             "requests x 100 of the 1,652 servable series) touches them all, so the 16-client "
             "row reads "
             "every forecast from the memo and measures request parsing, order quantities, "
             "response building and the HTTP path, not LightGBM; the row without the memo is the "
             "cost when every batch runs `model.predict` (LightGBM then takes most of each "
             "batch; the fdccd1a run without the memo had a load average of 7.4-8.4 against "
             "5.5 for the 49149b1 one). Other helpers' jobs ran on the machine at the same time "
             "(load averages next to every row).", ""]
    rows, commands = [], []
    for name, label in SPEED_RUNS.items():
        run = runs.get(name)
        if run is None:
            continue
        commands.append(f"- {label}: `{run['command']}` ({run['date']})")
        for server in run["servers"]:
            for r in server["rows"]:
                rows.append([label.split(":")[0], r["concurrency"], r["requests"],
                             f"{r['throughput']:.1f}", f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}",
                             r["errors"], r["uptime"].split("average:")[-1].strip()])
    lines += _table(["code", "clients", "requests", "req/s", "p50 ms", "p99 ms", "errors",
                     "load avg 1/5/15 min after the row"], rows)
    return lines + ["", *commands, ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _bench_section(bench: dict) -> list[str]:
    lines = ["## Throughput and latency", "",
             f"Command: `{bench['command']}` ({bench['date']}); {bench['duration_s']:.0f} s "
             f"measured per row after {bench['warmup_s']:.0f} s of warm-up; closed loop "
             "(each client sends its next request when the last one returns); champions "
             f"{bench['champions']['forecast']} and {bench['champions']['recommend']}.", ""]
    plain = {(r["endpoint"], r["concurrency"]): r for s in bench["servers"]
             if s["server"] == "plain" for r in s["rows"]}
    rows = []
    for server in bench["servers"]:
        for r in server["rows"]:
            base = plain.get((r["endpoint"], r["concurrency"]))
            ratio = (f"{r['throughput'] / base['throughput']:.2f}" if server["server"] != "plain"
                     and base and base["throughput"] else "")
            p99r = (f"{r['p99_ms'] / base['p99_ms']:.2f}" if server["server"] != "plain"
                    and base and base["p99_ms"] else "")
            rows.append([server["server"], r["endpoint"], r["concurrency"], r["requests"],
                         f"{r['throughput']:.1f}", f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}",
                         r["errors"], ratio, p99r, r["uptime"].split("average:")[-1].strip()])
    lines += _table(["server", "endpoint", "clients", "requests", "req/s", "p50 ms", "p99 ms",
                     "errors", "Serve/plain req/s", "Serve/plain p99",
                     "load avg 1/5/15 min after the row"],
                    rows)
    lines += ["", "Servers: `plain` = `plain_fastapi.py` (uvicorn, one process, the services "
              "called in its thread pool, one request per call); `serve` = the shipped Ray Serve "
              "app with the deployment options of `serving/groupbuy.yaml`, autoscaling pinned at "
              "one `api` replica so that no row is measured while a second one loads the models "
              "(HAProxy -> the `api` replica's own HTTP server: FastAPI + forecast/recommend "
              "services with `@serve.batch`; route requests -> `route` replica by a deployment "
              "handle); `serve-proxy` = the same app entered through Serve's Python proxy actor "
              "instead of HAProxy (proxy -> `api` replica by an actor call: one more Python "
              "process per request)."]
    lines.append("")
    for server in bench["servers"]:
        lines.append(f"- {server['server']}: started in {server['startup_s']} s; `uptime` "
                     f"before: `{server['uptime_before']}`; after: `{server['uptime_after']}`")
    return lines + [""]


def _earlier_section(bench: dict, name: str) -> list[str]:
    """An earlier benchmark run (same script), kept for comparison: req/s and p99 per row."""
    ingress = bench.get("serve_ingress", {}).get("serve", "proxy")
    lines = [f"### Earlier run ({name})", "", f"Command: `{bench['command']}` ({bench['date']}); "
             f"Serve entered through its {'Python proxy actor' if ingress == 'proxy' else ingress}"
             ".", ""]
    rows = []
    plain = {(r["endpoint"], r["concurrency"]): r for s in bench["servers"]
             if s["server"] == "plain" for r in s["rows"]}
    for r in (r for s in bench["servers"] if s["server"] == "serve" for r in s["rows"]):
        base = plain.get((r["endpoint"], r["concurrency"]), {})
        rows.append([r["endpoint"], r["concurrency"], f"{base.get('throughput', 0):.1f}",
                     f"{base.get('p99_ms', 0):.1f}", f"{r['throughput']:.1f}",
                     f"{r['p99_ms']:.1f}", r["uptime"].split("average:")[-1].strip()])
    lines += _table(["endpoint", "clients", "plain req/s", "plain p99 ms", "Serve req/s",
                     "Serve p99 ms", "load avg during the Serve row"], rows)
    return lines + [""]


def _fuzz_section(fuzz: dict) -> list[str]:
    lines = ["## Fuzzing (schemathesis against the live Serve app)", "",
             f"Command: `{fuzz['command']}` ({fuzz['date']}), schemathesis "
             f"{fuzz['schemathesis']}, {fuzz['examples']} examples per operation and mode "
             f"(positive, negative) plus {fuzz.get('route_examples', 0)} generated valid "
             "delivery problems (`route-problems`), "
             f"checks: {', '.join(fuzz['checks'])}. {fuzz['cases']} cases in "
             f"{fuzz['seconds']:.0f} s; 5xx answers: {fuzz['server_errors']}; other failed "
             f"checks: {fuzz.get('failed_checks', len(fuzz['failures']))}.", ""]
    rows = [[k.split(" ", 2)[0], k.split(" ", 2)[1], k.split(" ", 2)[2], n]
            for k, n in sorted(fuzz["statuses"].items())]
    lines += _table(["mode", "operation", "status", "cases"], rows)
    if fuzz["failures"]:
        lines += ["", "Failed checks (first ones):", ""]
        lines += [f"- {f}" for f in fuzz["failures"][:10]]
    return lines + [""]


def _memory_table(memory: dict) -> list[str]:
    rows = [[n, f"{d['rss_start_mb']:.0f}", f"{d['rss_end_mb']:.0f}", f"{d['rss_max_mb']:.0f}",
             f"{d['rss_slope_mb_per_min']:+.2f}", f"{d['uss_start_mb']:.0f}",
             f"{d['uss_end_mb']:.0f}", f"{d['uss_slope_mb_per_min']:+.2f}",
             f"{d.get('uss_slope_first_half', float('nan')):+.2f} / "
             f"{d.get('uss_slope_second_half', float('nan')):+.2f}"]
            for n, d in memory["deployments"].items()]
    return _table(["process", "RSS start MB", "RSS end MB", "RSS max MB", "RSS slope MB/min",
                   "USS start MB", "USS end MB", "USS slope MB/min", "USS slope 1st / 2nd half"],
                  rows)


def _load_lines(memory: dict, label: str) -> list[str]:
    """One line per endpoint on the load that ran during a memory run."""
    return [f"\n{label}, {endpoint}: {s['requests']} requests, {s['throughput']:.1f} req/s, "
            f"p99 {s['p99_ms']:.1f} ms, {s['errors']} errors."
            for endpoint in ("recommend", "forecast") if (s := memory.get(f"load_{endpoint}"))]


def _long_memory_section(record: dict) -> list[str]:
    memory = record["memory"]
    lines = ["### Longer memory run", "",
             f"Command: `{record['command']}` ({record['date']}): {memory['seconds']:.0f} s at "
             f"{sum(memory['clients'].values())} clients ({memory['clients']}) after "
             f"{memory['warmup_s']:.0f} s of warm-up load, processes {memory['replicas']}; "
             f"`uptime` before: `{record['uptime_before']}`, after: `{record['uptime_after']}`.",
             ""]
    lines += _memory_table(memory)
    lines += _load_lines(memory, "Load")
    return lines + [""]


def _faults_section(faults: dict) -> list[str]:
    lines = ["## Faults under load", "",
             f"Command: `{faults['command']}` ({faults['date']}); "
             f"`{faults.get('kill_deployment', 'recommend')}` deployment (serves /v1/recommend) "
             f"at {faults.get('replicas', 2)} replicas, registry "
             "polled every "
             f"{faults['poll_interval_s']} s; `uptime` before: `{faults['uptime_before']}`, "
             f"after: `{faults['uptime_after']}`.", ""]
    memory = faults.get("memory")
    if memory:
        lines += [f"Memory, {memory['seconds']:.0f} s at {sum(memory['clients'].values())} "
                  f"clients ({memory['clients']}) after {memory.get('warmup_s', 0):.0f} s of "
                  f"warm-up load, processes {memory['replicas']}, sampled every 2 s (USS = "
                  "memory unique to the process, RSS includes shared pages):", ""]
        lines += _memory_table(memory)
        lines += _load_lines(memory, "Load during the memory run")
        lines.append("")
    alias = faults.get("alias")
    if alias:
        switch = "not seen" if alias["switch_s"] is None else f"{alias['switch_s']:.1f}"
        lines += ["Alias move (16 clients on `/v1/recommend`, `champion` moved 5 s in):", ""]
        lines += _table(["from", "to", "served after s", "requests", "after the move",
                         "dropped", "p99 ms", "statuses"],
                        [[f"v{alias['from_version']}", f"v{alias['to_version']}", switch,
                          alias["requests"], alias["requests_after_move"], alias["dropped"],
                          f"{alias['p99_ms']:.1f}", json.dumps(alias["statuses"])]])
        lines.append("")
    kill = faults.get("kill")
    if kill:
        back = "not seen in 60 s" if kill["recovery_s"] is None else f"{kill['recovery_s']:.1f}"
        lines += [f"Replica kill (16 clients on `/v1/recommend`, one of the "
                  f"`{faults.get('kill_deployment', 'recommend')}` replicas killed 8 s in with "
                  "`ray.kill`):", ""]
        lines += _table(["replicas", "back to full after s", "requests", "failed",
                         "failed fraction", "p99 ms", "max ms", "statuses"],
                        [[kill["replicas_before"], back, kill["requests"], kill["failed"],
                          f"{kill['failed_fraction']:.3%}", f"{kill['p99_ms']:.1f}",
                          f"{kill['max_ms']:.1f}", json.dumps(kill["statuses"])]])
        lines.append("")
    return lines


def write_results() -> Path:
    """Render RESULTS.md from the JSON results that exist; returns its path."""
    bench, fuzz, faults = _load("benchmark"), _load("fuzz"), _load("faults")
    info = (bench or fuzz or faults or {}).get("machine") or machine()
    lines = ["# Serving: Ray Serve benchmark, fuzzing and faults (issue 7)", "",
             f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, "
             f"{info['os']}, Python {info['python']}. Everything on loopback; the load "
             "generator (`loadgen.py`, aiohttp on uvloop) runs in its own process on the same "
             "two cores as the servers, as do any other jobs running on the machine (see the "
             "load averages next to every row).", "", "## Targets", ""]
    speed = {name: run for name in SPEED_RUNS if (run := _load(name)) is not None}
    rows = targets(bench, fuzz, faults)
    if speed_target(speed):
        rows.insert(4, speed_target(speed))
    lines += _table(["target", "measured", "verdict"], rows)
    lines.append("")
    if ANALYSIS_MD.exists():
        lines += [ANALYSIS_MD.read_text().strip(), ""]
    if speed:
        lines += _speed_section(speed)
    if bench:
        lines += _bench_section(bench)
        for path in sorted(RESULTS_DIR.glob("benchmark_run*.json")):
            lines += _earlier_section(json.loads(path.read_text()), path.name)
    if fuzz:
        lines += _fuzz_section(fuzz)
    if faults:
        lines += _faults_section(faults)
    long_memory = _load("memory_long")
    if long_memory:
        lines += _long_memory_section(long_memory)
    lines += ["## Reproduce", "", "```bash",
              "python experiments/serving/setup_models.py --root /tmp/gb_serving  # champions",
              "python experiments/serving/benchmark.py --root /tmp/gb_serving",
              "python experiments/serving/fuzz.py --root /tmp/gb_serving",
              "python experiments/serving/faults.py --root /tmp/gb_serving",
              "python experiments/serving/faults.py --root /tmp/gb_serving --memory-only "
              "--memory-seconds 180", "```", ""]
    RESULTS_MD.write_text("\n".join(lines))
    return RESULTS_MD
