#!/usr/bin/python3
"""Reference values for kp-geometry, computed naively in NumPy/SciPy (O(n^2) cosine matrices, no identities).

Run: /usr/bin/python3 make_fixtures.py  (deterministic). Embeddings are stored as float32 .npy and scored as their
exact float64 widening.

Anisotropy correction: allPairsCosine A = mean of the cosine matrix over i < j; correctedCosine = withinCosine - A;
correctedZ = correctedCosine / sigma_m with sigma_m^2 the variance of the mean pairwise cosine of a uniformly random
m-subset of the rows, here computed from its definition Var = sum over ordered pairs of pairs (e, f) of
h_e h_f (P(e and f in S) - p2^2) / C(m,2)^2, grouped by how many rows e and f share (the "subsetVariance" case checks
that against brute-force enumeration of every subset of a 9-row unit). standardized*: the same on the rows after
per-dimension standardisation (raw rows minus the dimension's mean over the unit, divided by its population std;
constant dimensions set to 0).

Permutation null: the permutations are drawn HERE (rng.permutation(n), a separate generator per case) and stored in
the fixture as "permutations"; the test hands exactly these to the metric through its internal seam
KpGeometryMetric.Evaluate(input, permutations), so both sides compute the null from the same relabellings: row i takes
the label of row perm[i] (labels[perm]). Null value = mean pairwise cosine of the permuted label's rows - A;
nullSd with ddof=1; pValue = (1 + #(null >= observed - 1e-12)) / (1 + permutations); excess = observed - null mean. Cosine of a zero row is 0 (as sklearn's cosine_similarity). kNN: cosine distance over all rows,
self excluded, stable order (ties to the lower index); the script refuses data where rows of different labels lie within 1e-5
of the k-th neighbour distance on both sides of it (float32 search could then legitimately pick another neighbour)
and draws the next seed.
"""
import itertools
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


def subset_variance(C, m):
    """Variance over random m-subsets of the mean pairwise value of C, from its definition by pair-overlap classes."""
    n = C.shape[0]
    if m < 2 or m > n:
        return float("nan")
    iu = np.triu_indices(n, 1)
    A = C[iu].mean()
    H = C - A
    np.fill_diagonal(H, 0.0)
    same = float((H[iu] ** 2).sum())                  # e = f
    r = H.sum(axis=1)
    share = float((r ** 2).sum() - 2 * same)          # e != f sharing one row, ordered
    total = float(H[iu].sum()) ** 2                    # all ordered (e, f)
    disjoint = total - same - share
    def prob(k):  # P(k given distinct rows all in S)
        out = 1.0
        for t in range(k):
            out *= (m - t) / (n - t)
        return out
    pairs = m * (m - 1) / 2
    var = (same * prob(2) + share * prob(3) + disjoint * prob(4) - total * prob(2) ** 2) / pairs ** 2
    return max(var, 0.0)


def standardize(X):
    X = X.astype(np.float64)
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    const = np.ptp(X, axis=0) == 0
    Z = np.where(const, 0.0, (X - mu) / np.where(const, 1.0, sd))
    return Z


def corrected(C, lab, name):
    n = C.shape[0]
    A = C[np.triu_indices(n, 1)].mean() if n > 1 else float("nan")
    idx = np.flatnonzero(lab == name)
    w = mean_pairwise(C, idx)
    c = w - A
    v = subset_variance(C, len(idx))
    z = c / np.sqrt(v) if len(idx) >= 2 and len(idx) < n and v > 0 else float("nan")
    return float(A), float(c), float(z)


