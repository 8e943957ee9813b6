#!/usr/bin/python3
"""Reference values for the external metrics, from scikit-learn 1.2.1 (and NumPy/SciPy where sklearn has none).

Run: /usr/bin/python3 make_fixtures.py  (deterministic; writes external_cases.json beside this script)
"""
import json
import os

import numpy as np
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn import metrics as M
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

assert sklearn.__version__ == "1.2.1", sklearn.__version__
HERE = os.path.dirname(os.path.abspath(__file__))
ANSWERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../experiments/data/semeval2013-sra/answers.csv")


def purity(t, p):
    c = M.cluster.contingency_matrix(t, p)
    return c.max(axis=0).sum() / c.sum(), c.max(axis=1).sum() / c.sum()


def pair_scores(t, p):
    (tn, fp), (fn, tp) = M.cluster.pair_confusion_matrix(t, p)
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    return float(prec), float(rec)


def matched_f1(t, p):
    c = M.cluster.contingency_matrix(t, p).astype(float)
    a, b = c.sum(axis=1), c.sum(axis=0)
    f1 = 2 * c / (a[:, None] + b[None, :])
    rows, cols = linear_sum_assignment(a[:, None] * f1, maximize=True)
    per = np.zeros(len(a))
    per[rows] = f1[rows, cols]
    return float((a / a.sum() * per).sum()), per.tolist()


def expected(t, p):
    e = {"ari": M.adjusted_rand_score(t, p), "fowlkes_mallows": M.fowlkes_mallows_score(t, p)}
    for avg in ("arithmetic", "geometric", "min", "max"):
        e[f"ami_{avg}"] = M.adjusted_mutual_info_score(t, p, average_method=avg)
        e[f"nmi_{avg}"] = M.normalized_mutual_info_score(t, p, average_method=avg)
    h, c, v = M.homogeneity_completeness_v_measure(t, p)
    e.update(homogeneity=h, completeness=c, v_measure=v,
             v_measure_beta2=M.v_measure_score(t, p, beta=2.0))
    e["purity"], e["inverse_purity"] = purity(t, p)
    e["pair_precision"], e["pair_recall"] = pair_scores(t, p)
    e["matched_f1"], e["matched_f1_per_label"] = matched_f1(t, p)
    e["contingency"] = M.cluster.contingency_matrix(t, p).tolist()
    # NaN as the string "NaN": strict JSON readers reject the bare token.
    return {k: (("NaN" if np.isnan(v) else float(v)) if isinstance(v, (float, np.floating)) else v) for k, v in e.items()}


def case(name, truth, pred, noise="cluster"):
    truth = list(truth)
    pred = [int(x) for x in pred]
    t, p = np.array(truth), np.array(pred)
    if noise == "exclude":
        keep = p != -1
        t, p = t[keep], p[keep]
    truth_json = [x if isinstance(x, str) else int(x) for x in truth]
    return {"name": name, "noise": noise, "truth": truth_json, "predicted": pred, "expected": expected(t, p)}


def main():
    rng = np.random.default_rng(20240611)
    cases = []
    t = rng.integers(0, 4, 200)
    p = rng.integers(-1, 5, 200)
    cases += [case("random_n200_noise_cluster", t, p), case("random_n200_noise_exclude", t, p, "exclude")]
    t = rng.integers(0, 12, 5000)
    p = np.where(rng.random(5000) < 0.6, t * 2 + rng.integers(0, 2, 5000), rng.integers(0, 30, 5000))
    cases.append(case("correlated_n5000_k30_c12", t, p))
    cases.append(case("negative_int_labels", rng.integers(-3, 3, 60), rng.integers(0, 3, 60)))
    cases.append(case("n1", [7], [0]))
    cases.append(case("n2_different", [0, 1], [0, 0]))
    cases.append(case("one_cluster", rng.integers(0, 3, 50), np.zeros(50, int)))
    cases.append(case("one_label", np.zeros(50, int), rng.integers(0, 4, 50)))
    cases.append(case("one_label_one_cluster", np.full(20, 5), np.full(20, 3)))
    cases.append(case("all_singletons", rng.integers(0, 5, 80), np.arange(80)))
    cases.append(case("both_singletons", np.arange(30), np.arange(30)[::-1]))
    perm = rng.permutation(6)
    t = rng.integers(0, 6, 300)
    cases.append(case("perfect_permuted", t, perm[t]))
    cases.append(case("mostly_noise_exclude", rng.integers(0, 3, 40), np.where(rng.random(40) < 0.8, -1, rng.integers(0, 2, 40)), "exclude"))

    # Real labels: SemEval-2013 SRA expert labels against a k-means partition of TF-IDF vectors and a random one.
    import csv
    with open(ANSWERS, newline="") as f:
        rows = list(csv.DictReader(f))
    labels = [r["label"] for r in rows]
    texts = [r["answer_text"] for r in rows]
    X = TfidfVectorizer(min_df=2).fit_transform(texts)
    km = KMeans(n_clusters=8, n_init=1, random_state=0).fit(X).labels_
    cases.append(case("semeval_kmeans8_tfidf", labels, km))
    cases.append(case("semeval_random12", labels, rng.integers(0, 12, len(labels))))
    q = [i for i, r in enumerate(rows) if r["question_id"] == rows[0]["question_id"]]
    kmq = KMeans(n_clusters=4, n_init=1, random_state=0).fit(X[q]).labels_
    cases.append(case("semeval_one_question_kmeans4", [labels[i] for i in q], kmq))

    with open(os.path.join(HERE, "external_cases.json"), "w") as f:
        json.dump({"generator": "make_fixtures.py", "sklearn": sklearn.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
