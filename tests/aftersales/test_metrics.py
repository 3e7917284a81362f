"""Classification, calibration, multi-label and coverage metrics against hand-computed values."""

import numpy as np
import pytest

from groupbuy_ml.aftersales.metrics import (
    brier_score,
    classification_metrics,
    coverage_at,
    coverage_curve,
    expected_calibration_error,
    multilabel_metrics,
)

PROBA = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]])
TRUTH = [0, 1, 1, 0]


def test_expected_calibration_error_by_hand() -> None:
    # confidences 0.9 (right), 0.6 (wrong), 0.7 (right), 0.8 (wrong); 10 bins -> 4 bins of one:
    # |1-0.9| + |0-0.6| + |1-0.7| + |0-0.8| = 1.8, / 4 = 0.45
    assert expected_calibration_error(TRUTH, PROBA, [0, 1], n_bins=10) == pytest.approx(0.45)
    # one bin: accuracy 0.5, mean confidence 0.75
    assert expected_calibration_error(TRUTH, PROBA, [0, 1], n_bins=1) == pytest.approx(0.25)


def test_brier_and_headline_metrics_by_hand() -> None:
    # squared errors per row: 0.02, 0.72, 0.18, 1.28 -> mean 0.55
    assert brier_score(TRUTH, PROBA, [0, 1]) == pytest.approx(0.55)
    m = classification_metrics(TRUTH, PROBA, [0, 1])
    assert m["accuracy"] == pytest.approx(0.5)
    # class 0: tp 1 fp 1 fn 1 -> F1 0.5; class 1: same -> macro 0.5
    assert m["macro_f1"] == pytest.approx(0.5)
    # positives (rows 1, 2) scored 0.4, 0.7; negatives 0.1, 0.8: 2 of 4 pairs ordered -> 0.5
    assert m["roc_auc"] == pytest.approx(0.5)


def test_unknown_label_is_named() -> None:
    with pytest.raises(ValueError, match="'x' is not one of the classes"):
        classification_metrics(["x", 0, 1, 0], PROBA, [0, 1])


def test_multilabel_by_hand() -> None:
    truth = np.array([[1, 0], [1, 1], [0, 0]])
    pred = np.array([[1, 1], [0, 1], [0, 0]])
    m = multilabel_metrics(truth, pred, ["a", "b"])
    assert m["a_precision"] == 1.0 and m["a_recall"] == 0.5 and m["a_f1"] == pytest.approx(2 / 3)
    assert m["b_precision"] == 0.5 and m["b_recall"] == 1.0 and m["b_f1"] == pytest.approx(2 / 3)
    # tp 2, fp 1, fn 1 -> micro 4/6
    assert m["micro_f1"] == pytest.approx(2 / 3)
    assert m["exact_match"] == pytest.approx(1 / 3)


def test_coverage_curve_by_hand() -> None:
    curve = coverage_curve(TRUTH, PROBA, [0, 1], thresholds=[0.0, 0.75, 0.95])
    assert curve["coverage"].tolist() == [1.0, 0.5, 0.0]
    assert curve["accuracy"].iloc[0] == 0.5 and curve["accuracy"].iloc[1] == 0.5
    assert np.isnan(curve["accuracy"].iloc[2])
    assert coverage_at(TRUTH, PROBA, [0, 1], 0.85) == {"coverage": 0.25,
                                                        "answered_accuracy": 1.0}
