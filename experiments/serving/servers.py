"""The two servers the benchmark compares, and the load generator process that drives them.

- :func:`serve_app`: the Ray Serve app (:func:`groupbuy_ml.serving.runner.running_app`) with the
  deployment options of the shipped Serve config ``serving/groupbuy.yaml``, entered through
  HAProxy (the default) or Serve's Python proxy (``ingress="proxy"``);
- :func:`plain_app`: ``plain_fastapi.py`` in its own uvicorn process;
- :func:`run_loadgen`: ``loadgen.py`` in its own process, so that the client never shares the
  server's event loop (it still shares the machine's two cores, as any loopback benchmark does);
- :func:`replica_processes`: the OS processes of a Serve deployment's replicas (psutil), for
  memory sampling and fault injection.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import yaml

from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.runner import APP_NAME, free_port, running_app, wait_until_ready

HERE = Path(__file__).resolve().parent
SERVE_CONFIG = HERE.parents[1] / "serving" / "groupbuy.yaml"
API_KEY_ENV = "GROUPBUY_API_KEY"


def shipped_deployments(path: Path = SERVE_CONFIG) -> dict[str, dict[str, Any]]:
    """Per-deployment options of the Serve config file the project ships."""
    app = yaml.safe_load(path.read_text())["applications"][0]
    return {d["name"]: {k: v for k, v in d.items() if k != "name"} for d in app["deployments"]}


def with_replicas(options: Mapping[str, Mapping[str, Any]], deployment: str,
                  replicas: int) -> dict[str, dict[str, Any]]:
    """``options`` with ``deployment`` fixed at ``replicas`` replicas (autoscaling off)."""
    changed = copy.deepcopy({k: dict(v) for k, v in options.items()})
    changed[deployment].pop("autoscaling_config", None)
    changed[deployment]["num_replicas"] = replicas
    return changed


@contextmanager
def serve_app(config: ServingConfig, deployments: Mapping[str, Mapping[str, Any]] | None = None,
              temp_dir: str = "/tmp/ray_s2", ingress: str = "haproxy") -> Iterator[str]:
    """The Ray Serve app on a free loopback port (2 CPUs); yields its base URL."""
    Path(temp_dir).mkdir(parents=True, exist_ok=True)
    options = shipped_deployments() if deployments is None else deployments
    with running_app(config, num_cpus=2, object_store_mb=256, temp_dir=temp_dir,
                     deployment_options=options, ingress=ingress) as base_url:
        yield base_url


@contextmanager
def plain_app(config: ServingConfig, timeout_s: float = 120.0) -> Iterator[str]:
    """``plain_fastapi.py`` (uvicorn, one worker) on a free loopback port; yields its URL."""
    port = free_port()
    command = [sys.executable, str(HERE / "plain_fastapi.py"), "--port", str(port),
               "--config", config.model_dump_json()]
    process = subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        key = config.api_key()
        wait_until_ready(base_url, timeout_s, {"X-API-Key": key} if key else None)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_loadgen(base_url: str, endpoint: str, concurrency: int, duration_s: float,
                market_dir: Path, api_key: str | None = None, warmup_s: float = 2.0,
                samples: bool = False, seed: int = 0, out: Path | None = None,
                extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run ``loadgen.py`` to completion in its own process; returns its JSON record."""
    out = out or Path(f"/tmp/s2_loadgen_{os.getpid()}_{time.monotonic_ns()}.json")
    command = [sys.executable, str(HERE / "loadgen.py"), "--url", base_url, "--endpoint",
               endpoint, "--concurrency", str(concurrency), "--duration", str(duration_s),
               "--warmup", str(warmup_s), "--market-dir", str(market_dir), "--seed", str(seed),
               "--out", str(out), *extra]
    if api_key:
        command += ["--api-key", api_key]
    if samples:
        command.append("--samples")
    subprocess.run(command, check=True)
    record = json.loads(out.read_text())
    out.unlink()
    return record


def start_loadgen(base_url: str, endpoint: str, concurrency: int, duration_s: float,
                  market_dir: Path, out: Path, api_key: str | None = None,
                  warmup_s: float = 0.0) -> subprocess.Popen:
    """Start ``loadgen.py`` (every sample recorded) without waiting: for fault runs."""
    command = [sys.executable, str(HERE / "loadgen.py"), "--url", base_url, "--endpoint",
               endpoint, "--concurrency", str(concurrency), "--duration", str(duration_s),
               "--warmup", str(warmup_s), "--market-dir", str(market_dir), "--samples",
               "--out", str(out)]
    if api_key:
        command += ["--api-key", api_key]
    return subprocess.Popen(command)


INGRESS_PROCESSES = {"proxy": "ray::ProxyActor", "haproxy_manager": "ray::HAProxyManager"}


def replica_processes(deployment: str, app: str = APP_NAME) -> list[psutil.Process]:
    """Processes of ``deployment``'s Serve replicas (Ray titles them
    ``ray::ServeReplica:<app>:<deployment>``); ``"proxy"`` gives Serve's HTTP proxy actor,
    ``"haproxy_manager"`` the actor that runs HAProxy, ``"haproxy"`` HAProxy itself."""
    title = INGRESS_PROCESSES.get(deployment, f"ray::ServeReplica:{app}:{deployment}")
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or [""]
        if deployment == "haproxy":
            if Path(cmdline[0]).name == "haproxy":
                found.append(process)
        elif cmdline[0].split(".", 1)[0].strip() == title:
            found.append(process)
    return found


def uptime() -> str:
    """``uptime``'s load averages, as recorded next to every table."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
