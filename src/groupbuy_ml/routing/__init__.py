"""Next-morning delivery routing: capacitated VRP with time windows (PyVRP and OR-Tools).

    >>> from groupbuy_ml.routing import read_solomon, solve, check_plan
    >>> problem = read_solomon("../shared/data/solomon/C101.txt")
    >>> plan = solve(problem, time_limit_s=10)   # default backend="pyvrp-fleet"; or "ortools"
    >>> plan.num_vehicles, plan.total_distance, check_plan(problem, plan).is_feasible

Problems come from a Solomon file (:func:`read_solomon`), a stops table (:func:`from_stops`),
a purchase list plus pickup points (:func:`from_purchase_list`) or a simulated market
(:func:`from_market`). :func:`diagnose` names stops no vehicle can serve, :func:`solve_decomposed`
handles thousands of stops, :func:`repair` re-routes after changes. Stops marked ``chilled`` ride
only vehicle types with ``refrigerated=True``.
"""

from groupbuy_ml.routing.decomposition import cluster_stops, solve_decomposed
from groupbuy_ml.routing.diagnosis import Unservable, diagnose, diagnosis_table, drop_report
from groupbuy_ml.routing.feasibility import FeasibilityReport, check_plan
from groupbuy_ml.routing.ortools_solver import OrToolsSettings
from groupbuy_ml.routing.plan import Plan, Route, build_plan
from groupbuy_ml.routing.plot import plot_plan, save_plan_map
from groupbuy_ml.routing.problem import (
    Problem,
    VehicleType,
    from_solomon,
    from_stops,
    read_solomon,
)
from groupbuy_ml.routing.purchase_list import from_market, from_purchase_list
from groupbuy_ml.routing.repair import repair
from groupbuy_ml.routing.solve import BACKENDS, UnservableStopsError, solve
from groupbuy_ml.routing.stopping import AnyOf, MaxRuntime, MaxSolutions, NoImprovement

__all__ = [
    "BACKENDS",
    "AnyOf",
    "FeasibilityReport",
    "MaxRuntime",
    "MaxSolutions",
    "NoImprovement",
    "OrToolsSettings",
    "Plan",
    "Problem",
    "Route",
    "Unservable",
    "UnservableStopsError",
    "VehicleType",
    "build_plan",
    "check_plan",
    "cluster_stops",
    "diagnose",
    "diagnosis_table",
    "drop_report",
    "from_market",
    "from_purchase_list",
    "from_solomon",
    "from_stops",
    "plot_plan",
    "read_solomon",
    "repair",
    "save_plan_map",
    "solve",
    "solve_decomposed",
]
