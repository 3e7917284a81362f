"""results.csv (one row per benchmark run) -> the tables of RESULTS.md."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

SENTIMENT_COLUMNS = [("accuracy", "acc"), ("macro_f1", "macro-F1"), ("roc_auc", "ROC-AUC"),
                     ("ece", "ECE"), ("brier", "Brier"), ("val_macro_f1", "val macro-F1"),
                     ("fit_seconds", "fit s"), ("texts_per_second", "texts/s (1 core)")]


def _table(rows: list[dict], columns: list[tuple[str, str]], first: str = "experiment") -> str:
    head = "| " + " | ".join([first] + [c[1] for c in columns]) + " |"
    line = "|" + "---|" * (len(columns) + 1)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            cells.append("" if value is None else f"{value:.4f}" if abs(value) < 10
                         else f"{value:,.0f}")
        body.append("| " + " | ".join([row["experiment"]] + cells) + " |")
    return "\n".join([head, line, *body])


def tables(results: Path) -> dict[str, str]:
    frame = pd.read_csv(results).drop_duplicates("experiment", keep="last")
    rows = [{"experiment": r.experiment, **json.loads(r.metrics)} for r in frame.itertuples()]
    by = {r["experiment"]: r for r in rows}
    sentiment = [by[n] for n in by if n.startswith("review_sentiment_")]
    cross = [{"experiment": r["experiment"], **{k: r.get(k) for k in (
        "fruit_macro_f1", "cross_fruit_macro_f1", "dairy_macro_f1", "cross_dairy_macro_f1")}}
        for r in sentiment]
    intents = [by[n] for n in by if n.startswith("intent_")]
    aspects = [by[n] for n in by if n.startswith("review_aspects")]
    aspect_rows = [{"experiment": f"{a['experiment']}: {m}", **{
        k: a.get(f"{m}_{k}") for k in ("micro_f1", "macro_f1", "exact_match",
                                        "delivery_time_f1", "rider_service_f1",
                                        "freshness_quality_f1", "packaging_f1",
                                        "quantity_wrong_item_f1", "price_f1")}}
        for a in aspects for m in ("seeds", "lexicon", "classifier")]
    return {
        "sentiment": _table(sentiment, SENTIMENT_COLUMNS),
        "cross": _table(cross, [("fruit_macro_f1", "fruit (in-domain)"),
                                ("cross_fruit_macro_f1", "fruit (trained on waimai)"),
                                ("dairy_macro_f1", "dairy (in-domain)"),
                                ("cross_dairy_macro_f1", "dairy (trained on waimai)")]),
        "intent": _table(intents, [("accuracy", "acc"), ("macro_f1", "macro-F1"),
                                   ("val_macro_f1", "val macro-F1"), ("ece", "ECE"),
                                   ("threshold", "threshold (val)"),
                                   ("auto_coverage", "answered automatically"),
                                   ("auto_answered_accuracy", "accuracy answered"),
                                   ("n_train", "train"), ("n_test", "test")]),
        "aspects": _table(aspect_rows, [(k, k) for k in (
            "micro_f1", "macro_f1", "exact_match", "delivery_time_f1", "rider_service_f1",
            "freshness_quality_f1", "packaging_f1", "quantity_wrong_item_f1", "price_f1")],
            "method"),
    }


def write_results(results: Path, out: Path) -> None:
    """Fill the ``<!-- table:NAME -->`` blocks of ``out`` with the current tables."""
    text = out.read_text()
    for name, table in tables(results).items():
        start, end = f"<!-- table:{name} -->", f"<!-- /table:{name} -->"
        if start in text:
            before, rest = text.split(start, 1)
            text = before + start + "\n" + table + "\n" + end + rest.split(end, 1)[1]
    out.write_text(text)
    print(text)
