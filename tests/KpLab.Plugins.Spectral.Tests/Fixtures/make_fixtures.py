#!/usr/bin/python3
"""Reference spectral clusterings from scikit-learn 1.2.1 for KpLab's spectral plugin tests.

Run from this folder with Debian's interpreter: /usr/bin/python3 make_fixtures.py
Deterministic (fixed seeds). Writes <name>.npy (float32 data) and spectral_reference.json holding, per case, the
sklearn SpectralClustering(assign_labels='kmeans', random_state=0) labels, the true labels where known and, for the
moons case, sklearn's spectral embedding (normalised Laplacian, drop_first=False, D^-1/2 scaled, sign-flipped).
"""
import os
import csv
import json

import numpy as np
import sklearn
from sklearn.cluster import SpectralClustering
from sklearn.datasets import make_blobs, make_moons
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.manifold import spectral_embedding
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import kneighbors_graph

assert sklearn.__version__ == "1.2.1", sklearn.__version__


def semeval(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../experiments/data/semeval2013-sra/answers.csv")):
    """TF-IDF + SVD (50 dims) of the answers to the three questions with the most answers; truth = question."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    counts = {}
    for r in rows:
        counts[r["question_id"]] = counts.get(r["question_id"], 0) + 1
    top = sorted(counts, key=lambda q: (-counts[q], q))[:3]
    chosen = [r for r in rows if r["question_id"] in top]
    tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform([r["answer_text"] for r in chosen])
    x = TruncatedSVD(n_components=50, random_state=0).fit_transform(tfidf).astype(np.float32)
    y = np.array([top.index(r["question_id"]) for r in chosen])
    keep = np.linalg.norm(x, axis=1) > 0  # answers with no shared word have no direction
    return np.ascontiguousarray(x[keep]), y[keep]


def cluster(x, k, affinity, **kw):
    return SpectralClustering(n_clusters=k, affinity=affinity, assign_labels="kmeans", random_state=0, **kw).fit(x).labels_


def main():
    out = {"sklearn": sklearn.__version__}
    x, y = make_blobs(n_samples=300, centers=3, n_features=5, cluster_std=0.8, random_state=1)
    x = x.astype(np.float32)
    np.save("blobs.npy", x)
    out["blobs_nn"] = {"k": 3, "truth": y.tolist(), "labels": cluster(x, 3, "nearest_neighbors", n_neighbors=10).tolist()}
    out["blobs_rbf"] = {"k": 3, "gamma": 0.05, "truth": y.tolist(), "labels": cluster(x, 3, "rbf", gamma=0.05).tolist()}

    x, y = make_moons(n_samples=300, noise=0.06, random_state=0)
    x = x.astype(np.float32)
    np.save("moons.npy", x)
    labels = cluster(x, 2, "nearest_neighbors", n_neighbors=10)
    conn = kneighbors_graph(x, n_neighbors=10, include_self=True)
    emb = spectral_embedding(0.5 * (conn + conn.T), n_components=2, drop_first=False, random_state=0)
    out["moons_nn"] = {"k": 2, "truth": y.tolist(), "labels": labels.tolist(), "embedding": emb.tolist()}

    x, y = semeval()
    np.save("semeval.npy", x)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)  # Euclidean kNN on unit rows = cosine kNN
    labels = cluster(unit, 3, "nearest_neighbors", n_neighbors=10)
    out["semeval_cosine_nn"] = {"k": 3, "truth": y.tolist(), "labels": labels.tolist(),
                                "ari_vs_truth": adjusted_rand_score(y, labels)}
    with open("spectral_reference.json", "w") as f:
        json.dump(out, f, sort_keys=True)
        f.write("\n")
    for name, case in out.items():
        if isinstance(case, dict):
            print(name, "sklearn ARI vs truth", adjusted_rand_score(case["truth"], case["labels"]))


if __name__ == "__main__":
    main()
