#!/usr/bin/python3
"""Reference values for discoverability, computed independently in NumPy from a dense label x cluster table.

Run: /usr/bin/python3 make_fixtures.py  (deterministic). Per expert label (rows kept: labels with at least one scored
row): the cluster with the highest F1 = 2|L∩C|/(|L|+|C|) and the one with the highest Jaccard |L∩C|/|L∪C| (first
maximum, i.e. the lowest cluster label, and only when the maximum is positive), precision |L∩C|/|C| and recall
|L∩C|/|L| of the best-F1 cluster, discovered = F1 >= threshold. Noise (-1) never forms a cluster; 'unmatched' keeps
noise rows in |L| (missed), 'exclude' drops them first. Predicted labelings of SemEval-2013 questions come from
scikit-learn KMeans on TF-IDF vectors, with answers of fewer than three words marked noise (as a density clusterer
might).

Permutation null of the best-match F1: for each configuration the permutations of the SCORED rows (all rows under
'unmatched', the non-noise rows under 'exclude') are drawn here (rng.permutation, a generator per case) and stored as
"permutations"; the test hands exactly these to the metric through its internal seam
Discoverability.Evaluate(input, permutations), so both sides use the same relabellings: scored row i takes the label of
scored row perm[i], the partition stays. Null F1 = the label's best-match F1 on the permuted labels (recomputed here with
the dense table above); f1NullSd with ddof=1; f1PValue = (1 + #(null >= F1 - 1e-12)) / (1 + permutations);
f1Excess = F1 - null mean; discoveredAdjusted = discovered and f1PValue < alpha (0.05).
"""
import csv
import json
import os

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

HERE = os.path.dirname(os.path.abspath(__file__))
ANSWERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../experiments/data/semeval2013-sra/answers.csv")
CONFIGS = [(0.5, "unmatched"), (0.5, "exclude"), (0.3, "unmatched"), (0.8, "exclude")]


def discoverability(truth, predicted, threshold, noise):
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    if noise == "exclude":
        keep = predicted != -1
        truth, predicted = truth[keep], predicted[keep]
    labels = np.unique(truth)  # sorted: ordinal for strings, numeric for integers
    clusters = np.unique(predicted[predicted != -1])
    table = np.array([[np.sum((truth == l) & (predicted == c)) for c in clusters] for l in labels], dtype=np.int64)
    label_sizes = np.array([np.sum(truth == l) for l in labels], dtype=np.int64)
    cluster_sizes = table.sum(axis=0) if len(clusters) else np.zeros(0, dtype=np.int64)
    rows = {}
    for i, l in enumerate(labels):
        both = table[i] if len(clusters) else np.zeros(0, dtype=np.int64)
        f1 = 2.0 * both / (label_sizes[i] + cluster_sizes) if len(clusters) else np.zeros(0)
        jac = both / (label_sizes[i] + cluster_sizes - both) if len(clusters) else np.zeros(0)
        row = {"size": int(label_sizes[i]), "cluster": None, "precision": 0.0, "recall": 0.0, "f1": 0.0,
               "jaccardCluster": None, "jaccard": 0.0, "discovered": 0}
        if len(clusters) and f1.max() > 0:
            b = int(np.argmax(f1))  # first maximum: the lowest cluster label
            row.update(cluster=int(clusters[b]), precision=float(both[b] / cluster_sizes[b]),
                       recall=float(both[b] / label_sizes[i]), f1=float(f1[b]), discovered=int(f1[b] >= threshold))
        if len(clusters) and jac.max() > 0:
            b = int(np.argmax(jac))
            row.update(jaccardCluster=int(clusters[b]), jaccard=float(jac[b]))
        rows[str(l)] = row
    discovered = sum(r["discovered"] for r in rows.values())
    return {"value": discovered / len(rows), "discovered": discovered, "labels": len(rows),
            "meanBestF1": float(np.mean([r["f1"] for r in rows.values()])), "rows": rows}


ALPHA = 0.05
PERMUTATIONS = 40


