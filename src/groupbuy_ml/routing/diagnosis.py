"""Which stops no vehicle can serve, and why, found before any search runs.

A stop is unservable on its own (whatever the other stops do) when it holds chilled goods and
the fleet has no refrigerated vehicle, when its demand exceeds every suitable vehicle's
capacity, when the earliest arrival straight from the depot is after its ``due_time``, or when
after serving it no vehicle can be back at the depot before its shift ends. These are the
single-customer necessary conditions of Solomon (1987)'s VRPTW; a plan that still cannot serve
everything drops stops at a penalty, and :func:`drop_report` explains each drop.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from groupbuy_ml.routing.plan import Plan
from groupbuy_ml.routing.problem import Problem

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Unservable:
    """One stop that cannot be served, with a readable reason."""

    position: int
    stop_id: object
    reason: str


def diagnose(problem: Problem) -> list[Unservable]:
    """Every stop that no vehicle of the fleet can serve, each with the reason."""
    ids = problem.stops["stop_id"].tolist()
    demand, ready = problem.array("demand"), problem.array("ready_time")
    due, service = problem.array("due_time"), problem.array("service_time")
    max_cap = max(vt.capacity for vt in problem.vehicle_types)
    shifts = [problem.shift(v) for v in _one_vehicle_per_type(problem)]
    chilled = problem.chilled
    cold = [vt for vt in problem.vehicle_types if vt.refrigerated and vt.count > 0]
    found: list[Unservable] = []
    for s in range(1, problem.num_stops + 1):
        out, back = problem.duration[0, s], problem.duration[s, 0]
        if chilled[s] and not cold:
            found.append(Unservable(s, ids[s], "chilled goods but no refrigerated vehicle in "
                                    "the fleet; add VehicleType(..., refrigerated=True) or mark "
                                    "the stop chilled=false"))
            continue
        if chilled[s] and demand[s] > max(vt.capacity for vt in cold) + TOLERANCE:
            found.append(Unservable(s, ids[s], f"chilled demand {demand[s]:g} exceeds the "
                                    "largest refrigerated vehicle's capacity "
                                    f"{max(vt.capacity for vt in cold):g}; split the order or "
                                    "add a bigger refrigerated van"))
            continue
        if demand[s] > max_cap + TOLERANCE:
            found.append(Unservable(s, ids[s], f"demand {demand[s]:g} exceeds the largest vehicle "
                                    f"capacity {max_cap:g}; split the order or add a bigger "
                                    "vehicle"))
            continue
        fits = [(st, en) for (st, en), vt in zip(shifts, problem.vehicle_types, strict=True)
                if demand[s] <= vt.capacity + TOLERANCE and vt.count > 0
                and (vt.refrigerated or not chilled[s])]
        earliest = min(st for st, _ in fits) + out
        if earliest > due[s] + TOLERANCE:
            found.append(Unservable(s, ids[s], f"window closes at {due[s]:g} but the earliest "
                                    f"arrival from the depot is {earliest:.2f}; open the window "
                                    "later or dispatch earlier"))
            continue
        back_by = [max(st + out, ready[s]) + service[s] + back for st, _ in fits]
        if not any(b <= en + TOLERANCE for b, (_, en) in zip(back_by, fits, strict=True)):
            latest_end = max(en for _, en in fits)
            found.append(Unservable(s, ids[s], "no vehicle can serve it and be back at the depot "
                                    f"by its shift end ({latest_end:g}); extend the shift or "
                                    "move the window earlier"))
    return found


def diagnosis_table(problem: Problem) -> pd.DataFrame:
    """:func:`diagnose` as a table ``stop_id, position, reason``."""
    rows = [(u.stop_id, u.position, u.reason) for u in diagnose(problem)]
    return pd.DataFrame(rows, columns=["stop_id", "position", "reason"])


def drop_report(problem: Problem, plan: Plan) -> pd.DataFrame:
    """Why each dropped stop of ``plan`` was left out.

    Stops found by :func:`diagnose` carry its reason; others were servable alone but did not
    fit with the fleet available (capacity or windows shared with other stops).
    """
    known = {u.position: u.reason for u in diagnose(problem)}
    ids = problem.stops["stop_id"].tolist()
    rows = [(ids[p], p, known.get(p, "servable alone, but no route had room for it within the "
                                  "fleet and time limit (add vehicles or widen windows)"))
            for p in plan.dropped]
    return pd.DataFrame(rows, columns=["stop_id", "position", "reason"])


def _one_vehicle_per_type(problem: Problem) -> list[int]:
    first, out = 0, []
    for vt in problem.vehicle_types:
        out.append(first)
        first += vt.count
    return out
