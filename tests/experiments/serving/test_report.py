"""RESULTS.md verdicts of the serving benchmark, from hand-made result records."""

from __future__ import annotations

from report import targets


def _row(server: str, endpoint: str, c: int, throughput: float, p99: float) -> dict:
    return {"server": server, "endpoint": endpoint, "concurrency": c, "throughput": throughput,
            "p99_ms": p99, "uptime": "up 1:00, load average: 0.50, 0.40, 0.30"}


BENCH = {"servers": [
    {"server": "plain", "rows": [_row("plain", "recommend", 16, 200.0, 90.0)]},
    {"server": "serve", "rows": [_row("serve", "recommend", 16, 120.0, 140.0),
                                 _row("serve", "forecast", 1, 5.0, 480.0),
                                 _row("serve", "forecast", 16, 4.0, 3000.0)]},
]}
FUZZ = {"cases": 1204, "server_errors": 0}
FAULTS = {
    "kill": {"failed": 3, "requests": 1000, "failed_fraction": 0.003, "recovery_s": 20.0},
    "alias": {"dropped": 1, "requests": 900, "from_version": 1, "to_version": 2,
              "switch_s": 4.2},
    "memory": {"seconds": 60, "deployments": {
        "recommend": {"uss_start_mb": 1000.0, "uss_end_mb": 1040.0,
                      "uss_slope_mb_per_min": 40.0},
        "ingress": {"uss_start_mb": 200.0, "uss_end_mb": 280.0, "uss_slope_mb_per_min": 80.0}}},
}


def _find(rows: list[list[str]], words: str) -> list[str]:
    (row,) = [r for r in rows if words in r[0]]
    return row


def test_every_target_gets_the_verdict_its_numbers_give() -> None:
    rows = targets(BENCH, FUZZ, FAULTS)
    assert _find(rows, "p99 <= 150 ms")[2] == "**met**"                  # 140 ms
    ratio = _find(rows, "50% of plain")
    assert ratio[1].endswith("= 60%") and ratio[2] == "**met**"          # 120 / 200
    assert _find(rows, "1 client(s)")[2] == "**met**"                    # 480 ms
    assert _find(rows, "16 client(s)")[2] == "**missed**"                # 3000 ms
    assert _find(rows, "schemathesis")[2] == "**met**"                   # 1204 cases, no 5xx
    assert _find(rows, "replica killed")[2] == "**met**"                 # 0.3% < 1%
    assert _find(rows, "alias moved")[2] == "**missed**"                 # one dropped
    memory = _find(rows, "flat memory")
    assert memory[2] == "**missed**" and memory[1].startswith("steepest USS slope ingress")


def test_missing_runs_are_not_counted_as_met() -> None:
    assert {t[2] for t in targets(None, None, None)} == {"n/a"}


def test_the_forecast_speed_target_reads_the_shipped_run() -> None:
    from report import speed_target

    def run(p99: float) -> dict:
        return {"servers": [{"server": "serve", "rows": [_row("serve", "forecast", 16, 9.0,
                                                              p99)]}]}

    assert speed_target({}) is None
    row = speed_target({"forecast_speed_memo": run(150.0),
                        "forecast_speed_vectorised": run(640.0)})
    assert row[1] == "150.0 ms; without the memo 640.0 ms" and row[2] == "**met**"
    assert speed_target({"forecast_speed_memo": run(201.0)})[2] == "**missed**"
