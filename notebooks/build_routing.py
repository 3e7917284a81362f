"""Build notebooks/routing.ipynb with nbformat (python notebooks/build_routing.py)."""

from pathlib import Path

import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
    md("# Routing walkthrough: Solomon, diagnosis, a market morning, decomposition, repair\n\n"
       "Next-morning delivery as a capacitated VRP with time windows. Two backends (OR-Tools "
       "with guided local search and fleet minimisation; PyVRP) behind one problem model, a "
       "feasibility validator, a diagnosis of unservable stops, clustering for large cities and "
       "repair after changes. Short time limits: this shows the interface; the benchmark is "
       "in `experiments/routing/RESULTS.md`. Everything is written to a temporary folder; it "
       "runs in CI (`pytest --nbmake notebooks/`) in well under a minute."),
    code("import tempfile\nfrom pathlib import Path\n\nimport pandas as pd\n\n"
         "from groupbuy_ml.data.loaders.paths import dataset_dir\n"
         "from groupbuy_ml.routing import (\n"
         + "".join(f"    {name},\n" for name in [
             "VehicleType", "check_plan", "diagnose", "drop_report", "from_market",
             "from_stops", "plot_plan", "read_solomon", "repair", "solve", "solve_decomposed"])
         + ")\n\n"
         "workdir = Path(tempfile.mkdtemp())\n"
         "problem = read_solomon(dataset_dir('solomon', None) / 'C101.txt')\n"
         "problem.num_stops, problem.num_vehicles, problem.vehicle_types[0].capacity"),
    md("## Solve a Solomon instance with both backends\n\nThe time limit is wall clock and "
       "always honoured; the plan is checked by the validator (capacity, windows, every stop "
       "once). Best known for C101: 10 vehicles, 828.94."),
    code("rows = []\nfor backend in ['ortools', 'pyvrp']:\n"
         "    plan = solve(problem, time_limit_s=2, backend=backend)\n"
         "    rows.append({'backend': backend, 'vehicles': plan.num_vehicles,\n"
         "                 'distance': round(plan.total_distance, 2),\n"
         "                 'feasible': check_plan(problem, plan).is_feasible,\n"
         "                 'wall_s': plan.stats['wall_s']})\n"
         "pd.DataFrame(rows)"),
    code("plan.write_json(workdir / 'c101.json')\n"
         "fig = plot_plan(problem, plan)"),
    md("## Bad input gets a diagnosis, not \"no solution\"\n\nStop `heavy` needs more than a van "
       "carries; stop `far` closes before anyone can reach it. `solve` refuses with both "
       "reasons; with `allow_drop=True` it plans the rest and says why each stop was left out."),
    code("stops = pd.DataFrame({'stop_id': ['depot', 'a', 'b', 'heavy', 'far'],\n"
         "    'x': [0, 1, 2, 1, 60], 'y': [0, 1, 0, 2, 0], 'demand': [0, 3, 4, 50, 1],\n"
         "    'ready_time': [0, 0, 0, 0, 0], 'due_time': [100, 50, 50, 50, 30],\n"
         "    'service_time': [0, 2, 2, 2, 2]})\n"
         "small = from_stops(stops, VehicleType(count=2, capacity=20))\n"
         "for u in diagnose(small):\n    print(u.stop_id, '->', u.reason)\n"
         "drop_report(small, solve(small, time_limit_s=1, allow_drop=True))"),
    md("## A morning of the simulated market\n\nThe problem is built from a purchase list "
       "(`pickup_point_id, units`) plus the pickup-point table: positions in km, receiving "
       "windows in minutes, vans leaving the warehouse at 05:00 and driving 30 km/h."),
    code("from groupbuy_ml.data.simulate import MarketConfig, simulate_market\n\n"
         "simulate_market(MarketConfig(n_pickup_points=40, n_products=12, n_days=3,\n"
         "    households_per_pickup_point=60, event_log_days=0, seed=7), workdir / 'market')\n"
         "morning = from_market(workdir / 'market', vehicles=VehicleType(count=40, "
         "capacity=300))\n"
         "morning_plan = solve(morning, time_limit_s=2)\n"
         "print(morning_plan.num_vehicles, 'vans,', round(morning_plan.total_distance, 1), "
         "'km')\n"
         "first = morning_plan.routes[0]\n"
         "ids, opens = morning.stops['stop_id'], morning.stops['ready_time']\n"
         "pd.DataFrame({'pickup_point': [ids[s] for s in first.stops],\n"
         "              'arrival_minute': first.arrival,\n"
         "              'window_opens': [opens[s] for s in first.stops]}).round(1)"),
    md("## Many stops: cluster, solve in parallel, improve across borders\n\nK-means on "
       "position and window, clusters solved in a process pool, then neighbouring routes from "
       "different clusters re-solved together."),
    code("simulate_market(MarketConfig(n_pickup_points=240, n_products=10, n_days=2,\n"
         "    households_per_pickup_point=40, event_log_days=0, seed=3), workdir / 'city')\n"
         "city = from_market(workdir / 'city', vehicles=VehicleType(count=240, capacity=300),\n"
         "                   service_minutes=5)\n"
         "city_plan = solve_decomposed(city, time_limit_s=10, cluster_size=80, workers=2)\n"
         "print(city_plan.stats['clusters'], 'clusters:', city_plan.num_vehicles, 'vans,',\n"
         "      round(city_plan.total_distance, 1), 'km (before border improvement',\n"
         "      round(city_plan.stats['before_border']['distance'], 1), 'km), feasible:',\n"
         "      check_plan(city, city_plan).is_feasible)"),
    md("## Repair: an order cancelled, one added, a van 20 minutes late\n\nOnly the touched "
       "routes are re-optimised from their current order; the others stay exactly as they were."),
    code("cancel = morning.stops['stop_id'][morning_plan.routes[0].stops[0]]\n"
         "added = pd.DataFrame([{'stop_id': 9999, 'x': 1.0, 'y': -2.0, 'demand': 20,\n"
         "    'ready_time': 420, 'due_time': 600, 'service_time': 10}])\n"
         "new_problem, new_plan = repair(\n"
         "    morning, morning_plan, cancelled=[cancel], added=added,\n"
         "    late={morning_plan.routes[-1].vehicle: 20}, time_limit_s=2)\n"
         "print('re-optimised vehicles', new_plan.stats['repaired'], '| kept as they were',\n"
         "      new_plan.stats['kept'], '| feasible', check_plan(new_problem, "
         "new_plan).is_feasible)"),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {
    "display_name": "Python 3", "language": "python", "name": "python3"}})
nbf.write(nb, Path(__file__).with_name("routing.ipynb"))
