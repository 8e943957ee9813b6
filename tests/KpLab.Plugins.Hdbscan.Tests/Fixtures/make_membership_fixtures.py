#!/usr/bin/python3
"""Reference for HDBSCAN soft clustering (membership_cases.json), written independently in numpy.

The hdbscan library is not packaged for Debian, so this re-implements, from the library's definitions (hdbscan 0.8.43,
prediction.py and _prediction_utils.pyx, read for the formulas; no code copied), what its soft clustering computes:

* PredictionData: cluster_tree = the condensed tree's cluster rows; leaf_max_lambdas[c] = the largest lambda among the
  rows whose parent is c; exemplars of a selected cluster = the rows leaving each leaf of its subtree (recurse_leaf_dfs)
  at that leaf's largest lambda;
* merge_height(point_cluster, point_lambda, c): walk both clusters up, the larger id first, until they meet; if both
  moved, the lambda of the last cluster moved (the birth of the two clusters meeting), else point_lambda;
* dist_membership_vector (softmax=False): 1 / distance to the cluster's nearest exemplar (DBL_MAX / k at distance 0),
  normalised to sum 1;
* all_points_membership_vectors: scores exp(-(leaf_max_lambdas[P] + 1e-8) / merge_height) with P and lambda the
  row's condensed-tree parent and lambda; outlier part exp(scores - nanmax over the whole matrix) normalised per row
  (all_points_outlier_membership_vector's default softmax=True); product with the distance part, normalised per row,
  times all_points_prob_in_some_cluster = max height / max(leaf_max_lambdas[cluster of max height], lambda);
* membership_vector (new rows): the approximate_predict neighbour and lambda (lambda capped at the neighbour's own
  condensed-tree lambda); per_cluster_scores = m / (m - merge_height) with m = leaf_max_lambdas[neighbour's cluster],
  a denominator <= 0 replaced by 1e-8, and merge_height taken at lambda rounded to float32 (the Cython signature is
  np.float32_t); outlier part exp(s - max s) normalised; distance_part ** 0.5 * outlier ** 2, normalised, times
  prob_in_some_cluster = max height / (max(lambda, leaf_max_lambdas[cluster of max height]) + 1e-8).

Then BERTopic's reduce_outliers(strategy="probabilities") on the fitted rows: a noise row moves to the argmax of its
vector when that value is >= threshold (and > 0, KpLab's extra guard; no case here has an all-zero noise row).

The fit is make_prediction_fixtures.fit (the test first checks the plugin's labels equal it). Run:
/usr/bin/python3 make_membership_fixtures.py (numpy only). Writes membership_cases.json, single.npy and single_new.npy.
"""
import json
import os

import numpy as np

from make_prediction_fixtures import distances, fit

HERE = os.path.dirname(os.path.abspath(__file__))
DBL_MAX = np.finfo(np.double).max


def soft_model(model, x, metric):
    n, rows = model["n"], model["rows"]
    clusters = np.array(sorted(model["label_of"]), dtype=np.intp)
    cluster_rows = rows[rows["child"] >= n]
    leaf_max = {}
    for c in set(cluster_rows["parent"].tolist()) | set(cluster_rows["child"].tolist()) | set(clusters.tolist()):
        leaf_max[c] = rows["lambda"][rows["parent"] == c].max()

    def leaves(c):
        kids = cluster_rows["child"][cluster_rows["parent"] == c]
        return [c] if len(kids) == 0 else sum((leaves(k) for k in kids), [])

    exemplars = []
    for c in clusters:
        members = []
        for leaf in leaves(c):
            mine = rows[rows["parent"] == leaf]
            members += mine["child"][mine["lambda"] == leaf_max[leaf]].tolist()
        exemplars.append(np.array(members))
    point_row = {int(r["child"]): r for r in rows[rows["child"] < n]}
    parent_of = {int(r["child"]): int(r["parent"]) for r in cluster_rows}
    birth_of = {int(r["child"]): float(r["lambda"]) for r in cluster_rows}

    def merge_height(point_cluster, point_lambda):
        out = np.empty(len(clusters))
        for i, c in enumerate(clusters):
            left, right, took_left, took_right, last = point_cluster, int(c), False, False, None
            while left != right:
                if left > right:
                    took_left, last, left = True, left, parent_of[left]
                else:
                    took_right, last, right = True, right, parent_of[right]
            out[i] = birth_of[last] if took_left and took_right else point_lambda
        return out

    def dist_vector(points):
        k = len(clusters)
        nearest = np.stack([distances(points, x[e], metric).min(axis=1) for e in exemplars], axis=1)
        with np.errstate(divide="ignore"):
            w = np.where(nearest != 0, 1.0 / nearest, DBL_MAX / k)
        return w / w.sum(axis=1, keepdims=True)

    return dict(clusters=clusters, leaf_max=leaf_max, exemplars=exemplars, point_row=point_row,
                merge_height=merge_height, dist_vector=dist_vector)


def all_points_membership_vectors(model, soft, x):
    n, clusters = model["n"], soft["clusters"]
    scores = np.empty((n, len(clusters)))
    in_cluster = np.empty(n)
    for i in range(n):
        row = soft["point_row"][i]
        p, lam = int(row["parent"]), float(row["lambda"])
        heights = soft["merge_height"](p, lam)
        with np.errstate(divide="ignore"):
            scores[i] = np.exp(-((soft["leaf_max"][p] + 1e-8) / heights))
        in_cluster[i] = heights.max() / max(soft["leaf_max"][int(clusters[heights.argmax()])], lam)
    outlier = np.exp(scores - np.nanmax(scores))
    outlier = outlier / outlier.sum(axis=1)[:, None]
    result = soft["dist_vector"](x) * outlier
    result = result / result.sum(axis=1)[:, None]
    return result * in_cluster[:, None]


