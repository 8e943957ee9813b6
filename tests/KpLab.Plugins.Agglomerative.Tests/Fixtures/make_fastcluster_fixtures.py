#!/usr/bin/python3
"""Ward merge trees from fastcluster's linkage_vector (NN-chain on centroids, O(n d) memory), the reference of
agglomerative's wardMethod 'centroids'. Run: /usr/bin/python3 make_fastcluster_fixtures.py (Debian python3-fastcluster
1.2.3; deterministic). Reads the float32 sets of make_fixtures.py, widens them to float64 as fastcluster needs, writes
<set>_ward_fastcluster_Z.csv (left, right, height as repr, size).
"""
import csv
import os

import fastcluster
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
assert fastcluster.__version__ == "1.2.3", fastcluster.__version__

for name in ("blobs", "sphere", "semeval"):
    X = np.load(os.path.join(HERE, f"{name}.npy")).astype(np.float64)
    Z = fastcluster.linkage_vector(X, method="ward")
    with open(os.path.join(HERE, f"{name}_ward_fastcluster_Z.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["left", "right", "height", "size"])
        for a, b, h, s in Z:
            w.writerow([int(a), int(b), repr(float(h)), int(s)])
