"""Reference TF-IDF matrices from scikit-learn 1.2.1 for KpLab.Plugins.Tfidf.Tests.

Run with /usr/bin/python3 (Debian's numpy 1.24 / scikit-learn 1.2.1) from this folder:
    /usr/bin/python3 make_fixtures.py
Writes tfidf_cases.json.gz: texts as UTF-16 code units (so lone surrogates survive JSON), and per case the options,
the vocabulary in column order, idf and the CSR matrix of fit_transform; plus lsa.json.gz and lsa_tall.json.gz: numpy's exact
SVD of two TF-IDF matrices. Values keep 10 significant digits. Deterministic: no randomness is used.
"""
import os
import csv
import gzip
import json
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

assert sklearn.__version__ == "1.2.1", sklearn.__version__
ANSWERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../experiments/data/semeval2013-sra/answers.csv")


def open_text(binary):
    import io
    return io.TextIOWrapper(binary, encoding="ascii")


def units(s):
    b = s.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(b[i:i + 2], "little") for i in range(0, len(b), 2)]


def enc(s):
    # Plain JSON strings where that is lossless, code-unit arrays where the text holds surrogates.
    return units(s) if any(0xD800 <= ord(c) <= 0xDFFF or ord(c) > 0xFFFF for c in s) else s


with open(ANSWERS, newline="", encoding="utf-8") as f:
    answers = [row["answer_text"] for row in csv.DictReader(f)]

LONG = " ".join(["photosynthesis makes glucose from light"] * 3000)
tricky = [
    "", "   ", "\t\n ", "Café naïve résumé CAFÉ", "ΟΔΟΣ ΣΟΦΟΣ σοφός Σ", "İstanbul İİ", "straße STRASSE Straße",
    "x² + y² = z² ½ Ⅻ chapters", "e\u0301te cafe\u0301 combining", "don't won't it's students' o'clock",
    "foo_bar baz-qux __init__ snake_case", "emoji 😀😀 test 👍🏽 ok", "lone \ud800 surrogate \udc00x ab\udbffcd",
    "𝐁𝐨𝐥𝐝 𝐦𝐚𝐭𝐡 letters", "digits 123 4.56 7,890 1st 2nd", "日本語のテキスト 東京", "العربية نص عربي",
    "tab\tsep\x1cinfo\x1fsep\x1dx", "nbsp\u00a0here\u2009thin\u3000wide", "a b c d e I", "ﬁ ligature Kelvin \u212a",
    "  leading and trailing  ", "UPPER lower MiXeD", "Ǆemal ǅemal ǆemal", "x", "!!!???", "the the the the",
    "Hyphen-ated words—dash – en", "newlines\n\n\nand\r\nreturns", LONG, "\u0130I\u0131i",
]
SEM = answers
SEM2000 = answers[:2000]
SEM800 = answers[:800]

cases = [
    ("sem_word_default", SEM, {}),
    ("sem_word_1_2", SEM2000, {"ngram_range": (1, 2)}),
    ("sem_charwb_2_4", SEM800, {"analyzer": "char_wb", "ngram_range": (2, 4)}),
    ("sem_char_1_3", SEM800, {"analyzer": "char", "ngram_range": (1, 3), "max_features": 700}),
    ("sem_mindf2_1_2", SEM2000, {"ngram_range": (1, 2), "min_df": 2}),
    ("sem_maxfeat100", SEM, {"max_features": 100}),
    ("sem_maxfeat1000_1_2", SEM, {"max_features": 1000, "ngram_range": (1, 2)}),
    ("sem_sublinear", SEM2000, {"sublinear_tf": True}),
    ("sem_maxdf_l1_noidf", SEM2000, {"max_df": 0.05, "norm": "l1", "use_idf": False, "min_df": 0.001}),
    ("sem_binary_nosmooth_nonorm", SEM2000, {"binary": True, "smooth_idf": False, "norm": None, "max_df": 300}),
    ("sem_nolower", SEM2000, {"lowercase": False}),
    ("tricky_word_1_3", tricky, {"ngram_range": (1, 3)}),
    ("tricky_char_1_4", tricky, {"analyzer": "char", "ngram_range": (1, 4)}),
    ("tricky_charwb_1_5", tricky, {"analyzer": "char_wb", "ngram_range": (1, 5)}),
    ("tricky_charwb_3_6_nolower", tricky, {"analyzer": "char_wb", "ngram_range": (3, 6), "lowercase": False}),
    ("tricky_word_sublinear", tricky, {"sublinear_tf": True}),
]

corpora = {"SEM": SEM, "SEM2000": SEM2000, "SEM800": SEM800, "tricky": tricky}
out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "corpora": {}, "cases": []}
for name, texts in corpora.items():
    out["corpora"][name] = [enc(t) for t in texts]
corpus_of = {id(v): k for k, v in corpora.items()}
for name, texts, opts in cases:
    vec = TfidfVectorizer(**opts)
    X = vec.fit_transform(texts).tocsr()
    X.sort_indices()
    vocab = vec.get_feature_names_out().tolist()
    out["cases"].append({
        "name": name, "corpus": corpus_of[id(texts)],
        "options": {k: list(v) if isinstance(v, tuple) else v for k, v in opts.items()},
        "vocabulary": [enc(t) for t in vocab],
        "idf": vec.idf_.tolist() if vec.use_idf else [],
        "indptr": X.indptr.tolist(), "indices": X.indices.tolist(), "data": [float("%.10g" % v) for v in X.data],
    })
    print(name, len(texts), "texts", len(vocab), "features", X.nnz, "nonzeros")

with gzip.GzipFile("tfidf_cases.json.gz", "wb", mtime=0) as g, open_text(g) as f:
    json.dump(out, f, ensure_ascii=True, separators=(",", ":"))

# LSA references: numpy's exact (LAPACK) SVD of dense TF-IDF matrices, one wide (n < |vocabulary|), one tall.
lsa_texts = answers[:1500]
lsa_cases = [("lsa.json.gz", {"ngram_range": (1, 2), "min_df": 2}, 40),
             ("lsa_tall.json.gz", {"max_features": 300}, 30)]
for file_name, opts, k in lsa_cases:
    X = TfidfVectorizer(**opts).fit_transform(lsa_texts).toarray()
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    with gzip.GzipFile(file_name, "wb", mtime=0) as g, open_text(g) as f:
        json.dump({"corpus": "first 1500 answers", "options": {k2: list(v) if isinstance(v, tuple) else v for k2, v in opts.items()},
                   "k": k, "singular_values": S[:k].tolist(),
                   "components": [[float("%.10g" % v) for v in row] for row in Vt[:k]],
                   "projection": [[float("%.10g" % v) for v in row] for row in U[:, :k] * S[:k]],
                   "shape": list(X.shape)}, f, separators=(",", ":"))
    print(file_name, X.shape, S[:3], S[k - 1:k + 1])

# NumPy's default (unstable) argsort on int64 with many ties: the tie rule behind max_features.
rng = np.random.default_rng(7)
arrays = [(-rng.integers(0, m, size=n)).astype(np.int64) for n, m in [(10, 3), (17, 4), (100, 5), (5000, 40), (20000, 3)]]
arrays.append(-np.array([3, 1, 3, 2, 3, 1, 1, 2] * 50, dtype=np.int64))
with open("argsort.json", "w") as f:
    json.dump([{"values": a.tolist(), "argsort": a.argsort().tolist()} for a in arrays], f, separators=(",", ":"))