def membership_vector(model, soft, x, new, min_samples, metric):
    n, clusters = model["n"], soft["clusters"]
    d = distances(new, x, metric)
    k = min(n, 2 * min_samples)
    dist = soft["dist_vector"](new)
    result = np.empty((len(new), len(clusters)))
    for i in range(len(new)):
        order = np.argsort(d[i], kind="stable")[:k]
        nd = d[i][order]
        mr = np.maximum(np.maximum(model["core"][order], nd[min(min_samples, k - 1)]), nd)
        j = int(np.argmin(mr))
        nearest = int(order[j])
        lam = 1.0 / mr[j] if mr[j] > 0 else DBL_MAX
        row = soft["point_row"][nearest]
        if row["lambda"] <= lam:
            lam = float(row["lambda"])
        p = int(row["parent"])
        m = soft["leaf_max"][p]
        heights32 = soft["merge_height"](p, float(np.float32(lam)))
        denominators = m - heights32
        scores = m / np.where(denominators <= 0, 1e-8, denominators)
        outlier = np.exp(scores - np.nanmax(scores))
        outlier /= outlier.sum()
        r = dist[i] ** 0.5 * outlier ** 2.0
        r /= r.sum()
        heights = soft["merge_height"](p, lam)
        r *= heights.max() / (max(lam, soft["leaf_max"][int(clusters[heights.argmax()])]) + 1e-8)
        result[i] = r
    return result


def reassign(labels, vectors, threshold):
    out = labels.copy()
    for i in np.where(labels == -1)[0]:
        best = int(np.argmax(vectors[i]))
        if vectors[i][best] > 0 and vectors[i][best] >= threshold:
            out[i] = best
    return out


def main():
    rng = np.random.default_rng(20261129)
    # One dense Gaussian and a few scattered rows: with allow_single_cluster the root is the one selected cluster.
    single = np.vstack([rng.normal(0.0, 1.0, (150, 6)), rng.uniform(-6, 6, (10, 6))]).astype(np.float32)
    np.save(os.path.join(HERE, "single.npy"), single)
    single_new = np.vstack([rng.normal(0.0, 1.0, (20, 6)), rng.uniform(-6, 6, (20, 6))]).astype(np.float32)
    np.save(os.path.join(HERE, "single_new.npy"), single_new)
    specs = [
        # name, train rows, min_cluster_size, min_samples, metric, allow_single, file of new rows (from the prediction fixtures)
        ("blobs", 320, 5, None, "euclidean", False, "blobs_new_5_5_euclidean.npy"),
        ("blobs", 320, 15, 5, "euclidean", False, "blobs_new_15_5_euclidean.npy"),
        ("aniso", 300, 10, None, "euclidean", False, "aniso_new_10_10_euclidean.npy"),
        ("sphere", 320, 8, 4, "euclidean", False, "sphere_new_8_4_euclidean.npy"),
        ("semeval", 1200, 15, None, "euclidean", False, "semeval_new_15_15_euclidean.npy"),
        ("sphere", 320, 8, 4, "cosine", False, "sphere_new_8_4_cosine.npy"),
        ("blobs", 320, 10, None, "cosine", False, "blobs_new_10_10_cosine.npy"),
        ("single", 160, 5, 2, "euclidean", True, "single_new.npy"),
    ]
    cases = []
    for name, train, mcs, ms, metric, allow_single, new_file in specs:
        data = np.load(os.path.join(HERE, f"{name}.npy"))
        x = data[:train]
        new = np.load(os.path.join(HERE, new_file))
        min_samples = ms or mcs
        model = fit(x, mcs, min_samples, metric, allow_single)
        soft = soft_model(model, x, metric)
        vectors = all_points_membership_vectors(model, soft, x)
        new_vectors = membership_vector(model, soft, x, new, min_samples, metric)
        assert np.isfinite(vectors).all() and np.isfinite(new_vectors).all()
        labels = model["labels"]
        noise_best = np.sort(vectors[labels == -1].max(axis=1))
        thresholds = [0.0, float(noise_best[len(noise_best) // 2])] if len(noise_best) else [0.0]
        leaves_per_cluster = [len(e) for e in soft["exemplars"]]
        non_leaf = sum(1 for c in soft["clusters"] if any(model["cparent"][k] == c for k in model["cparent"]))
        cases.append(dict(
            name=f"{name}_mcs{mcs}_ms{min_samples}_{metric}" + ("_single" if allow_single else ""), file=f"{name}.npy",
            trainRows=train, newFile=new_file, minClusterSize=mcs, minSamples=ms, metric=metric,
            allowSingleCluster=allow_single, fitLabels=labels.tolist(),
            exemplars=[sorted(e.tolist()) for e in soft["exemplars"]],
            vectors=vectors.tolist(), newVectors=new_vectors.tolist(),
            reassignments=[dict(threshold=t, labels=reassign(labels, vectors, t).tolist()) for t in thresholds]))
        moved = [int((reassign(labels, vectors, t) != labels).sum()) for t in thresholds]
        print(cases[-1]["name"], "clusters", len(soft["clusters"]), "non-leaf selected", non_leaf,
              "exemplars", leaves_per_cluster, "noise", int((labels == -1).sum()), "thresholds", thresholds, "moved", moved)
    with open(os.path.join(HERE, "membership_cases.json"), "w") as f:
        json.dump(dict(generator="make_membership_fixtures.py (numpy " + np.__version__ + ")", cases=cases), f, indent=0)


if __name__ == "__main__":
    main()
