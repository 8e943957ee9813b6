#!/usr/bin/python3
"""Reference for agglomerative prediction of new rows (prediction_cases.json): SciPy's tree, numpy's placement.

The fitted rows (the first `trainRows` of a data set) are clustered with scipy.cluster.hierarchy.linkage and cut into k
clusters (fcluster 'maxclust', renumbered 0.. in order of each cluster's first row, as the plugin numbers them). A new
row x goes to the cluster C with the smallest linkage distance between {x} and C:
  single: min_{y in C} d(x, y); complete: max_{y in C} d(x, y); average: mean_{y in C} d(x, y);
  ward: sqrt(2 |C| / (|C| + 1)) * ||x - mean(C)|| (SciPy's ward distance between clusters of sizes 1 and |C|);
first cluster on ties. New rows: the held-out rows of the set and 20 uniform rows in the fitted rows' bounding box.
Run: /usr/bin/python3 make_prediction_fixtures.py (numpy, scipy).
"""
import json
import os

import numpy as np
import scipy
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import cdist

HERE = os.path.dirname(os.path.abspath(__file__))


def first_row_order(labels):
    mapping = {}
    for v in labels:
        mapping.setdefault(v, len(mapping))
    return np.array([mapping[v] for v in labels])


def main():
    rng = np.random.default_rng(29112026)
    cases = []
    for name, train, k in (("blobs", 320, 4), ("aniso", 320, 3), ("semeval", 1200, 6)):
        data = np.load(os.path.join(HERE, f"{name}.npy"))
        x = data[:train].astype(np.float64)
        lo, hi = x.min(0), x.max(0)
        new = np.vstack([data[train:], (lo + (hi - lo) * rng.random((20, x.shape[1]))).astype(np.float32)]).astype(np.float32)
        new_file = f"{name}_new.npy"
        np.save(os.path.join(HERE, new_file), new)
        n64 = new.astype(np.float64)
        for method in ("single", "complete", "average", "ward"):
            for metric in (("euclidean",) if method == "ward" else ("euclidean", "cosine")):
                z = linkage(x, method=method, metric=metric)
                labels = first_row_order(fcluster(z, k, criterion="maxclust"))
                clusters = labels.max() + 1
                if method == "ward":
                    means = np.array([x[labels == c].mean(0) for c in range(clusters)])
                    sizes = np.bincount(labels)
                    dist = np.sqrt(2.0 * sizes / (sizes + 1.0))[None, :] * cdist(n64, means)
                else:
                    d = cdist(n64, x, metric=metric)
                    agg = {"single": np.min, "complete": np.max, "average": np.mean}[method]
                    dist = np.stack([agg(d[:, labels == c], axis=1) for c in range(clusters)], axis=1)
                predicted = np.argmin(dist, axis=1)
                cases.append(dict(name=f"{name}_{method}_{metric}", file=f"{name}.npy", trainRows=train, newFile=new_file,
                                  linkage=method, metric=metric, nClusters=k, fitLabels=labels.tolist(),
                                  labels=predicted.tolist()))
                print(cases[-1]["name"], "clusters", clusters, "predicted per cluster", np.bincount(predicted, minlength=clusters).tolist())
    with open(os.path.join(HERE, "prediction_cases.json"), "w") as f:
        json.dump(dict(generator=f"make_prediction_fixtures.py (numpy {np.__version__}, scipy {scipy.__version__})", cases=cases), f, indent=0)


if __name__ == "__main__":
    main()
