#!/usr/bin/python3
"""Reference values for the internal metrics from scikit-learn 1.2.1.

Run: /usr/bin/python3 make_fixtures.py  (deterministic). Embeddings are stored as float32 .npy; scikit-learn scores
their exact float64 widening, so the references carry no float32 rounding of their own.
"""
import json
import os

import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.feature_extraction.text import TfidfVectorizer

assert sklearn.__version__ == "1.2.1", sklearn.__version__
HERE = os.path.dirname(os.path.abspath(__file__))


def scores(X, labels, noise):
    X = X.astype(np.float64)
    if noise == "exclude":
        keep = labels != -1
        X, labels = X[keep], labels[keep]
    out = {}
    for metric in ("euclidean", "cosine"):
        s = M.silhouette_samples(X, labels, metric=metric)
        out[f"silhouette_{metric}_samples"] = s.tolist()
        out[f"silhouette_{metric}"] = float(M.silhouette_score(X, labels, metric=metric))
    out["davies_bouldin"] = float(M.davies_bouldin_score(X, labels))
    out["calinski_harabasz"] = float(M.calinski_harabasz_score(X, labels))
    return out


def main():
    rng = np.random.default_rng(7)
    cases = []

    X = rng.standard_normal((300, 16)).astype(np.float32)
    labels = rng.integers(0, 5, 300)
    labels[rng.choice(300, 20, replace=False)] = -1
    labels[17] = 9  # a singleton cluster: s = 0
    np.save(os.path.join(HERE, "random_n300_d16.npy"), X)
    for noise in ("cluster", "exclude"):
        cases.append({"name": f"random_n300_d16_{noise}", "file": "random_n300_d16.npy", "noise": noise,
                      "labels": labels.tolist(), "expected": scores(X, labels, noise)})

    X, _ = make_blobs(n_samples=400, n_features=16, centers=5, cluster_std=1.0, center_box=(-10, 10), random_state=3)
    X = X.astype(np.float32)
    labels = KMeans(n_clusters=5, n_init=3, random_state=0).fit(X).labels_
    np.save(os.path.join(HERE, "blobs_n400_d16.npy"), X)
    cases.append({"name": "blobs_n400_d16_kmeans", "file": "blobs_n400_d16.npy", "noise": "cluster",
                  "labels": labels.tolist(), "expected": scores(X, labels, "cluster")})

    # Embedding-like: Gaussian clusters on the unit sphere (as bench/peer.py), one zero row, 6 clusters.
    c = rng.standard_normal((6, 32))
    lab = rng.integers(0, 6, 500)
    X = c[lab] / np.linalg.norm(c[lab], axis=1, keepdims=True) + 0.15 * rng.standard_normal((500, 32))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    X[11] = 0.0
    X = X.astype(np.float32)
    np.save(os.path.join(HERE, "sphere_n500_d32.npy"), X)
    cases.append({"name": "sphere_n500_d32", "file": "sphere_n500_d32.npy", "noise": "cluster",
                  "labels": lab.tolist(), "expected": scores(X, lab, "cluster")})

    # Two clusters of three points: the smallest case with a singleton-free answer.
    X = np.array([[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5.5]], dtype=np.float32)
    np.save(os.path.join(HERE, "tiny_n6_d2.npy"), X)
    lab = np.array([0, 0, 0, 1, 1, 1])
    cases.append({"name": "tiny_n6_d2", "file": "tiny_n6_d2.npy", "noise": "cluster", "labels": lab.tolist(),
                  "expected": scores(X, lab, "cluster")})

    # Duplicate short answers under TF-IDF: many exact duplicate rows, whose euclidean distance must be exactly 0
    # (the float32 expansion |x|² + |y|² − 2x·y put them about 6e-3 apart and moved the mean by 1.4e-4).
    answers = [
        "photosynthesis makes sugar from light", "plants make food from sunlight", "light energy becomes sugar",
        "the mitochondria makes energy", "cells get energy from mitochondria", "respiration releases energy",
        "water evaporates and condenses", "the water cycle moves water", "rain comes from clouds",
        "gravity pulls objects down", "objects fall because of gravity", "mass attracts mass",
        "i do not know", "no idea", "because of science", "energy", "sugar", "light and water make sugar",
        "force equals mass times acceleration", "acceleration is force over mass",
    ]
    picks = rng.integers(0, len(answers), 360)
    docs = [answers[i] for i in picks]
    X = TfidfVectorizer().fit_transform(docs).toarray().astype(np.float32)
    lab = KMeans(n_clusters=6, n_init=3, random_state=0).fit(X).labels_.copy()
    flip = rng.choice(360, 50, replace=False)  # duplicates of one answer end up in several clusters
    lab[flip] = rng.integers(0, 6, 50)
    np.save(os.path.join(HERE, "tfidf_duplicates_n360.npy"), X)
    cases.append({"name": "tfidf_duplicates_n360", "file": "tfidf_duplicates_n360.npy", "noise": "cluster",
                  "labels": lab.tolist(), "expected": scores(X, lab, "cluster")})

    with open(os.path.join(HERE, "internal_cases.json"), "w") as f:
        json.dump({"generator": "make_fixtures.py", "sklearn": sklearn.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
