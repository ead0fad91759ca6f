"""k-means on the data's own device: scikit-learn's ``KMeans`` and ``MiniBatchKMeans``.

Both take NumPy, PyTorch (any device), CuPy, JAX and array-api-strict arrays (and
SciPy sparse matrices, on the host) and compute where the data lives; their random
draws come from a NumPy ``Generator`` on the host, so one seed gives the same clusters
on every array library. Same parameters, defaults and fitted attributes as
scikit-learn's estimators; ``ClusterCentroids`` uses ``KMeans`` and ``KMeansSMOTE``
uses ``MiniBatchKMeans`` by default.

- :class:`KMeans`: exact Lloyd iterations after k-means++ seeding.
- :class:`MiniBatchKMeans`: steps on random batches of rows, much faster on many
  rows for a slightly higher inertia.

Examples
--------
>>> import numpy as np
>>> from balancekit.cluster import KMeans, MiniBatchKMeans
>>> rng = np.random.default_rng(0)
>>> X = np.concatenate([rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + 9])
>>> exact = KMeans(n_clusters=2, random_state=0).fit(X)
>>> fast = MiniBatchKMeans(n_clusters=2, batch_size=64, random_state=0).fit(X)
>>> bool((exact.labels_ == exact.labels_[0]).sum() == 300)
True
>>> bool(np.all(fast.predict(X) == fast.labels_))
True
"""

from balancekit._kmeans_estimator import KMeans
from balancekit._minibatch_kmeans_estimator import MiniBatchKMeans

__all__ = ["KMeans", "MiniBatchKMeans"]
