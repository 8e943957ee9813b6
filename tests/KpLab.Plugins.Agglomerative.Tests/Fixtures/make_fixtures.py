#!/usr/bin/python3
"""Reference fixtures for the agglomerative and hdbscan plugins (run with /usr/bin/python3, deterministic).

Data sets (float32 .npy, shared by both test projects):
  blobs    make_blobs(400, 8 features, 5 centres, random_state=0)
  aniso    make_blobs(400, 2 features, 3 centres, random_state=170) sheared by [[0.6, -0.64], [-0.41, 0.85]]
  sphere   6 Gaussian clusters (noise 1/sqrt(d)) on the unit sphere in d=16, n=400, rng(7), normalised
  semeval  TF-IDF (sublinear, min_df=2) + TruncatedSVD(64, random_state=0) of all SemEval-2013 SRA answers;
           the first 1500 non-zero rows are kept
Agglomerative (this folder): scipy.cluster.hierarchy.linkage for ward/average/complete/single x euclidean/cosine,
written as <set>_<linkage>_<metric>_Z.csv (repr doubles), and scikit-learn AgglomerativeClustering labels for
n_clusters=k and for a distance_threshold halfway between two merge heights (<set>_<linkage>_<metric>_labels.csv).
HDBSCAN (../../KpLab.Plugins.Hdbscan.Tests/Fixtures): R dbscan::hdbscan(x, minPts) for minPts in (5, 15):
cluster, membership_prob, outlier_scores, coredist per row (<set>_minpts<m>.csv).
"""
import csv, json, os, subprocess, sys
import numpy as np
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import pdist
from sklearn.cluster import AgglomerativeClustering
from sklearn.datasets import make_blobs
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

HERE = os.path.dirname(os.path.abspath(__file__))
HDB = os.path.join(HERE, "..", "..", "KpLab.Plugins.Hdbscan.Tests", "Fixtures")
ANSWERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../experiments/data/semeval2013-sra/answers.csv")


def datasets():
    x, _ = make_blobs(400, n_features=8, centers=5, random_state=0)
    yield "blobs", x.astype(np.float32), 5
    x, _ = make_blobs(400, n_features=2, centers=3, random_state=170)
    yield "aniso", (x @ np.array([[0.6, -0.64], [-0.41, 0.85]])).astype(np.float32), 3
    rng = np.random.default_rng(7)
    d = 16
    c = rng.standard_normal((6, d)); c /= np.linalg.norm(c, axis=1, keepdims=True)
    lab = rng.integers(0, 6, 400)
    x = c[lab] + rng.standard_normal((400, d)) / np.sqrt(d)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    yield "sphere", x.astype(np.float32), 6
    with open(ANSWERS, newline="", encoding="utf-8") as f:
        texts = [r["answer_text"] for r in csv.DictReader(f)]
    tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
    emb = TruncatedSVD(64, random_state=0).fit_transform(tfidf)
    emb = emb[np.linalg.norm(emb, axis=1) > 0][:1500]  # answers with no known word embed to zero: cosine undefined
    yield "semeval", np.ascontiguousarray(emb, dtype=np.float32), 8


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def agglomerative(name, x, k):
    meta = {}
    for method in ("ward", "average", "complete", "single"):
        for metric in ("euclidean", "cosine"):
            if method == "ward" and metric == "cosine":
                continue
            z = linkage(x, method=method, metric=metric)  # pdist in float64 of the float32 rows
            tag = f"{name}_{method}_{metric}"
            write_csv(os.path.join(HERE, f"{tag}_Z.csv"), ["left", "right", "height", "size"],
                      [[int(a), int(b), repr(float(h)), int(s)] for a, b, h, s in z])
            h = z[:, 2]
            # threshold halfway between the heights of merges n-1-2k and n-2k: a gap, never on a merge height
            j = len(h) - 2 * k
            thr = float((h[j - 1] + h[j]) / 2) if h[j] > h[j - 1] else float(h[j]) + 1e-9
            lk = AgglomerativeClustering(n_clusters=k, linkage=method, metric=metric).fit(x).labels_
            lt = AgglomerativeClustering(n_clusters=None, distance_threshold=thr, linkage=method,
                                         metric=metric).fit(x).labels_
            write_csv(os.path.join(HERE, f"{tag}_labels.csv"), ["k", "threshold"], zip(lk.tolist(), lt.tolist()))
            meta[tag] = {"k": k, "threshold": thr, "threshold_clusters": int(len(set(lt.tolist())))}
    return meta


R_SCRIPT = r'''
args <- commandArgs(trailingOnly = TRUE)
con <- file(args[1], "rb"); n <- as.integer(args[2]); d <- as.integer(args[3])
v <- readBin(con, what = "numeric", size = 4, n = n * d, endian = "little"); close(con)
x <- matrix(v, nrow = n, ncol = d, byrow = TRUE)
suppressPackageStartupMessages(library(dbscan))
r <- hdbscan(x, minPts = as.integer(args[4]))
out <- data.frame(cluster = r$cluster, membership_prob = sprintf("%.17g", r$membership_prob),
                  outlier_scores = sprintf("%.17g", r$outlier_scores), coredist = sprintf("%.17g", r$coredist))
write.csv(out, args[5], row.names = FALSE, quote = FALSE)
cat(as.character(packageVersion("dbscan")))
'''


def hdbscan_r(name, x):
    meta = {}
    raw = os.path.join(HDB, f"{name}.f32.tmp")
    x.astype("<f4").tofile(raw)
    try:
        for m in (5, 15):
            out = os.path.join(HDB, f"{name}_minpts{m}.csv")
            p = subprocess.run(["Rscript", "--vanilla", "-e", R_SCRIPT, raw, str(x.shape[0]), str(x.shape[1]),
                                str(m), out], capture_output=True, text=True, check=True)
            d = pdist(x.astype(np.float64))
            meta[f"{name}_minpts{m}"] = {"r_dbscan": p.stdout.strip(),
                                        "distinct_distances": int(len(np.unique(d))), "pairs": int(len(d))}
    finally:
        os.remove(raw)
    return meta


def main():
    os.makedirs(HDB, exist_ok=True)
    meta_a, meta_h = {}, {}
    for name, x, k in datasets():
        np.save(os.path.join(HERE, f"{name}.npy"), x)
        np.save(os.path.join(HDB, f"{name}.npy"), x)
        meta_a.update(agglomerative(name, x, k))
        meta_h.update(hdbscan_r(name, x))
        print(name, x.shape, file=sys.stderr)
    with open(os.path.join(HERE, "meta.json"), "w") as f:
        json.dump(meta_a, f, indent=1, sort_keys=True)
    with open(os.path.join(HDB, "meta.json"), "w") as f:
        json.dump(meta_h, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
