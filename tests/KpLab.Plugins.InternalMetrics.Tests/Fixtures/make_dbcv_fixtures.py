#!/usr/bin/python3
"""Reference values of DBCV (dbcv_cases.json), written independently in numpy from the paper:

Moulavi, Jaskowiak, Campello, Zimek and Sander, "Density-Based Clustering Validation", SDM 2014.

* all-points core distance of o in cluster C (|C| = m, data dimension d, KNN(o, i) the distance to the i-th nearest
  member of C, the first being o itself):  ( sum_{i=2..m} (1 / KNN(o, i))^d / (m - 1) )^(-1/d),
  evaluated in log space (d = 384 overflows (1/x)^d); a zero distance to another member makes it 0;
* mutual reachability distance within the clustering: max(core(a), core(b), d(a, b));
* per cluster, a minimum spanning tree of the mutual reachability graph of its members (Prim);
  internal nodes: degree > 1 (all members when there are none, i.e. m = 2); internal edges: both ends internal (all
  tree edges when there are none, as the authors' MATLAB code);
* density sparseness DSC(C): the largest internal edge; density separation DSPC(Ci, Cj): the smallest mutual
  reachability distance between an internal node of Ci and one of Cj;
* V(C) = (min_j DSPC(C, Cj) - DSC(C)) / max(min_j DSPC(C, Cj), DSC(C));  DBCV = sum_C |C| / N * V(C), N counting
  noise rows (label -1) too. A cluster of one row has no all-points core distance; it is counted as noise.

Run: /usr/bin/python3 make_dbcv_fixtures.py (numpy only; deterministic).
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def pairwise(a, b, metric):
    if metric == "cosine":
        na = np.sqrt((a * a).sum(1))
        nb = np.sqrt((b * b).sum(1))
        return 1.0 - np.clip((a @ b.T) / np.outer(na, nb), -1.0, 1.0)
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def core_distances(dist, d):
    m = len(dist)
    core = np.empty(m)
    for i in range(m):
        others = np.delete(dist[i], i)
        if np.any(others == 0):
            core[i] = 0.0
            continue
        logs = -d * np.log(others)
        top = logs.max()
        lse = top + np.log(np.exp(logs - top).sum())
        core[i] = np.exp(-(lse - np.log(m - 1)) / d)
    return core


def prim(weights):
    m = len(weights)
    in_tree = np.zeros(m, bool)
    best = np.full(m, np.inf)
    source = np.zeros(m, int)
    current = 0
    in_tree[0] = True
    edges = []
    for _ in range(m - 1):
        better = (~in_tree) & (weights[current] < best)
        best[better] = weights[current][better]
        source[better] = current
        nxt = int(np.argmin(np.where(in_tree, np.inf, best)))
        edges.append((int(source[nxt]), nxt, float(best[nxt])))
        in_tree[nxt] = True
        current = nxt
    return edges


def dbcv(x, labels, metric):
    x = x.astype(np.float64)
    n, d = x.shape
    sizes = {c: int((labels == c).sum()) for c in set(labels.tolist()) if c != -1}
    clusters = sorted(c for c, s in sizes.items() if s >= 2)
    info = {}
    for c in clusters:
        idx = np.flatnonzero(labels == c)
        dist = pairwise(x[idx], x[idx], metric)
        np.fill_diagonal(dist, 0.0)
        core = core_distances(dist, d)
        mr = np.maximum(np.maximum(core[:, None], core[None, :]), dist)
        edges = prim(mr)
        degree = np.zeros(len(idx), int)
        for a, b, _ in edges:
            degree[a] += 1
            degree[b] += 1
        internal = degree > 1
        if not internal.any():
            internal[:] = True
        inner_edges = [w for a, b, w in edges if internal[a] and internal[b]] or [w for _, _, w in edges]
        info[c] = dict(rows=idx[internal], core=core[internal], sparseness=max(inner_edges), size=len(idx))
    separation = {c: np.inf for c in clusters}
    for i, ci in enumerate(clusters):
        for cj in clusters[i + 1:]:
            a, b = info[ci], info[cj]
            dist = pairwise(x[a["rows"]], x[b["rows"]], metric)
            sep = np.maximum(np.maximum(a["core"][:, None], b["core"][None, :]), dist).min()
            separation[ci] = min(separation[ci], sep)
            separation[cj] = min(separation[cj], sep)
    per_cluster = []
    total = 0.0
    for c in clusters:
        s, sep = info[c]["sparseness"], separation[c]
        v = (sep - s) / max(sep, s)
        total += info[c]["size"] / n * v
        per_cluster.append(dict(label=int(c), size=info[c]["size"], sparseness=s, separation=sep, validity=v))
    return total, per_cluster


def main():
    rng = np.random.default_rng(2014)
    cases = []

    def add(name, x, labels, metric):
        np.save(os.path.join(HERE, f"dbcv_{name}.npy"), x.astype(np.float32))
        value, per_cluster = dbcv(x.astype(np.float32), np.asarray(labels), metric)
        cases.append(dict(name=f"{name}_{metric}", file=f"dbcv_{name}.npy", metric=metric, labels=[int(v) for v in labels],
                          dbcv=value, clusters=per_cluster))
        print(cases[-1]["name"], value)

    # Three Gaussian blobs with uniform noise, a two-row cluster and a one-row "cluster" (counted as noise).
    centres = np.array([[0, 0], [6, 1], [2, 7]], float)
    blob = np.vstack([c + rng.normal(size=(90, 2)) for c in centres])
    noise = rng.uniform(-4, 10, size=(30, 2))
    pair = np.array([[14.0, 14.0], [14.5, 14.2]])
    single = np.array([[-8.0, 12.0]])
    x = np.vstack([blob, noise, pair, single])
    labels = [0] * 90 + [1] * 90 + [2] * 90 + [-1] * 30 + [7, 7] + [9]
    add("blobs2d", x, labels, "euclidean")
    # Two interleaved half-moons, where density-based validity prefers the true moons over a straight cut.
    t = rng.uniform(0, np.pi, 150)
    moons = np.vstack([np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)]]) + rng.normal(scale=0.06, size=(300, 2))
    add("moons", moons, [0] * 150 + [1] * 150, "euclidean")
    add("moons_cut", moons, (moons[:, 0] > 0.5).astype(int).tolist(), "euclidean")
    # Four clusters in 384 dimensions (the all-points core distance needs log space there), cosine and Euclidean.
    means = rng.normal(size=(4, 384))
    high = np.vstack([mu + 0.6 * rng.normal(size=(60, 384)) for mu in means])
    high_labels = [c for c in range(4) for _ in range(60)]
    high_labels[:5] = [-1] * 5
    add("high384", high, high_labels, "euclidean")
    cases.append(dict(cases[-1]))
    value, per_cluster = dbcv(np.load(os.path.join(HERE, "dbcv_high384.npy")), np.asarray(high_labels), "cosine")
    cases[-1].update(name="high384_cosine", metric="cosine", dbcv=value, clusters=per_cluster)
    print(cases[-1]["name"], value)

    with open(os.path.join(HERE, "dbcv_cases.json"), "w") as f:
        json.dump(dict(generator="make_dbcv_fixtures.py (numpy " + np.__version__ + ")", cases=cases), f, indent=0)


if __name__ == "__main__":
    main()
