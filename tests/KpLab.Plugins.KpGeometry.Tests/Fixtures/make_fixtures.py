#!/usr/bin/python3
"""Reference values for kp-geometry, computed naively in NumPy/SciPy (O(n^2) cosine matrices, no identities).

Run: /usr/bin/python3 make_fixtures.py  (deterministic). Embeddings are stored as float32 .npy and scored as their
exact float64 widening. Cosine of a zero row is 0 (as sklearn's cosine_similarity). kNN: cosine distance over all rows,
self excluded, stable order (ties to the lower index); the script refuses data where rows of different labels lie within 1e-5
of the k-th neighbour distance on both sides of it (float32 search could then legitimately pick another neighbour)
and draws the next seed.
"""
import json
import os

import numpy as np
import scipy
from scipy.stats import spearmanr

HERE = os.path.dirname(os.path.abspath(__file__))
STATISTICS = ["withinCosine", "centroidCosine", "centroidNorm", "bestCentroidCosine", "knnAgreement", "knnCosine", "size"]


class NearTie(Exception):
    pass


def unit(X):
    X = X.astype(np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def cos(a, b):
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return 0.0 if na == 0 or nb == 0 else float(a @ b / (na * nb))


def mean_pairwise(C, idx):
    """Mean of C over pairs of distinct positions p < q of idx (repeats allowed)."""
    sub = C[np.ix_(idx, idx)]
    iu = np.triu_indices(len(idx), 1)
    return float(sub[iu].mean()) if len(idx) > 1 else float("nan")


def cross_pairs(C, res):
    """Mean of C over position pairs p < q of the resample res whose rows differ."""
    p, q = np.triu_indices(len(res), 1)
    keep = res[p] != res[q]
    return float(C[res[p][keep], res[q][keep]].mean())


def geometry(X, labels, quality, k):
    U = unit(X)
    C = U @ U.T
    n = len(labels)
    names = sorted(set(labels))
    lab = np.array(labels)
    k = min(k, n - 1)
    D = 1.0 - C
    np.fill_diagonal(D, np.inf)
    order = np.argsort(D, axis=1, kind="stable")
    for i in range(n):
        # Rows within 1e-5 of the k-th distance could swap places under float32 search: harmless only when they all
        # carry one label or lie at exactly equal distances (knnCosine then moves by < 1e-5 / k per row; exact ties go to the lower index both ways).
        ds = D[i, order[i]]
        near = np.flatnonzero(np.abs(ds - ds[k - 1]) < 1e-5)
        if k < n - 1 and near.max() >= k and len(set(ds[near])) > 1 and len(set(lab[order[i][near]])) > 1:
            raise NearTie(f"row {i}: labels {sorted(set(lab[order[i][near]]))} tie within 1e-5 at the k boundary")
    nn = order[:, :k]
    rows = {}
    centroids = {}
    for name in names:
        idx = np.flatnonzero(lab == name)
        c = U[idx].mean(axis=0)
        centroids[name] = c
        cn = np.linalg.norm(c)
        rows[name] = {
            "size": len(idx),
            "withinCosine": mean_pairwise(C, idx),
            "centroidCosine": float(np.mean([cos(U[i], c) for i in idx])),
            "centroidNorm": float(cn),
            "knnAgreement": float(np.mean([(lab[nn[i]] == name).mean() for i in idx])),
            "knnCosine": float(np.mean([C[i, nn[i]].mean() for i in idx])),
        }
    if quality:
        best = quality[0]
    else:
        finite = [nm for nm in names if np.isfinite(rows[nm]["withinCosine"])]
        best = max(finite, key=lambda nm: rows[nm]["withinCosine"]) if finite else names[0]  # max keeps the first
    for name in names:
        rows[name]["bestCentroidCosine"] = 1.0 if name == best else cos(centroids[name], centroids[best])
    spearman = {}
    if quality:
        for s in STATISTICS:
            r = np.arange(1, len(quality) + 1, dtype=float)
            v = np.array([rows[q][s] for q in quality], dtype=float)
            keep = np.isfinite(v)
            if keep.sum() < 2 or np.ptp(v[keep]) == 0:
                spearman[s] = None  # NaN: scipy's answer for a constant input
            else:
                spearman[s] = float(spearmanr(r[keep], v[keep]).correlation)
    return rows, spearman, U, C


def on_sphere(rng, centers, lab, spread):
    X = centers[lab] + spread[lab][:, None] * rng.standard_normal((len(lab), centers.shape[1]))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


ANNA_QUALITY = ["correct", "partially_correct_incomplete", "contradictory", "irrelevant_or_non_domain", "lonely"]


def anna_data(rng):
    names = np.array(["correct", "partially_correct_incomplete", "contradictory", "irrelevant_or_non_domain", "other", "lonely"])
    sizes = [110, 80, 80, 60, 39, 1]
    lab = np.repeat(np.arange(6), sizes)
    rng.shuffle(lab)
    d = 48
    centers = rng.standard_normal((6, d)) + 1.5  # a shared direction: labels overlap, as real answers do
    spread = np.array([0.8, 1.3, 1.8, 2.6, 1.5, 1.5])
    X = on_sphere(rng, centers, lab, spread)
    lonely = int(np.flatnonzero(lab == 5)[0])
    for src, dst in [(3, 200), (3, 201), (50, 300)]:  # duplicated rows: exact kNN ties
        if lonely not in (src, dst):
            lab[dst] = lab[src]
            X[dst] = X[src]
    X[7 if lonely != 7 else 8] = 0.0  # a zero row
    return X.astype(np.float32), names[lab].tolist()


def main():
    cases = []
    bootstrap = []

    # "Anna Karenina" data: the best label tight, worse labels ever more scattered; a label outside the quality
    # order ('other'), a single-row label inside it ('lonely'), duplicated rows (exact kNN ties) and a zero row.
    for seed in range(2024, 2124):
        rng = np.random.default_rng(seed)
        X, labels = anna_data(rng)
        try:
            rows, spearman, U, C = geometry(X, labels, ANNA_QUALITY, 10)
            break
        except NearTie:
            continue
    np.save(os.path.join(HERE, "anna_n370_d48.npy"), X)
    cases.append({"name": "anna_n370_d48", "file": "anna_n370_d48.npy", "seed": seed, "labels": labels,
                  "qualityOrder": ANNA_QUALITY, "k": 10, "rows": rows, "spearman": spearman})
    # Bootstrap replicates on given resamples (drawn here): mean cosine over position pairs p < q holding different rows.
    for name in ["correct", "irrelevant_or_non_domain", "other"]:
        idx = np.flatnonzero(np.array(labels) == name)
        for _ in range(4):
            res = rng.choice(idx, size=len(idx), replace=True)
            bootstrap.append({"file": "anna_n370_d48.npy", "label": name, "rows": res.tolist(), "expected": cross_pairs(C, res)})

    # Gaussian data, integer labels of equal size (spearman.size is NaN), quality order a permutation, k = 5.
    rng = np.random.default_rng(11)
    lab = np.repeat(np.arange(4), 30)
    rng.shuffle(lab)
    X = (rng.standard_normal((120, 16)) + 0.8 * rng.standard_normal((4, 16))[lab]).astype(np.float32)
    labels = [str(v) for v in lab]
    np.save(os.path.join(HERE, "gauss_n120_d16.npy"), X)
    rows, spearman, _, _ = geometry(X, labels, ["2", "0", "3", "1"], 5)
    cases.append({"name": "gauss_n120_d16", "file": "gauss_n120_d16.npy", "labels": labels, "numeric": True,
                  "qualityOrder": ["2", "0", "3", "1"], "k": 5, "rows": rows, "spearman": spearman})

    # Tiny: k = 10 capped at n - 1 = 4, no quality order (best = highest withinCosine), a single-row label.
    X = np.array([[1, 0, 0], [0.9, 0.1, 0], [0.8, 0.3, 0.1], [0, 1, 0.2], [0.1, 0.2, 1]], dtype=np.float32)
    labels = ["a", "a", "b", "b", "c"]
    np.save(os.path.join(HERE, "tiny_n5_d3.npy"), X)
    rows, spearman, _, _ = geometry(X, labels, None, 10)
    cases.append({"name": "tiny_n5_d3", "file": "tiny_n5_d3.npy", "labels": labels, "qualityOrder": None,
                  "k": 10, "rows": rows, "spearman": spearman})

    # Percentiles of replicate values, NumPy's default linear interpolation.
    values = np.sort(rng.standard_normal(1000))
    percentiles = {str(q): float(np.percentile(values, q * 100)) for q in (0.025, 0.975, 0.05, 0.5, 0.95, 0.0, 1.0)}
    odd = np.sort(rng.standard_normal(7))
    percentiles_odd = {str(q): float(np.percentile(odd, q * 100)) for q in (0.025, 0.975, 0.5)}

    # Spearman with ties against scipy (average ranks).
    x = [1, 2, 3, 4, 5, 6, 7]
    y = [0.3, 0.1, 0.1, 0.9, 0.5, 0.5, 0.5]
    ties = {"x": x, "y": y, "expected": float(spearmanr(x, y).correlation)}

    def nan_to_none(o):
        if isinstance(o, float) and not np.isfinite(o):
            return None
        if isinstance(o, dict):
            return {k: nan_to_none(v) for k, v in o.items()}
        if isinstance(o, list):
            return [nan_to_none(v) for v in o]
        return o

    out = {"generator": "make_fixtures.py", "numpy": np.__version__, "scipy": scipy.__version__, "cases": cases,
           "bootstrap": bootstrap, "percentiles": {"values": values.tolist(), "expected": percentiles},
           "percentilesOdd": {"values": odd.tolist(), "expected": percentiles_odd}, "spearmanTies": ties}
    with open(os.path.join(HERE, "geometry_cases.json"), "w") as f:
        json.dump(nan_to_none(out), f)


if __name__ == "__main__":
    main()
