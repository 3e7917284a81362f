"""Run the Serve app locally: start Ray and Serve, deploy, wait until it answers, shut down.

:func:`running_app` is what ``groupbuy serve``, the demo, the end-to-end test and the serving
benchmarks use::

    with running_app(ServingConfig(root="."), port=8000) as base_url:
        httpx.post(f"{base_url}/v1/recommend", json={"user_id": 3, "k": 10})

Ray is started as the stack notes advise on small machines: a local cluster of its own
(``address="local"``), no dashboard, a bounded object store and a short temp folder; Serve's
access log is off. Requests enter through HAProxy by default (``ingress="haproxy"``, see
:mod:`groupbuy_ml.serving.ingress`), or through Serve's Python proxy (``ingress="proxy"``).
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.ingress import IngressMode, ingress_environment, process_environment

__all__ = ["free_port", "running_app", "wait_until_ready"]

APP_NAME = "groupbuy"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (bind to port 0 and read it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until_ready(base_url: str, timeout_s: float = 120.0,
                     headers: Mapping[str, str] | None = None) -> None:
    """Wait until ``/healthz`` and ``/v1/models`` answer 200.

    Raises:
        TimeoutError: it did not within ``timeout_s``.
    """
    deadline, last = time.monotonic() + timeout_s, "no answer"
    with httpx.Client(timeout=10.0) as client:
        while time.monotonic() < deadline:
            try:
                health = client.get(f"{base_url}/healthz")
                models = client.get(f"{base_url}/v1/models", headers=dict(headers or {}))
                if health.status_code == 200 and models.status_code == 200:
                    return
                last = f"healthz {health.status_code}, models {models.status_code}"
            except httpx.HTTPError as error:
                last = f"{type(error).__name__}: {error}"
            time.sleep(0.5)
    raise TimeoutError(f"{base_url} was not ready within {timeout_s} s ({last})")


def _start_ray(num_cpus: int, object_store_mb: int, temp_dir: str, attempts: int = 2,
               env: Mapping[str, str] | None = None) -> None:
    """A local Ray cluster of our own, its processes started with ``env`` added to this
    process's environment; started again once if its raylet misses Ray's fixed 30 s
    registration window (seen on a 2-core machine running several jobs at once)."""
    import ray

    for attempt in range(attempts):
        try:
            with process_environment(env or {}):  # Ray's processes inherit it
                ray.init(address="local", num_cpus=num_cpus, include_dashboard=False,
                         object_store_memory=object_store_mb * 2**20, _temp_dir=temp_dir,
                         logging_level=logging.WARNING)
            return
        except Exception as error:  # Ray raises a bare Exception for the startup timeout
            ray.shutdown()
            if attempt == attempts - 1 or "timed out during startup" not in str(error):
                raise


@contextmanager
def running_app(config: ServingConfig, port: int | None = None, host: str = "127.0.0.1",
                num_cpus: int = 2, object_store_mb: int = 256, temp_dir: str | None = None,
                deployment_options: Mapping[str, Mapping[str, Any]] | None = None,
                ready_timeout_s: float = 180.0, ingress: IngressMode = "haproxy") -> Iterator[str]:
    """Start a local Ray cluster and the Serve app on ``host:port``; yield its base URL.

    Args:
        config: serving settings (models, alias, store, market folder, API key variable).
        port: HTTP port (``None``: a free one).
        num_cpus, object_store_mb: the local Ray cluster's resources.
        temp_dir: Ray's temp/session folder (``None``: a fresh short folder under /tmp,
            removed on exit).
        deployment_options: per-deployment ``Deployment.options`` (see
            :func:`~groupbuy_ml.serving.app.build_application`).
        ready_timeout_s: how long to wait for the replicas to load their models.
        ingress: ``"haproxy"`` (HAProxy forwards to the replicas' own HTTP servers) or
            ``"proxy"`` (Serve's Python proxy actor); see :mod:`groupbuy_ml.serving.ingress`.

    On exit (also after an error or Ctrl-C) Serve and Ray are shut down.
    """
    import ray
    from ray import serve

    from groupbuy_ml.serving.app import build_application

    port = port or free_port(host)
    own_temp = temp_dir is None  # Ray's socket paths must stay under 107 bytes: keep it short
    temp_dir = temp_dir or tempfile.mkdtemp(prefix="ray_gb_", dir="/tmp")
    try:
        env = ingress_environment(ingress, stats_port=free_port(), metrics_port=free_port(),
                                  state_dir=f"{temp_dir}/hap")
        _start_ray(num_cpus, object_store_mb, temp_dir, env=env)
    except BaseException:
        if own_temp:
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    try:
        quiet = {"enable_access_log": False, "log_level": "WARNING"}
        serve.start(http_options={"host": host, "port": port}, logging_config=quiet)
        serve.run(build_application(config, deployment_options), name=APP_NAME,
                  route_prefix="/", logging_config=quiet)
        base_url = f"http://{host}:{port}"
        key = config.api_key()
        wait_until_ready(base_url, ready_timeout_s, {"X-API-Key": key} if key else None)
        yield base_url
    finally:
        try:
            serve.shutdown()
        finally:
            ray.shutdown()
            if own_temp:
                shutil.rmtree(temp_dir, ignore_errors=True)
