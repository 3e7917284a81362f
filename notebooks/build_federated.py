"""Build notebooks/federated.ipynb with nbformat (python notebooks/build_federated.py)."""

from pathlib import Path

import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
    md("# Federated forecasting walkthrough: partitions, FedAvg vs FedProx, DP, MLflow\n\n"
       "Each client is a group of pickup points (one community each) of the simulated market; "
       "it trains the library's MQ-RNN forecaster on its own series and sends only parameters "
       "and metrics to the server. Tiny settings so that it runs in CI (`pytest --nbmake "
       "notebooks/`) in well under a minute: the clients take turns in this process "
       "(`mode=\"local\"`). `mode=\"simulation\"` runs the very same apps on Flower's Ray "
       "backend and `mode=\"deployment\"` on a SuperLink with one SuperNode process per client "
       "(docs/federated.md); the benchmark is in `experiments/federated/`."),
    code("import logging\nimport tempfile\nimport warnings\nfrom pathlib import Path\n\n"
         "import pandas as pd\nfrom mlflow.tracking import MlflowClient\n\n"
         "from groupbuy_ml.data.sources import MarketSource\n"
         "from groupbuy_ml.federated.forecast_task import ForecastTask\n"
         "from groupbuy_ml.federated.run import run_federated\n"
         "from groupbuy_ml.federated.strategies import FedAvg, FedProx\n"
         "from groupbuy_ml.federated.task import LocalTraining, PrivacySettings\n\n"
         "logging.getLogger('flwr').setLevel(logging.WARNING)\n"
         "warnings.filterwarnings('ignore', category=UserWarning)  # Opacus' notes on RNG, alphas\n"
         "workdir = Path(tempfile.mkdtemp())\n"
         "market = MarketSource(workdir / 'market', simulation={\n"
         "    'seed': 7, 'n_pickup_points': 6, 'n_products': 6, 'n_days': 100})\n"
         "task = ForecastTask(market, covariates=['price', 'promo', 'is_holiday'], "
         "num_clients=3,\n"
         "                    scheme='group', group_by=['community_id'], horizon=7,\n"
         "                    exclude_last_days=7, encoder_length=14, hidden_size=16,\n"
         "                    decoder_hidden=16, seed=0)"),
    md("## Partition the market\n\nCommunities are packed onto 3 clients; each client's "
       "series never leave it. Clients differ in size and in demand: the non-IID setting that "
       "FedProx was designed for."),
    code("assignment = task.assignment()\n"
         "panel = task.panel().merge(assignment, on=['location_id', 'product_id'])\n"
         "panel.groupby('client').agg(series=('product_id', 'size'),\n"
         "    pickup_points=('location_id', 'nunique'), mean_units=('units', 'mean')).round(2)"),
    md("## FedAvg vs FedProx, 3 rounds each\n\nSame task, same seed, same local training; "
       "FedProx adds mu/2 ||w - w_global||^2 to each client's loss. Every round is logged to "
       "MLflow (a SQLite store in the temporary folder)."),
    code("tracking = {'experiment': 'federated_walkthrough', 'uri': f'sqlite:///{workdir}/mlflow.db',\n"
         "            'log_model': False}\n"
         "training = LocalTraining(epochs=1, max_steps=6, lr=3e-3, batch_size=64, seed=0)\n"
         "nodes = dict(min_train_nodes=3, min_evaluate_nodes=3, min_available_nodes=3)\n"
         "results = {}\n"
         "for name, strategy in [('fedavg', FedAvg(**nodes)),\n"
         "                       ('fedprox', FedProx(proximal_mu=0.1, **nodes))]:\n"
         "    results[name] = run_federated(task, strategy, num_clients=3, rounds=3,\n"
         "        training=training, mode='local', tracking={**tracking, 'run_name': name})\n"
         "pd.concat({name: r.table().set_index('round')[['train_train_loss', 'eval_rmsse',\n"
         "           'eval_wape', 'bytes_up', 'bytes_down']] for name, r in results.items()}, "
         "axis=1).round(4)"),
    md("## Differential privacy: the budget spent per round\n\nDP-SGD through Opacus on every "
       "client, calibrated so that 3 rounds spend at most epsilon = 8 (delta = 1e-5). "
       "`train_epsilon` is the worst client's budget spent so far, `train_epsilon_round` what "
       "that round added; the run's total is the largest epsilon any client spent."),
    code("private = run_federated(task, FedAvg(**nodes), num_clients=3, rounds=3,\n"
         "    training=training, privacy=PrivacySettings(target_epsilon=8.0, target_delta=1e-5),\n"
         "    mode='local', tracking={**tracking, 'run_name': 'fedavg_dp'})\n"
         "print('epsilon spent in total:', round(private.epsilon_total, 3))\n"
         "private.table()[['round', 'train_epsilon', 'train_epsilon_round', 'eval_rmsse']]"),
    md("## Read the runs back from MLflow\n\nEach round is a step of the `eval.*`, `train.*`, "
       "`bytes_*` metrics; the final global model is an artifact of the run."),
    code("client = MlflowClient(tracking['uri'])\n"
         "experiment = client.get_experiment_by_name('federated_walkthrough')\n"
         "rows = []\n"
         "for run in client.search_runs([experiment.experiment_id]):\n"
         "    for m in client.get_metric_history(run.info.run_id, 'eval.rmsse'):\n"
         "        rows.append({'run': run.info.run_name, 'round': m.step, 'eval_rmsse': m.value})\n"
         "pd.DataFrame(rows).pivot(index='round', columns='run', values='eval_rmsse').round(4)"),
    md("From the command line, the same experiments come from Hydra configs:\n\n"
       "```bash\n"
       "groupbuy federate experiment=federate_fedavg_market               # Ray simulation\n"
       "groupbuy federate experiment=federate_fedprox_rossmann federated.mode=deployment\n"
       "groupbuy federate experiment=federate_dp_rossmann federated.privacy.target_epsilon=4\n"
       "```"),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {
    "display_name": "Python 3", "language": "python", "name": "python3"}})
nbf.write(nb, Path(__file__).with_name("federated.ipynb"))
