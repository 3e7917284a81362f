"""Cost per simulated closed-loop day and peak memory of the twin at a given city size.

    python experiments/twin/scale.py --points 1000 --products 300 --policy base_stock

Runs through the configs like ``groupbuy twin`` (``policy=...`` plus the city overrides), with
delivery routing off (the routing module's own benchmark covers the vans), and prints the
seconds per closed-loop day (setup, warm-up and routing excluded), the warm-up's seconds per
open-loop day and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import json
import resource
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--products", type=int, default=300)
    ap.add_argument("--households", type=float, default=120.0)
    ap.add_argument("--policy", default="base_stock")
    ap.add_argument("--warm-up", type=int, default=14)
    ap.add_argument("--days", type=int, default=7)
    a = ap.parse_args()
    from groupbuy_ml.cli.hydra_app import compose_config
    from groupbuy_ml.twin.experiment import build_spec
    from groupbuy_ml.twin.run import run_twin

    args = [f"policy={a.policy}", f"twin.market.n_pickup_points={a.points}",
            f"twin.market.n_products={a.products}",
            f"twin.market.households_per_pickup_point={a.households}",
            f"twin.warm_up_days={a.warm_up}", "twin.burn_in_days=0", f"twin.days={a.days}",
            "twin.delivery.mode=off"]
    tic = time.perf_counter()
    result = run_twin(build_spec(compose_config("twin", args)))
    s = result.seconds
    print(json.dumps({
        "overrides": args, "wall_s": round(time.perf_counter() - tic, 1),
        "seconds_per_closed_day": round(s["seconds_per_closed_day"], 3),
        "seconds_per_warm_up_day": round(s["warm_up"] / a.warm_up, 3),
        "setup_s": round(s["setup"], 1),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
        "fill_rate": round(result.kpis["fill_rate"], 3),
        "waste_rate": round(result.kpis["waste_rate"], 3)}))


if __name__ == "__main__":
    main()
