#!/usr/bin/python3
"""Reference for k-means prediction of new rows (prediction_cases.json): scikit-learn 1.2.1's KMeans.predict.

The first `trainRows` rows of a set are fitted with KMeans(init=<set>.init.npy, n_init=1, algorithm="lloyd"); the new
rows (the held-out rows and 20 uniform rows in the fitted rows' bounding box) are assigned with .predict, i.e. to the
nearest centre in Euclidean distance. The spherical case is numpy: the plugin's own centres are not in the fixture, so
the script runs spherical Lloyd itself (unit rows, centres = normalised means, assignment by the largest cosine, from
the same initial centres, until the labels stop changing) and assigns new rows by the largest cosine.
Run: /usr/bin/python3 make_prediction_fixtures.py (numpy, scikit-learn).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans

HERE = os.path.dirname(os.path.abspath(__file__))


def spherical(x, init, new):
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    centres = init / np.linalg.norm(init, axis=1, keepdims=True)
    labels = None
    for _ in range(300):
        fresh = np.argmax(unit @ centres.T, axis=1)
        if labels is not None and np.array_equal(fresh, labels):
            break
        labels = fresh
        for c in range(len(centres)):
            members = unit[labels == c]
            if len(members):
                mean = members.mean(0)
                centres[c] = mean / np.linalg.norm(mean)
    return labels, np.argmax(new @ centres.T, axis=1)


def main():
    rng = np.random.default_rng(112026)
    cases = []
    for name, train in (("blobs", 480), ("anisotropic", 480), ("semeval", 440)):
        data = np.load(os.path.join(HERE, f"{name}.npy"))
        init = np.load(os.path.join(HERE, f"{name}.init.npy")).astype(np.float64)
        x = data[:train]
        lo, hi = x.min(0), x.max(0)
        new = np.vstack([data[train:], (lo + (hi - lo) * rng.random((20, x.shape[1]))).astype(np.float32)]).astype(np.float32)
        new_file = f"{name}_new.npy"
        np.save(os.path.join(HERE, new_file), new)
        km = KMeans(n_clusters=len(init), init=init, n_init=1, max_iter=300, tol=1e-4, algorithm="lloyd").fit(x.astype(np.float64))
        cases.append(dict(name=f"{name}_euclidean", file=f"{name}.npy", init=f"{name}.init.npy", trainRows=train,
                          newFile=new_file, spherical=False, fitLabels=km.labels_.tolist(),
                          labels=km.predict(new.astype(np.float64)).tolist()))
        if name == "blobs":
            fit_labels, predicted = spherical(x.astype(np.float64), init, new.astype(np.float64))
            cases.append(dict(name=f"{name}_spherical", file=f"{name}.npy", init=f"{name}.init.npy", trainRows=train,
                              newFile=new_file, spherical=True, fitLabels=fit_labels.tolist(), labels=predicted.tolist()))
        for c in cases[-2:] if name == "blobs" else cases[-1:]:
            print(c["name"], "new", len(c["labels"]), "per centre", np.bincount(c["labels"]).tolist())
    with open(os.path.join(HERE, "prediction_cases.json"), "w") as f:
        json.dump(dict(generator=f"make_prediction_fixtures.py (numpy {np.__version__}, scikit-learn {sklearn.__version__})",
                       cases=cases), f, indent=0)


if __name__ == "__main__":
    main()
