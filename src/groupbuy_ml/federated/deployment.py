"""A real Flower deployment on loopback: one SuperLink, one SuperNode process per client.

:func:`run_deployment` starts ``flower-superlink`` and ``flower-supernode`` processes on free
ports with ``FLWR_HOME`` in the run's folder, writes a Flower app folder (a ``pyproject.toml``
whose ``[tool.flwr.app.components]`` name this package's ServerApp and ClientApp, and whose run
config carries the path of the pickled :class:`~groupbuy_ml.federated.spec.FederationSpec`),
registers the SuperLink in ``$FLWR_HOME/config.toml`` (where Flower 1.32 keeps its SuperLink
connections) and submits the run with ``flwr run --stream``. Runtime dependency installation is
off (``FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION=1``): the apps run on this environment's
packages. Every process it started is stopped on exit, also on errors and timeouts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

from groupbuy_ml.federated.spec import SPEC_FILE_KEY, FederationSpec, save_spec

__all__ = ["free_port", "run_deployment", "write_app"]

log = logging.getLogger(__name__)

FEDERATION = "groupbuy-local"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bin(name: str) -> str:
    """A console script of this environment (next to the interpreter), else from PATH."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def write_app(app_dir: Path, spec_file: Path) -> Path:
    """The Flower app folder ``flwr run`` submits: components and run config only."""
    app_dir.mkdir(parents=True, exist_ok=True)
    (app_dir / "pyproject.toml").write_text(f"""[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "groupbuy-federated"
version = "1.0.0"
description = "groupbuy-ml federated run (apps from the installed groupbuy_ml package)"
dependencies = []

[tool.hatch.build.targets.wheel]
packages = ["."]

[tool.flwr.app]
publisher = "groupbuy"

[tool.flwr.app.components]
serverapp = "groupbuy_ml.federated.server_app:app"
clientapp = "groupbuy_ml.federated.client_app:app"

[tool.flwr.app.config]
{SPEC_FILE_KEY} = "{spec_file}"
""")
    return app_dir


def _write_connection(flwr_home: Path, control_address: str) -> None:
    flwr_home.mkdir(parents=True, exist_ok=True)
    (flwr_home / "config.toml").write_text(f"""[superlink]
default = "{FEDERATION}"

[superlink.{FEDERATION}]
address = "{control_address}"
insecure = true
""")


@contextlib.contextmanager
def _processes() -> Iterator[list[subprocess.Popen]]:
    """Processes started inside the block are stopped when it ends: each one's process group
    and every descendant (a SuperNode's ClientApp processes), waited for until they are gone."""
    started: list[subprocess.Popen] = []
    try:
        yield started
    finally:
        family: list[psutil.Process] = []
        for proc in started:
            with contextlib.suppress(psutil.Error):
                family += psutil.Process(proc.pid).children(recursive=True)
        for proc in reversed(started):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for child in family:
            with contextlib.suppress(psutil.Error):
                child.terminate()
        deadline = time.monotonic() + 10
        for proc in started:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        _, alive = psutil.wait_procs(family, timeout=max(deadline - time.monotonic(), 1.0))
        for child in alive:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(alive, timeout=5)


def _start(cmd: list[str], env: dict[str, str], log_file: Path,
           started: list[subprocess.Popen]) -> subprocess.Popen:
    handle = open(log_file, "w")  # noqa: SIM115 - closed with the process group
    proc = subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)
    started.append(proc)
    return proc


def _wait_for_port(port: int, proc: subprocess.Popen, log_file: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: "
                               f"{log_file.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} after {timeout:.0f} s ({log_file})")


def run_deployment(spec: FederationSpec, num_clients: int, workdir: Path,
                   timeout: float = 900.0) -> Path:
    """Run ``spec`` on a SuperLink and ``num_clients`` SuperNodes; returns the log folder."""
    workdir = Path(workdir)
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    spec_file = save_spec(spec, workdir / "spec.pkl")
    app_dir = write_app(workdir / "app", spec_file)
    flwr_home = workdir / "flwr_home"
    serverappio, fleet, control = free_port(), free_port(), free_port()
    _write_connection(flwr_home, f"127.0.0.1:{control}")
    # The SuperLink and SuperNodes spawn `flower-superexec` from PATH: this environment's first.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "FLWR_HOME": str(flwr_home),
           "FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION": "1", "PYTHONUNBUFFERED": "1"}
    with _processes() as started:
        link_log = logs / "superlink.log"
        link = _start([_bin("flower-superlink"), "--insecure",
                       "--serverappio-api-address", f"127.0.0.1:{serverappio}",
                       "--fleet-api-address", f"127.0.0.1:{fleet}",
                       "--control-api-address", f"127.0.0.1:{control}"],
                      env, link_log, started)
        _wait_for_port(control, link, link_log, 60)
        _wait_for_port(fleet, link, link_log, 60)
        for partition in range(num_clients):
            _start([_bin("flower-supernode"), "--insecure", "--superlink", f"127.0.0.1:{fleet}",
                    "--clientappio-api-address", f"127.0.0.1:{free_port()}",
                    "--node-config", f"partition-id={partition} num-partitions={num_clients}"],
                   env, logs / f"supernode_{partition}.log", started)
        run_log = logs / "flwr_run.log"
        with open(run_log, "w") as handle:
            try:
                done = subprocess.run(
                    [_bin("flwr"), "run", str(app_dir), FEDERATION, "--stream"], env=env,
                    cwd=workdir, stdout=handle, stderr=subprocess.STDOUT, timeout=timeout,
                    start_new_session=True)
            except subprocess.TimeoutExpired as err:
                raise TimeoutError(f"the deployment run took over {timeout:.0f} s; logs in "
                                   f"{logs}") from err
        if done.returncode != 0:
            raise RuntimeError(f"flwr run failed ({done.returncode}): "
                               f"{run_log.read_text()[-3000:]}")
    return logs
