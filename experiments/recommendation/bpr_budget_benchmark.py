"""Benchmark: BPR-trained embedding models on Gowalla under a wall-clock training budget.

    python experiments/recommendation/bpr_budget_benchmark.py --model lightgcn --budget 300

PyG LightGCN (3 layers, 64 dims, lr 1e-3, batch 2048, reg 1e-4: the paper's Gowalla settings)
or MF-BPR, trained until the budget runs out, then scored with the same full-ranking protocol as
``gowalla_benchmark.py``. Appends a row to ``results.csv``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
from pathlib import Path

import torch

from groupbuy_ml.data.loaders import load_gowalla
from groupbuy_ml.recommendation import (
    LightGCNRecommender,
    MatrixFactorizationBPR,
    evaluate_ranking,
    interaction_matrix,
)
from groupbuy_ml.tracking.resources import PeakMemory

HERE = Path(__file__).resolve().parent
MODELS = {"lightgcn": LightGCNRecommender, "mf-bpr": MatrixFactorizationBPR}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=list(MODELS), default="lightgcn")
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    split = load_gowalla()
    train = interaction_matrix(split.train, split.num_users, split.num_items)
    test = interaction_matrix(split.test, split.num_users, split.num_items)
    model = MODELS[args.model](time_budget_s=args.budget, seed=0)
    with PeakMemory() as mem:
        model.fit(train)
        scores = evaluate_ranking(model, test, k=20)
    row = {
        "date": dt.date.today().isoformat(), "dataset": "gowalla",
        "model": f"{args.model} ({len(model.history_)} epochs in {args.budget:.0f} s)",
        "recall@20": round(scores["recall_at_20"], 4), "ndcg@20": round(scores["ndcg_at_20"], 4),
        "coverage@20": round(scores["coverage_at_20"], 4),
        "fit_s": round(model.history_[-1]["seconds"], 1),
        "eval_s": round(scores["eval_seconds"], 1), "peak_gb": round(mem.peak_gb, 2),
        "threads": args.threads, "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(row)
    print("loss by epoch:", [round(h["train_loss"], 4) for h in model.history_])
    results = HERE / "results.csv"
    with results.open("a", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(row)).writerow(row)


if __name__ == "__main__":
    main()
