#!/usr/bin/python3
"""Reference for cluster descriptors (descriptors.json, descriptors.npy): c-TF-IDF as BERTopic 0.17.4 computes it, with
scikit-learn's CountVectorizer and numpy, label mix and answers nearest the centroid.

c-TF-IDF, following BERTopic's _c_tf_idf and ClassTfidfTransformer (bm25_weighting=False,
reduce_frequent_words=False, no seed words):
* the texts of each topic (noise -1 included, topics ascending) are joined with " " into one document;
* BERTopic's _preprocess_text: "\\n" and "\\t" become " "; with language="english" (its default) every character
  outside [A-Za-z0-9 ] is removed; cleaning "none" stands for any other language;
* X = CountVectorizer().fit_transform(documents) (lowercase, token_pattern (?u)\\b\\w\\w+\\b, unigrams), and a
  third case with CountVectorizer(stop_words="english");
* idf = log(A / f + 1) with A = int(X.sum(axis=1).mean()) and f = X.sum(axis=0);
* score = normalize(X, norm="l1") * idf.
One deliberate difference, mirrored in the C# code: BERTopic replaces a document that cleaning leaves empty by
"emptydoc"; here it stays empty (no words). The fixture has such a topic (cluster 7: one answer "?!").
Top terms: descending score, ties by vocabulary column (code-point order), positive scores only.
Representatives: cosine of each member's embedding with the mean of the members' unit-normalised embeddings (float64;
zero rows stay zero, cosine 0), descending, ties by row. Label mix: counts per label in the given quality order.
Run: /usr/bin/python3 make_descriptors.py (sklearn 1.2.1, numpy).
"""
import json
import os
import re

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

HERE = os.path.dirname(os.path.abspath(__file__))

ANSWERS = [
    # cluster 0: energy / ATP
    (0, "correct", "Mitochondria make ATP, the cell's energy."),
    (0, "correct", "The mitochondria produce energy (ATP) for the cell."),
    (0, "partially_correct_incomplete", "It makes energy."),
    (0, "correct", "ATP-ADP cycle: mitochondria release energy from glucose."),
    (0, "contradictory", "Mitochondria store DNA, not energy"),
    (0, "correct", "Energy\tfor the cell\ncomes from mitochondria."),
    # cluster 1: photosynthesis
    (1, "correct", "Chloroplasts capture light for photosynthesis."),
    (1, "correct", "Photosynthesis happens in the chloroplast using light energy."),
    (1, "partially_correct_incomplete", "Plants use light."),
    (1, "contradictory", "Chloroplasts don't need light."),
    (1, "correct", "Light + CO2 + water -> glucose in chloroplasts"),
    # cluster 2: non-ASCII words and underscores (English cleaning drops them)
    (2, "irrelevant", "Café naïve résumé"),
    (2, "irrelevant", "snake_case and under_score words"),
    (2, "non_domain", "ΟΔΟΣ Straße ²² café"),
    (2, "irrelevant", "I don't know"),
    # cluster 5 (labels need not be contiguous): repeated words, ties
    (5, "partially_correct_incomplete", "cell cell membrane wall"),
    (5, "partially_correct_incomplete", "membrane wall cell"),
    (5, "correct", "The membrane controls what enters the cell."),
    (5, "correct", "The membrane controls what enters the cell."),
    # cluster 7: no token at all
    (7, "non_domain", "?!"),
    # noise
    (-1, "irrelevant", "I like turtles"),
    (-1, "non_domain", ""),
    (-1, "contradictory", "The nucleus makes energy"),
    (-1, "irrelevant", "x y z"),
    (-1, "partially_correct_incomplete", "Light and energy"),
]
QUALITY = ["correct", "partially_correct_incomplete", "contradictory", "irrelevant", "non_domain"]
TOP = 10
REPS = 3


def clean(doc, cleaning):
    doc = doc.replace("\n", " ").replace("\t", " ")
    if cleaning == "english":
        doc = re.sub(r"[^A-Za-z0-9 ]+", "", doc)
    return doc


def ctfidf(texts, clusters, cleaning, stop_words=None):
    classes = sorted(set(clusters))
    docs = [clean(" ".join(t for t, c in zip(texts, clusters) if c == k), cleaning) for k in classes]
    vectorizer = CountVectorizer(stop_words=stop_words)
    X = vectorizer.fit_transform(docs)
    words = list(vectorizer.get_feature_names_out())
    f = np.squeeze(np.asarray(X.sum(axis=0)))
    A = int(X.sum(axis=1).mean())
    idf = np.log((A / f) + 1)
    scores = (normalize(X, axis=1, norm="l1", copy=True).toarray()) * idf[None, :]
    counts = X.toarray()
    top = {}
    for r, k in enumerate(classes):
        cols = np.flatnonzero(scores[r] > 0)
        order = cols[np.lexsort((cols, -scores[r, cols]))][:TOP]
        top[str(k)] = [[words[j], float(scores[r, j])] for j in order]
    nonzero = [[int(k), words[j], float(scores[r, j])] for r, k in enumerate(classes) for j in np.flatnonzero(counts[r])]
    return {
        "cleaning": cleaning,
        "stopWords": stop_words,
        "classes": classes,
        "vocabulary": words,
        "idf": idf.tolist(),
        "average": A,
        "words": [int(v) for v in np.asarray(X.sum(axis=1)).ravel()],
        "scores": nonzero,
        "top": top,
    }


def main():
    rng = np.random.default_rng(20261129)
    clusters = [a[0] for a in ANSWERS]
    labels = [a[1] for a in ANSWERS]
    texts = [a[2] for a in ANSWERS]
    n, d = len(ANSWERS), 16
    centres = {c: rng.normal(size=d) for c in sorted(set(clusters))}
    x = np.array([centres[c] * 2.0 + rng.normal(size=d) for c in clusters], dtype=np.float32)
    x[17] *= 3.5          # a longer vector in the same direction as another member: cosine is scale-free
    x[18] = x[17]         # identical rows: equal cosine, the earlier row first
    x[21] = 0.0           # a zero row (noise): cosine 0
    np.save(os.path.join(HERE, "descriptors.npy"), x)

    xd = x.astype(np.float64)
    norms = np.sqrt((xd * xd).sum(axis=1))
    unit = np.divide(xd, norms[:, None], out=np.zeros_like(xd), where=norms[:, None] > 0)
    descriptors = []
    for k in sorted(set(clusters)):
        members = np.array([i for i in range(n) if clusters[i] == k])
        centroid = unit[members].mean(axis=0)
        cn = np.sqrt(centroid @ centroid)
        cos = np.array([(unit[i] @ centroid) / cn if norms[i] > 0 and cn > 0 else 0.0 for i in members])
        order = np.lexsort((members, -cos))[:REPS]
        descriptors.append({
            "cluster": int(k),
            "size": int(len(members)),
            "labels": [[l, sum(1 for i in members if labels[i] == l)] for l in QUALITY],
            "representatives": [[int(members[j]), texts[members[j]], float(cos[j])] for j in order],
        })

    out = {
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "texts": texts,
        "labels": labels,
        "quality": QUALITY,
        "partition": clusters,
        "top": TOP,
        "representatives": REPS,
        "ctfidf": [ctfidf(texts, clusters, "english"), ctfidf(texts, clusters, "none"), ctfidf(texts, clusters, "english", "english")],
        "descriptors": descriptors,
    }
    with open(os.path.join(HERE, "descriptors.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, indent=1)


if __name__ == "__main__":
    main()
