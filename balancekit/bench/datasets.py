"""Imbalanced data sets for strategy comparisons: shipped, synthetic or from a file.

Every real data set is on disk, so nothing here touches the network:

* three scikit-learn bundled sets made one-vs-rest (breast cancer with malignant as
  the positive class, wine class 2 against the rest, digit 0 against the rest);
* ten classic sets of the KEEL imbalanced data set repository, converted to small
  gzip CSV files in ``balancekit/bench/data/`` (see the README there for their
  origin, licence and the conversion done);
* one multilabel set (:func:`load_multilabel_dataset`: UCI Solar Flare made
  multilabel, 3 labels), a gzip CSV file in ``data/multilabel/``, and
  :func:`make_multilabel_synthetic`, multilabel data with skewed label prevalences.

All binary sets code the minority (positive) class as 1. Loading is cached; every call
returns fresh copies of the arrays, so changing them cannot corrupt the cache.
:func:`make_synthetic` draws scikit-learn's ``make_classification`` problems with an
exact class ratio for scaling studies, and :func:`load_file` reads a user's CSV,
Parquet or ``.npz`` file.

The loaders live in one module each (``_shipped``, ``_synthetic``, ``_files``) and
share the :class:`Dataset` record (``_dataset``).
"""

from balancekit.bench._dataset import Dataset
from balancekit.bench._files import load_file
from balancekit.bench._multilabel_data import (
    MultilabelDataset,
    list_multilabel_datasets,
    load_multilabel_dataset,
    make_multilabel_synthetic,
)
from balancekit.bench._shipped import list_datasets, load_dataset
from balancekit.bench._synthetic import make_synthetic

__all__ = [
    "Dataset",
    "MultilabelDataset",
    "list_datasets",
    "list_multilabel_datasets",
    "load_dataset",
    "load_file",
    "load_multilabel_dataset",
    "make_multilabel_synthetic",
    "make_synthetic",
]
