#!/usr/bin/python3
"""Reference k-means results from scikit-learn 1.2.1 for KpLab's kmeans plugin tests.

Run from this folder with Debian's interpreter: /usr/bin/python3 make_fixtures.py
Deterministic: every random choice comes from a fixed seed. For each data set it writes
  <name>.npy            the data, float32 (n x d)
  <name>.init.npy       fixed initial centroids (k rows of the data, or a far-away row to force relocation)
and one entry in kmeans_reference.json with k, the labels of sklearn KMeans(init=<name>.init, n_init=1,
algorithm='lloyd'), sklearn's n_iter_, inertia_ (and inertia recomputed in float64 from
sklearn's labels and centres) and the mean k-means++ inertia of KMeans(n_init=1) over random_state 0..19 and 0..199.
"""
import os
import csv
import json

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

assert sklearn.__version__ == "1.2.1", sklearn.__version__


def blobs():
    x, _ = make_blobs(n_samples=600, centers=4, n_features=8, cluster_std=1.5, random_state=0)
    return x.astype(np.float32), 4


def anisotropic():
    x, _ = make_blobs(n_samples=600, centers=3, random_state=170)
    x = x @ np.array([[0.6, -0.6366], [-0.4088, 0.8525]])
    return x.astype(np.float32), 3


def sphere():
    rng = np.random.default_rng(7)
    d, c, n = 16, 5, 500
    centres = rng.standard_normal((c, d))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    lab = rng.integers(0, c, n)
    x = centres[lab] + 0.35 * rng.standard_normal((n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), c


def semeval(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../experiments/data/semeval2013-sra/answers.csv")):
    """TF-IDF + SVD (64 dims) of the answers to the four questions with the most answers."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    counts = {}
    for r in rows:
        counts[r["question_id"]] = counts.get(r["question_id"], 0) + 1
    top = sorted(counts, key=lambda q: (-counts[q], q))[:4]
    texts = [r["answer_text"] for r in rows if r["question_id"] in top]
    tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
    x = TruncatedSVD(n_components=64, random_state=0).fit_transform(tfidf)
    return x.astype(np.float32), 6, top


def reference(name, x, k, init, out):
    km = KMeans(n_clusters=k, init=init, n_init=1, max_iter=300, tol=1e-4, algorithm="lloyd").fit(x)
    x64 = x.astype(np.float64)
    inertia64 = float(((x64 - km.cluster_centers_.astype(np.float64)[km.labels_]) ** 2).sum())
    pp = [KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=s).fit(x).inertia_ for s in range(200)]
    np.save(f"{name}.npy", x)
    np.save(f"{name}.init.npy", init.astype(np.float32))
    out[name] = {"n": int(x.shape[0]), "d": int(x.shape[1]), "k": k, "n_iter": int(km.n_iter_),
                 "inertia": float(km.inertia_), "inertia_float64": inertia64,
                 "kmeanspp_mean_inertia_20_seeds": float(np.mean(pp[:20])),
                 "kmeanspp_mean_inertia_200_seeds": float(np.mean(pp)),
                 "distinct_labels": int(len(np.unique(km.labels_))),
                 "labels": [int(v) for v in km.labels_]}


def spherical_reference(x, init, max_iter=300):
    """Plain spherical k-means from fixed centres: unit rows, assign by largest cosine (first on ties), centres =
    normalised means; stops when the labels repeat."""
    x = x.astype(np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    c = init.astype(np.float64)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    labels = None
    for it in range(max_iter):
        new = np.argmax(x @ c.T, axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        for j in range(c.shape[0]):
            if np.any(labels == j):
                m = x[labels == j].sum(axis=0)
                c[j] = m / np.linalg.norm(m)
    return labels, float((1.0 - (x * c[labels]).sum(axis=1)).sum())


def main():
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__}
    rng = np.random.default_rng(2024)
    sets = {"blobs": blobs(), "anisotropic": anisotropic(), "sphere": sphere()}
    x, k, questions = semeval()
    sets["semeval"] = (x, k)
    out["semeval_questions"] = questions
    for name, (x, k) in sets.items():
        init = x[rng.choice(x.shape[0], k, replace=False)]
        reference(name, x, k, init, out)
    x, k = sets["sphere"]
    labels, inertia = spherical_reference(x, np.load("sphere.init.npy"))
    out["sphere_spherical"] = {"labels": [int(v) for v in labels], "inertia": inertia}
    # Relocation: one initial centre far from everything owns no point in the first iteration.
    x, k = sets["blobs"]
    init = x[rng.choice(x.shape[0], k, replace=False)].copy()
    init[k - 1] = 1000.0
    reference("blobs_relocate", x, k, init, out)
    with open("kmeans_reference.json", "w") as f:
        json.dump(out, f, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
