#!/usr/bin/python3
"""Reference kNN graphs from scikit-learn 1.2.1 for the approximate (NN-descent) search of KpLab's umap plugin.

Run from this folder with Debian's interpreter: /usr/bin/python3 make_knn_fixtures.py   (apt-get install python3-sklearn)
Deterministic. Writes:
- blobs.npy: scikit-learn's make_blobs, 6,000 rows x 32 columns, 12 clusters of unequal spread (float32): a clustered
  fixture whose size crosses umap-learn's 4,096-row switch to approximate search (its first 3,000 rows stay below).
- blobs_knn_<metric>_<n>.npy: the exact 15-nearest-neighbour indices (self first) of the first n rows, euclidean and
  cosine, n = 3000 and 6000 (float32, exact for these integers: KpLab reads float .npy only).
"""
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.neighbors import NearestNeighbors

rng = np.random.default_rng(7)
x, _ = make_blobs(n_samples=6000, n_features=32, centers=12, cluster_std=rng.uniform(0.5, 2.0, 12), random_state=0)
x = x.astype(np.float32)
np.save("blobs.npy", x)
for metric in ("euclidean", "cosine"):
    for n in (3000, 6000):
        nn = NearestNeighbors(n_neighbors=15, metric=metric, algorithm="brute").fit(x[:n].astype(np.float64))
        _, indices = nn.kneighbors(x[:n].astype(np.float64))
        np.save(f"blobs_knn_{metric}_{n}.npy", indices.astype(np.float32))
