"""Build notebooks/twin.ipynb with nbformat (python notebooks/build_twin.py)."""

from pathlib import Path

import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
    md("# The digital twin: ordering policies judged on the platform's KPIs\n\n"
       "A closed-loop market (`groupbuy_ml.twin`, `docs/twin.md`): every morning the platform's "
       "policies decide, households order against the stock the pickup points will hold, group "
       "buys form or fail at 23:00, goods arrive after the supplier's lead time, spoil at the "
       "end of their shelf life or are collected. Here: a tiny city, the naive policy (last "
       "week's sales) against the newsvendor on the library's LightGBM quantile forecasts and "
       "the perfect-foresight bound, then a heat wave with late suppliers and the stock-out "
       "warnings, then your own policy. It runs in CI (`pytest --nbmake notebooks/`) in "
       "seconds; the benchmark on the default city is `experiments/twin/RESULTS.md`."),
    code("import numpy as np\nimport pandas as pd\n\n"
         "from groupbuy_ml.twin import (HeatWave, OrderDecision, PolicySet, RunSpec, Scenario,\n"
         "                              SupplierDelay, TwinConfig, run_twin)\n"
         "from groupbuy_ml.twin.newsvendor import Newsvendor, PerfectForesight\n"
         "from groupbuy_ml.twin.ordering_policy import LastWeekSales\n\n"
         "CITY = {'n_pickup_points': 6, 'n_products': 20, 'n_suppliers': 6,\n"
         "        'households_per_pickup_point': 60}\n"
         "config = TwinConfig(market=CITY, warm_up_days=35, burn_in_days=7, days=14,\n"
         "                    delivery={'mode': 'off'})\n"
         "SHOWN = ['waste_rate', 'fill_rate', 'stockout_rate', 'lost', 'formation_rate', 'gmv',\n"
         "         'gross_margin', 'inventory_turnover']"),
    md("## Naive vs newsvendor vs the bound, same city and seed\n\n"
       "The newsvendor refits its forecaster weekly on the platform's own censored records "
       "(sold-out days unconstrained by EM), orders up to the critical-ratio quantile of the "
       "day its goods serve and nets the stock on hand and in transit. The bound knows today's "
       "true demand and the true distribution of later days (`TwinConfig.perfect_foresight`)."),
    code("runs = {\n"
         "    'last week sales': run_twin(RunSpec(config, PolicySet(ordering=LastWeekSales()), "
         "seed=1)),\n"
         "    'newsvendor': run_twin(RunSpec(config, PolicySet(ordering=Newsvendor()), seed=1)),\n"
         "    'perfect foresight': run_twin(RunSpec(\n"
         "        config.model_copy(update={'perfect_foresight': True}),\n"
         "        PolicySet(ordering=PerfectForesight()), seed=1)),\n"
         "}\n"
         "pd.DataFrame({name: r.kpis for name, r in runs.items()}).loc[SHOWN].round(3)"),
    code("from groupbuy_ml.twin.plots import daily_kpi_figure\n\n"
         "daily = pd.concat([r.daily.assign(label=name) for name, r in runs.items()])\n"
         "fig = daily_kpi_figure(daily, 'daily KPIs')"),
    md("## What if: a heat wave and a day-late supplier\n\n"
       "Days count from the first scored day. The newsvendor's forecasts expose "
       "`stockout_risk_`; the warning table says, per product and day with stock-outs, how "
       "many of the pickup points that ran out were warned and how many days ahead."),
    code("scenario = Scenario(name='heat+delay', heat_waves=[HeatWave(start_day=3, days=5, "
         "delta_c=7)],\n"
         "                    supplier_delays=[SupplierDelay(start_day=5, days=3, "
         "delay_days=1)])\n"
         "shock = run_twin(RunSpec(config, PolicySet(ordering=Newsvendor()), scenario, seed=1))\n"
         "print({k: round(shock.kpis[k], 3) for k in SHOWN})\n"
         "shock.warnings.sort_values('lost_units', ascending=False).head(8)"),
    md("## Your own policy: one object, one method\n\n"
       "Anything with `order(state) -> OrderDecision` plugs in; the state is read-only and "
       "holds only what the platform knows that morning (`docs/twin.md`). Before any day is "
       "simulated every policy is called once on day 0 (no records yet) as a dry run; a bad "
       "output there or later (a "
       "negative or NaN order) is refused, naming the policy and the field."),
    code("class YesterdayPlusTen:\n"
         "    \"\"\"Order yesterday's accepted units + 10% at every pickup point.\"\"\"\n"
         "    def order(self, state):\n"
         "        if len(state.history.dates) == 0:  # the dry run on day 0: no records yet\n"
         "            return OrderDecision(point_units=np.zeros(state.shape))\n"
         "        return OrderDecision(point_units=np.ceil(1.1 * state.history.accepted[-1]))\n\n"
         "mine = run_twin(RunSpec(config, PolicySet(ordering=YesterdayPlusTen()), seed=1))\n"
         "{k: round(mine.kpis[k], 3) for k in SHOWN}"),
    code("from groupbuy_ml.twin.errors import PolicyOutputError\n\n"
         "class Broken:\n"
         "    def order(self, state):\n"
         "        return OrderDecision(point_units=np.full(state.shape, np.nan))\n\n"
         "try:\n"
         "    run_twin(RunSpec(config, PolicySet(ordering=Broken())))\n"
         "except PolicyOutputError as err:\n"
         "    print(err)"),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {
    "display_name": "Python 3", "language": "python", "name": "python3"}})
nbf.write(nb, Path(__file__).with_name("twin.ipynb"))
