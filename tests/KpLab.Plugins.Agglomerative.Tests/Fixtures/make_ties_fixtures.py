#!/usr/bin/python3
"""A data set full of exact ties and duplicate rows for ward on centroids (ties.npy). Run: /usr/bin/python3
make_ties_fixtures.py (Debian numpy 1.24; deterministic). SciPy's linkage and fastcluster's linkage_vector break the
ties among merged clusters differently from a centroid chain (their merged-cluster distances round differently), so
the test compares with the exhaustive chain on exact centroids (WardCentroidTieTests). 1,200 rows of 12 small integers (exact in float32): six integer centres
plus noise in {-1, 0, 1} on two coordinates, so most pairwise distances repeat and about half the rows are duplicates.
The size crosses every block size of the centroid path (16 listed neighbours, batches of 32 scans, 256-row tiles).
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

rng = np.random.default_rng(20261129)
centres = rng.integers(-3, 4, size=(6, 12))
rows = []
for i in range(1200):
    row = centres[rng.integers(0, 6)].copy()
    for k in rng.choice(12, size=2, replace=False):
        row[k] += rng.integers(-1, 2)
    rows.append(row)
X = np.array(rows, dtype=np.float32)
np.save(os.path.join(HERE, "ties.npy"), X)
print("distinct rows", len(np.unique(X, axis=0)), "of", len(X))
