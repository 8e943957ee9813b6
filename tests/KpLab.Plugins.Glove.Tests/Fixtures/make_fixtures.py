"""Reference SIF / mean pooling for KpLab.Plugins.Glove.Tests, run with /usr/bin/python3 from this folder.

Writes tiny-wink.json (a 40-word vocabulary in wink-embeddings' JSON format, random vectors, seed 0) and
pooling.json (texts and the expected embeddings for several option sets, computed in float64 from the float32
vectors). The texts use lower-case ASCII words and punctuation only, so the tokenizer is a plain regex here; the
tokenizer's other rules are tested in C#.
"""
import json
import re
import numpy as np

rng = np.random.default_rng(0)
words = ["the", ",", ".", "of", "to", "and", "in", "water", "salt", "is", "evaporated", "heat", "energy",
         "light", "plant", "plants", "sun", "glucose", "makes", "from", "left", "behind", "well-known", "do",
         "not", "can", "will", "cafe", "rock", "roll", "dish", "day", "sit", "let", "it", "by", "for", "a-b",
         "circuit", "bulb"]
d = 8
vecs = np.round(rng.normal(size=(len(words), d)), 6)
doc = {"precision": 6, "l2NormIndex": d, "wordIndex": d + 1, "size": len(words), "dimensions": d, "words": words,
       "vectors": {w: [float(x) for x in vecs[i]] + [float(np.round(np.linalg.norm(vecs[i]), 6)), i]
                   for i, w in enumerate(words)},
       "unkVector": [0] * d + [-1]}
with open("tiny-wink.json", "w") as f:
    json.dump(doc, f)

V = vecs.astype(np.float32).astype(np.float64)
index = {w: i for i, w in enumerate(words)}
texts = [
    "Let the water evaporate, and the salt is left behind.",
    "The sun makes energy from light in plants.",
    "Heat the water in a dish for a day.",
    "",
    "unknown zzz qqq",
    "The plant makes glucose from light and water.",
    "The bulb is in the circuit, the circuit is not broken.",
    "salt salt salt water",
]


def known(text):
    return [index[t] for t in re.findall(r"[a-z0-9]+", text.lower()) if t in index]


def pool(weights):
    X = np.zeros((len(texts), d))
    for r, t in enumerate(texts):
        ids = known(t)
        if ids:
            X[r] = sum(weights[i] * V[i] for i in ids) / len(ids)
    return X


def remove_pc(X):
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    u = vt[0]
    return X - np.outer(X @ u, u)


def normalize(X):
    n = np.linalg.norm(X, axis=1, keepdims=True)
    return np.where(n > 0, X / np.where(n > 0, n, 1), 0)


N = len(words)
H = sum(1.0 / r for r in range(1, N + 1))
a = 1e-3
zipf = np.array([a / (a + 1.0 / ((r + 1) * H)) for r in range(N)])
counts = np.zeros(N)
for t in texts:
    for i in known(t):
        counts[i] += 1
p_texts = counts / counts.sum()
texts_w = np.where(counts > 0, a / (a + np.where(counts > 0, p_texts, 1)), 0)
a2 = 0.05
zipf2 = np.array([a2 / (a2 + 1.0 / ((r + 1) * H)) for r in range(N)])

cases = {
    "mean": pool(np.ones(N)),
    "mean_pc_norm": normalize(remove_pc(pool(np.ones(N)))),
    "sif_zipf": pool(zipf),
    "sif_zipf_pc_norm": normalize(remove_pc(pool(zipf))),
    "sif_texts_pc": remove_pc(pool(texts_w)),
    "sif_zipf_a005_norm": normalize(pool(zipf2)),
}
with open("pooling.json", "w") as f:
    json.dump({"texts": texts, "cases": {k: v.tolist() for k, v in cases.items()}}, f, indent=0)
