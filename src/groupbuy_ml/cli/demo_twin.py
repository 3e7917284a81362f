"""The twin step of ``groupbuy demo``: the naive and the newsvendor ordering policy side by side
on a small closed-loop city (4 weeks scored), tracked in MLflow like ``groupbuy twin``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from groupbuy_ml.cli.hydra_app import compose_config

EXPERIMENTS = (("naive", "twin_naive"), ("newsvendor", "twin_default"))
CITY = ("twin.market.n_pickup_points=12", "twin.market.n_products=30",
        "twin.market.n_suppliers=8", "twin.market.households_per_pickup_point=80",
        "twin.warm_up_days=42", "twin.burn_in_days=7", "twin.days=28", "out_dir=null")
SHOWN = (("waste_rate", "waste", "{:.1%}"), ("fill_rate", "fill", "{:.1%}"),
         ("stockout_rate", "out", "{:.1%}"), ("formation_rate", "成团率", "{:.1%}"),
         ("gmv", "GMV", "{:,.0f}"), ("gross_margin", "margin", "{:,.0f}"),
         ("delivery_km", "km", "{:,.0f}"))


def twin_side_by_side(console: Console, overrides: Sequence[str] = ()) -> dict[str, dict]:
    """Run both policies on the same city and seed; print their KPIs in one table."""
    from groupbuy_ml.twin.experiment import run_twin_experiment

    keep = [o for o in overrides if o.startswith(("paths.", "tracking.uri"))]
    results = {}
    for label, name in EXPERIMENTS:
        console.print(f"closed loop [cyan]{name}[/] (12 pickup points x 30 products, 7 + 28 "
                      "days) ...")
        cfg = compose_config("twin", [f"experiment={name}", *CITY, *keep])
        results[label] = run_twin_experiment(cfg)
    table = Table(title="digital twin, 28 scored days, same city and seed (out: stock-out "
                  "rate; GMV and margin after waste in CNY)")
    table.add_column("policy", no_wrap=True)
    for _, head, _ in SHOWN:
        table.add_column(head, justify="right", no_wrap=True)
    for label, kpis in results.items():
        table.add_row(label, *(fmt.format(kpis[k]) for k, _, fmt in SHOWN))
    console.print(table)
    return results
