#!/usr/bin/python3
"""Reference for HDBSCAN* prediction of new rows (prediction_cases.json), written independently in numpy.

Debian has no python3-hdbscan and scikit-learn 1.2.1 predates sklearn.cluster.HDBSCAN (1.3), so neither the hdbscan
library nor scikit-learn can run here. This script re-implements, from the HDBSCAN* papers (Campello et al. 2013,
2015) and the hdbscan library's documented definitions, what prediction needs:

* the fit: core distance = distance to the min_samples-th nearest row counting the row itself; Prim's minimum spanning
  tree of the mutual reachability graph max(core_i, core_j, d_ij); the single-linkage tree; the condensed tree
  (minClusterSize); excess-of-mass selection without the root; labels 0.. in order of condensed cluster id;
* hdbscan.prediction.approximate_predict: the 2 * min_samples nearest fitted rows; the new row's core distance is the
  distance to the (min_samples + 1)-th of them (the library's neighbor_distances[min_samples]); the neighbour with the
  smallest mutual reachability distance (first in distance order on ties) at lambda = 1 / that distance; the
  neighbour's condensed-tree cluster if the neighbour left it at a lambda <= the new lambda, else the nearest ancestor
  born above the new lambda; label of the selected cluster at or above it (else noise); probability
  min(lambda, lambda_max) / lambda_max with lambda_max the largest lambda among the selected cluster's condensed rows.

The test checks that the plugin's fitted labels equal this script's (so the trees agree) and then the predicted labels
exactly and the probabilities to 1e-12. The data sets have no exactly tied distances (semeval.npy has duplicate
rows, whose ties make the single-linkage tree depend on the order ties are broken in, so its cosine case is left out). Run: /usr/bin/python3 make_prediction_fixtures.py (numpy only).
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def distances(a, b, metric):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if metric == "cosine":
        na = np.sqrt((a * a).sum(1))
        nb = np.sqrt((b * b).sum(1))
        cos = np.clip((a @ b.T) / np.outer(na, nb), -1.0, 1.0)
        return 1.0 - cos
    sq = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    return np.sqrt(sq)


def fit(x, min_cluster_size, min_samples, metric, allow_single=False):
    n = len(x)
    d = distances(x, x, metric)
    np.fill_diagonal(d, 0.0)
    core = np.sort(d, axis=1)[:, min_samples - 1]
    mr = np.maximum(np.maximum(core[:, None], core[None, :]), d)
    # Prim's tree.
    in_tree = np.zeros(n, bool)
    best = np.full(n, np.inf)
    source = np.zeros(n, int)
    current = 0
    in_tree[0] = True
    edges = []
    for _ in range(n - 1):
        candidate = mr[current]
        better = (~in_tree) & (candidate < best)
        best[better] = candidate[better]
        source[better] = current
        masked = np.where(in_tree, np.inf, best)
        nxt = int(np.argmin(masked))
        edges.append((source[nxt], nxt, best[nxt]))
        in_tree[nxt] = True
        current = nxt
    edges.sort(key=lambda e: e[2])
    # Single-linkage merges: node n + i joins left[i], right[i] at height[i].
    parent = list(range(2 * n - 1))

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    left, right, height, size = [], [], [], []
    sizes = [1] * n + [0] * (n - 1)
    for i, (a, b, w) in enumerate(edges):
        ra, rb = find(a), find(b)
        left.append(ra)
        right.append(rb)
        height.append(w)
        sizes[n + i] = sizes[ra] + sizes[rb]
        size.append(sizes[n + i])
        parent[ra] = parent[rb] = n + i

    def leaves(node):
        out, stack = [], [node]
        while stack:
            v = stack.pop()
            if v < n:
                out.append(v)
            else:
                stack += [left[v - n], right[v - n]]
        return out

    # Condensed tree rows (parent, child, lambda, size); clusters numbered n, n + 1, ... breadth first.
    rows = []
    relabel = {2 * n - 2: n}
    next_label = n + 1
    queue = [2 * n - 2]
    while queue:
        node = queue.pop(0)
        if node < n:
            continue
        l, r, h = left[node - n], right[node - n], height[node - n]
        lam = 1.0 / h if h > 0 else np.inf
        ls = 1 if l < n else sizes[l]
        rs = 1 if r < n else sizes[r]
        label = relabel[node]
        if ls >= min_cluster_size and rs >= min_cluster_size:
            for child, cs in ((l, ls), (r, rs)):
                relabel[child] = next_label
                rows.append((label, next_label, lam, cs))
                next_label += 1
                queue.append(child)
        else:
            for child, cs in ((l, ls), (r, rs)):
                if cs >= min_cluster_size:
                    relabel[child] = label
                    queue.append(child)
                else:
                    rows += [(label, p, lam, 1) for p in leaves(child)]
    rows = np.array(rows, dtype=[("parent", int), ("child", int), ("lambda", float), ("size", int)])
    clusters = list(range(n, next_label))
    birth = {n: 0.0}
    cparent = {n: -1}
    for row in rows[rows["child"] >= n]:
        birth[row["child"]] = row["lambda"]
        cparent[row["child"]] = row["parent"]
    stability = {c: 0.0 for c in clusters}
    for row in rows:
        stability[row["parent"]] += (row["lambda"] - birth[row["parent"]]) * row["size"]
    children = {c: [k for k in clusters if cparent[k] == c] for c in clusters}
    selected = {c: False for c in clusters}
    for c in reversed(clusters if allow_single else clusters[1:]):
        sub = sum(stability[k] for k in children[c])
        if sub > stability[c]:
            stability[c] = sub
        else:
            selected[c] = True
            stack = list(children[c])
            while stack:
                k = stack.pop()
                selected[k] = False
                stack += children[k]
    chosen = sorted(c for c in clusters if selected[c])
    owner = {}
    for c in clusters:  # parents before children
        p = cparent[c]
        owner[c] = owner[p] if p >= 0 and owner[p] is not None else (c if selected[c] else None)
    label_of = {c: i for i, c in enumerate(chosen)}
    labels = np.full(n, -1)
    root_max = rows["lambda"][rows["parent"] == n].max()
    for row in rows[rows["child"] < n]:
        o = owner[row["parent"]]
        # The root as the single cluster keeps only rows as dense as its densest (hdbscan's do_labelling).
        if o is not None and (o != n or row["lambda"] >= root_max):
            labels[row["child"]] = label_of[o]
    max_lambda = {c: rows["lambda"][rows["parent"] == c].max() for c in chosen}
    return dict(n=n, core=core, rows=rows, birth=birth, cparent=cparent, owner=owner, label_of=label_of, children=children,
                max_lambda=max_lambda, labels=labels, has_clusters=len(clusters) > 1)


def approximate_predict(model, x, new, min_samples, metric):
    n = model["n"]
    d = distances(new, x, metric)
    k = min(n, 2 * min_samples)
    labels, probabilities = [], []
    point_row = {int(r["child"]): r for r in model["rows"][model["rows"]["child"] < n]}
    for i in range(len(new)):
        if not model["has_clusters"]:
            labels.append(-1)
            probabilities.append(0.0)
            continue
        order = np.argsort(d[i], kind="stable")[:k]
        nd = d[i][order]
        own_core = nd[min(min_samples, k - 1)]
        mr = np.maximum(np.maximum(model["core"][order], own_core), nd)
        j = int(np.argmin(mr))
        nearest = int(order[j])
        lam = 1.0 / mr[j] if mr[j] > 0 else np.finfo(np.double).max
        row = point_row[nearest]
        cluster = int(row["parent"])
        if row["lambda"] > lam:
            while cluster > n and model["birth"][cluster] >= lam:
                cluster = model["cparent"][cluster]
        o = model["owner"][cluster]
        if o is None:
            labels.append(-1)
            probabilities.append(0.0)
            continue
        ml = model["max_lambda"][o]
        labels.append(model["label_of"][o])
        probabilities.append(min(ml, lam) / ml if ml > 0 else 1.0)
    return labels, probabilities


def main():
    rng = np.random.default_rng(20261129)
    cases = []
    specs = [
        ("blobs", 320, 5, None, "euclidean"),
        ("blobs", 320, 15, 5, "euclidean"),
        ("aniso", 300, 10, None, "euclidean"),
        ("sphere", 320, 8, 4, "euclidean"),
        ("semeval", 1200, 15, None, "euclidean"),
        ("sphere", 320, 8, 4, "cosine"),
        ("blobs", 320, 10, None, "cosine"),
    ]
    for name, train, mcs, ms, metric in specs:
        data = np.load(os.path.join(HERE, f"{name}.npy"))
        x, held_out = data[:train], data[train:]
        lo, hi = x.min(0), x.max(0)
        # Rows far from every cluster, so that noise predictions are exercised too.
        scattered = (lo + (hi - lo) * rng.random((20, x.shape[1]))).astype(np.float32)
        new = np.vstack([held_out, scattered]).astype(np.float32)
        new_file = f"{name}_new_{mcs}_{ms or mcs}_{metric}.npy"
        np.save(os.path.join(HERE, new_file), new)
        min_samples = ms or mcs
        model = fit(x, mcs, min_samples, metric)
        labels, probabilities = approximate_predict(model, x, new, min_samples, metric)
        cases.append(dict(
            name=f"{name}_mcs{mcs}_ms{min_samples}_{metric}", file=f"{name}.npy", trainRows=train, newFile=new_file,
            minClusterSize=mcs, minSamples=ms, metric=metric,
            fitLabels=model["labels"].tolist(), labels=labels, probabilities=probabilities))
        print(cases[-1]["name"], "clusters", len(model["label_of"]), "new", len(new),
              "predicted noise", sum(1 for v in labels if v < 0))
    with open(os.path.join(HERE, "prediction_cases.json"), "w") as f:
        json.dump(dict(generator="make_prediction_fixtures.py (numpy " + np.__version__ + ")", cases=cases), f, indent=0)


if __name__ == "__main__":
    main()