def add_corrected(rows, X, labels, perms):
    """allPairsCosine, corrected*, standardized* and the permutation null (on the given permutations) per label."""
    lab = np.array(labels)
    U = unit(X)
    C = U @ U.T
    S = unit(standardize(X))
    CS = S @ S.T
    n = len(lab)
    A = C[np.triu_indices(n, 1)].mean() if n > 1 else float("nan")
    for name in rows:
        a, c, z = corrected(C, lab, name)
        _, sc, sz = corrected(CS, lab, name)
        row = rows[name]
        row.update(allPairsCosine=a, correctedCosine=c, correctedZ=z, standardizedCorrectedCosine=sc, standardizedCorrectedZ=sz)
        if np.sum(lab == name) < 2 or len(perms) == 0:
            row.update(correctedNullMean=float("nan"), correctedNullSd=float("nan"), correctedPValue=float("nan"), correctedExcess=float("nan"))
            continue
        null = np.array([mean_pairwise(C, np.flatnonzero(lab[p] == name)) - A for p in perms])
        mean = float(null.mean())
        row.update(correctedNullMean=mean, correctedNullSd=float(null.std(ddof=1)) if len(null) > 1 else float("nan"),
                   correctedPValue=float((1 + np.sum(null >= c - 1e-12)) / (1 + len(null))), correctedExcess=c - mean)


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
    prng = np.random.default_rng(901)
    perms = [prng.permutation(len(labels)) for _ in range(40)]
    add_corrected(rows, X, labels, perms)
    cases.append({"name": "anna_n370_d48", "file": "anna_n370_d48.npy", "seed": seed, "labels": labels,
                  "qualityOrder": ANNA_QUALITY, "k": 10, "rows": rows, "spearman": spearman,
                  "permutations": [p.tolist() for p in perms]})
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
    prng = np.random.default_rng(902)
    perms = [prng.permutation(len(labels)) for _ in range(200)]
    add_corrected(rows, X, labels, perms)
    cases.append({"name": "gauss_n120_d16", "file": "gauss_n120_d16.npy", "labels": labels, "numeric": True,
                  "qualityOrder": ["2", "0", "3", "1"], "k": 5, "rows": rows, "spearman": spearman,
                  "permutations": [p.tolist() for p in perms]})

    # Tiny: k = 10 capped at n - 1 = 4, no quality order (best = highest withinCosine), a single-row label.
    X = np.array([[1, 0, 0], [0.9, 0.1, 0], [0.8, 0.3, 0.1], [0, 1, 0.2], [0.1, 0.2, 1]], dtype=np.float32)
    labels = ["a", "a", "b", "b", "c"]
    np.save(os.path.join(HERE, "tiny_n5_d3.npy"), X)
    rows, spearman, _, _ = geometry(X, labels, None, 10)
    prng = np.random.default_rng(903)
    perms = [prng.permutation(len(labels)) for _ in range(30)]
    add_corrected(rows, X, labels, perms)
    cases.append({"name": "tiny_n5_d3", "file": "tiny_n5_d3.npy", "labels": labels, "qualityOrder": None,
                  "k": 10, "rows": rows, "spearman": spearman, "permutations": [p.tolist() for p in perms]})

    # The random-subset variance behind correctedZ, by brute force: every m-subset of a 9-row unit (one zero row,
    # a constant dimension for the standardised rows), for m = 2 .. 9.
    srng = np.random.default_rng(904)
    X = srng.standard_normal((9, 4)).astype(np.float32)
    X[:, 3] = 0.25
    X[5] = 0.0
    np.save(os.path.join(HERE, "subset_n9_d4.npy"), X)
    subset = {"file": "subset_n9_d4.npy", "raw": {}, "standardized": {}}
    for kind, V in (("raw", unit(X)), ("standardized", unit(standardize(X)))):
        C = V @ V.T
        subset[kind]["allPairsMean"] = float(C[np.triu_indices(9, 1)].mean())
        for m in range(2, 10):
            means = [mean_pairwise(C, np.array(s)) for s in itertools.combinations(range(9), m)]
            subset[kind][str(m)] = {"mean": float(np.mean(means)), "variance": float(np.var(means)),
                                     "formula": subset_variance(C, m)}

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
           "percentilesOdd": {"values": odd.tolist(), "expected": percentiles_odd}, "spearmanTies": ties,
           "subsetVariance": subset}
    with open(os.path.join(HERE, "geometry_cases.json"), "w") as f:
        json.dump(nan_to_none(out), f)


if __name__ == "__main__":
    main()
