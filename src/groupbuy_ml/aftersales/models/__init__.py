"""Neural text models: networks (``nn.Module``) apart from their training wrapper."""

from groupbuy_ml.aftersales.models.char_cnn import CharCNN
from groupbuy_ml.aftersales.models.neural_classifier import CharCNNClassifier
from groupbuy_ml.aftersales.models.ngram_bag import NgramBag, NgramVocabulary
from groupbuy_ml.aftersales.models.ngram_bag_classifier import NgramBagClassifier
from groupbuy_ml.aftersales.models.vocabulary import CharBigramVocabulary

__all__ = ["CharBigramVocabulary", "CharCNN", "CharCNNClassifier", "NgramBag",
           "NgramBagClassifier", "NgramVocabulary"]
