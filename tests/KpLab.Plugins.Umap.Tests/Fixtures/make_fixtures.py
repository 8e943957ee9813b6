#!/usr/bin/python3
"""Reference values from umap-learn 0.5.3 and scikit-learn 1.2.1 for KpLab's umap plugin tests.

Run from this folder with Debian's interpreter: /usr/bin/python3 make_fixtures.py   (apt-get install umap-learn)
Deterministic (fixed seeds; umap-learn with random_state runs single-threaded). Writes:
- digits.npy, digits_labels.npy: scikit-learn's digits (1797 x 64, float32) and their classes.
- digits_knn_indices.npy, digits_knn_dists.npy: the exact 15-nearest-neighbour graph (self first), from scikit-learn.
- fuzzy_<case>.npy: umap-learn's fuzzy_simplicial_set on that graph as rows of (row, column, weight), row-major.
- layout_<config>_seed<s>.npy: umap-learn's embeddings for five seeds, for two configurations (see CONFIGS).
- umap_reference.json: a and b from find_ab_params, and per configuration and seed scikit-learn's trustworthiness
  (15 neighbours) of umap-learn's embedding.
"""
import json

import numpy as np
import sklearn
import umap
from sklearn.datasets import load_digits
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors
from umap.umap_ import find_ab_params, fuzzy_simplicial_set

assert sklearn.__version__ == "1.2.1", sklearn.__version__
assert umap.__version__ == "0.5.3", umap.__version__

FUZZY_CASES = {
    "default": dict(set_op_mix_ratio=1.0, local_connectivity=1.0),
    "mixed": dict(set_op_mix_ratio=0.5, local_connectivity=2.0),
    "intersection": dict(set_op_mix_ratio=0.0, local_connectivity=1.0),
}
CONFIGS = {
    # umap-learn's defaults: the layout whose trustworthiness is compared.
    "default": dict(n_neighbors=15, min_dist=0.1),
    # The clustering setting of umap-learn's documentation ("Using UMAP for Clustering"), followed by HDBSCAN.
    "cluster": dict(n_neighbors=30, min_dist=0.0),
}
SEEDS = range(5)


def main():
    digits = load_digits()
    x = digits.data.astype(np.float32)
    np.save("digits.npy", x)
    np.save("digits_labels.npy", digits.target.astype(np.float64))  # KpLab reads float .npy only

    knn = NearestNeighbors(n_neighbors=15).fit(x)
    dists, indices = knn.kneighbors(x)
    # Self first: sklearn may list an exact duplicate before the row itself.
    for i in range(len(x)):
        where = np.where(indices[i] == i)[0]
        if len(where) and where[0] != 0:
            j = where[0]
            indices[i, [0, j]] = indices[i, [j, 0]]
            dists[i, [0, j]] = dists[i, [j, 0]]
    np.save("digits_knn_indices.npy", indices.astype(np.float64))
    np.save("digits_knn_dists.npy", dists.astype(np.float32))

    out = {"umap": umap.__version__, "sklearn": sklearn.__version__, "ab": {}, "layouts": {}}
    for name, kw in FUZZY_CASES.items():
        graph, _, _ = fuzzy_simplicial_set(x, 15, np.random.RandomState(0), "euclidean",
                                           knn_indices=indices, knn_dists=dists.astype(np.float32), **kw)
        graph = graph.tocsr()
        graph.sort_indices()
        coo = graph.tocoo()
        np.save(f"fuzzy_{name}.npy", np.stack([coo.row, coo.col, coo.data]).T.astype(np.float64))

    for spread, min_dist in [(1.0, 0.1), (1.0, 0.0), (2.0, 0.5)]:
        a, b = find_ab_params(spread, min_dist)
        out["ab"][f"{spread}/{min_dist}"] = [float(a), float(b)]

    for config, kw in CONFIGS.items():
        rows = []
        for seed in SEEDS:
            embedding = umap.UMAP(random_state=seed, **kw).fit_transform(x).astype(np.float32)
            np.save(f"layout_{config}_seed{seed}.npy", embedding)
            rows.append({"seed": seed, "trustworthiness": float(trustworthiness(x, embedding, n_neighbors=15))})
        out["layouts"][config] = rows

    with open("umap_reference.json", "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
