"""The peers and the char CNN learn a separable task; predict takes lists and frames."""

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.aftersales.baselines import MajorityClassifier, TfidfLinearClassifier
from groupbuy_ml.aftersales.models import (
    CharBigramVocabulary,
    CharCNN,
    CharCNNClassifier,
    NgramBag,
    NgramBagClassifier,
    NgramVocabulary,
)
from groupbuy_ml.aftersales.models.neural_classifier import inference_batches
from groupbuy_ml.aftersales.models.ngram_bag import pack
from groupbuy_ml.aftersales.text import EmptyTextError


def test_majority_predicts_the_prior(reviews) -> None:
    texts, labels = reviews["train"]
    model = MajorityClassifier().fit(texts, labels)
    proba = model.predict_proba(["随便"] * 3)
    assert np.allclose(proba, np.bincount(labels) / len(labels))


@pytest.mark.parametrize("model", [
    TfidfLinearClassifier(c_grid=[0.1, 10.0]),
    CharCNNClassifier(embedding_dim=8, n_filters=8, kernel_sizes=(1, 2), max_epochs=6,
                      batch_size=16, lr=0.01, num_threads=1, min_count=1),
    NgramBagClassifier(embedding_dim=8, max_epochs=6, batch_size=16, lr=0.05, num_threads=1,
                       min_count=1),
], ids=["tfidf", "char_cnn", "ngram_bag"])
def test_models_separate_the_classes(model, reviews) -> None:
    model.fit(*reviews["train"], validation=reviews["validation"])
    texts, labels = reviews["test"]
    assert (model.predict(texts) == np.asarray(labels)).mean() >= 0.95
    proba = model.predict_proba(pd.DataFrame({"text": texts}))
    assert proba.shape == (len(texts), 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert len(model.history_) >= 1
    with pytest.raises(EmptyTextError):
        model.predict(["  "])


def test_tfidf_chooses_c_on_validation(reviews) -> None:
    model = TfidfLinearClassifier(c_grid=[1e-4, 10.0]).fit(*reviews["train"],
                                                           validation=reviews["validation"])
    assert model.c_ == 10.0 and [row["c"] for row in model.history_] == [1e-4, 10.0]


def test_vocabulary_and_network_shapes() -> None:
    vocab = CharBigramVocabulary(min_count=1).fit(["送餐慢", "送餐快"])
    chars, bigrams = vocab.encode(["送餐慢", "快"], min_length=4)
    assert chars.shape == bigrams.shape == (2, 4)
    assert chars[1, 1:].tolist() == [0, 0, 0] and bigrams[0, 2].item() == 1  # pad, last = unk
    assert vocab.encode(["从没见过"])[0].tolist() == [[1, 1, 1, 1]]
    net = CharCNN(vocab.n_chars, vocab.n_bigrams, 3, embedding_dim=4, kernel_sizes=(1, 2, 3),
                  n_filters=5)
    assert net(chars, bigrams).shape == (2, 3)


def test_ngram_vocabulary_and_bag_shapes() -> None:
    vocab = NgramVocabulary((1, 2), min_count=2).fit(["送餐慢", "送餐快", "快"])
    assert set(vocab.ids_) == {"送", "餐", "快", "送餐"}          # document frequency >= 2
    rows = vocab.ids(["送餐", "从没见过"])
    assert len(rows[0]) == 3 and rows[1].tolist() == [1]           # 送, 餐, 送餐 / only unknown
    ids, offsets = pack(rows)
    assert offsets.tolist() == [0, 3] and NgramBag(vocab.size, 2, 4)(ids, offsets).shape == (2, 2)


def test_inference_batches_respect_the_token_budget() -> None:
    lengths = [3, 50, 7, 7, 200, 1, 20]
    batches = inference_batches(lengths, batch_size=3, max_tokens=40, min_length=5)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    for rows in batches:
        longest = max(5, max(lengths[i] for i in rows))
        assert len(rows) <= 3 and (len(rows) * longest <= 40 or len(rows) == 1)
    assert [len(b) for b in batches] == [3, 2, 1, 1]               # 1 3 7 | 7 20 | 50 | 200


def test_cnn_logits_do_not_depend_on_batching(reviews) -> None:
    model = CharCNNClassifier(embedding_dim=8, n_filters=8, kernel_sizes=(1, 2, 3), max_epochs=1,
                              num_threads=1, min_count=1).fit(*reviews["train"])
    texts = model.prepare(reviews["test"][0] + ["很好吃" * 30, "差"])
    one = model._logits(texts, batch_size=len(texts), max_tokens=10**9)
    many = model._logits(texts, batch_size=4, max_tokens=20)
    assert np.allclose(one, many, atol=1e-5) and (one.argmax(1) == many.argmax(1)).all()