def with_null(truth, predicted, threshold, noise, rng):
    """discoverability() plus its permutation null on permutations drawn from rng (returned with the result)."""
    result = discoverability(truth, predicted, threshold, noise)
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    if noise == "exclude":
        keep = predicted != -1
        truth, predicted = truth[keep], predicted[keep]
    perms = [rng.permutation(len(truth)) for _ in range(PERMUTATIONS)]
    nulls = {label: [] for label in result["rows"]}
    for p in perms:
        permuted = discoverability(truth[p].tolist(), predicted, threshold, "unmatched")["rows"]
        for label in nulls:
            nulls[label].append(permuted[label]["f1"])
    adjusted = 0
    for label, row in result["rows"].items():
        null = np.array(nulls[label])
        mean = float(null.mean())
        p_value = float((1 + np.sum(null >= row["f1"] - 1e-12)) / (1 + len(null)))
        row.update(f1NullMean=mean, f1NullSd=float(null.std(ddof=1)), f1PValue=p_value, f1Excess=row["f1"] - mean,
                   discoveredAdjusted=int(row["discovered"] == 1 and p_value < ALPHA))
        adjusted += row["discoveredAdjusted"]
    result.update(discoveredAdjusted=adjusted, meanF1Excess=float(np.mean([r["f1Excess"] for r in result["rows"].values()])),
                  alpha=ALPHA, permutations=[p.tolist() for p in perms])
    return result


def case(name, truth, predicted, numeric, seed):
    rng = np.random.default_rng(seed)  # only the permutations: the labelings above are unchanged
    return {"name": name, "numeric": numeric, "truth": list(truth), "predicted": [int(p) for p in predicted],
            "expected": [{"threshold": t, "noise": nz, **with_null(truth, predicted, t, nz, rng)} for t, nz in CONFIGS]}


def main():
    rng = np.random.default_rng(42)
    cases = []

    # Unrelated random labelings: small F1s, many near-ties between clusters.
    truth = rng.integers(0, 6, 400)
    pred = rng.integers(0, 8, 400)
    pred[rng.random(400) < 0.1] = -1
    cases.append(case("random_unrelated", truth.tolist(), pred, True, 7001))

    # Planted structure: clusters follow the labels with 25% of rows moved, one label split in two clusters, one label
    # (7) seen only as noise, so it disappears under 'exclude'.
    truth = rng.integers(0, 5, 300)
    pred = truth * 10
    moved = rng.random(300) < 0.25
    pred[moved] = rng.integers(0, 5, moved.sum()) * 10
    split = (truth == 2) & (rng.random(300) < 0.5)
    pred[split] = 21
    pred[rng.random(300) < 0.08] = -1
    truth[:6] = 7
    pred[:6] = -1
    cases.append(case("random_planted", truth.tolist(), pred, True, 7002))

    # Tied scores: label 0 overlaps clusters 3 and 5 equally (F1 and Jaccard tie; the lower cluster wins).
    truth = [0, 0, 0, 0, 1, 1, 1, 1]
    pred = [5, 5, 3, 3, 5, 3, 9, 9]
    cases.append(case("ties", truth, pred, True, 7003))

    with open(ANSWERS, newline="", encoding="utf-8") as f:
        answers = list(csv.DictReader(f))
    by_question = {}
    for a in answers:
        by_question.setdefault(a["question_id"], []).append(a)
    chosen = sorted(q for q, items in by_question.items() if len(items) >= 60)[:4]
    for q in chosen:
        items = by_question[q]
        texts = [a["answer_text"] for a in items]
        truth = [a["label"] for a in items]
        k = len(set(truth))
        X = TfidfVectorizer().fit_transform(texts)
        pred = KMeans(n_clusters=k, n_init=4, random_state=0).fit(X).labels_.astype(int)
        pred[np.array([len(t.split()) < 3 for t in texts])] = -1
        cases.append(case(f"semeval_{q}", truth, pred, False, 7100 + len(cases)))

    with open(os.path.join(HERE, "discoverability_cases.json"), "w") as f:
        json.dump({"generator": "make_fixtures.py", "numpy": np.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
